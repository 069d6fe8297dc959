/**
 * The queue of injected faults: validated when injected, then consumed per matching request in
 * injection order.
 *
 * @module
 */

import type { EmulatorFault, FaultMatch } from "./fault-types";
import type { RequestKind } from "./recording";

/** What a queued fault is matched against. */
export interface FaultTarget {
  readonly kind: RequestKind;
  /** `host[:port]`, lower-case (as `URL` gives it). */
  readonly host: string;
  /** The tenant path segment as sent. */
  readonly tenant: string | undefined;
  /** The configured tenant id the segment resolved to, lower-case. */
  readonly tenantId: string | undefined;
}

function matches(match: FaultMatch | undefined, target: FaultTarget): boolean {
  if (!match) return true;
  if (match.kind !== undefined && match.kind !== target.kind) return false;
  if (match.host !== undefined && match.host.toLowerCase() !== target.host) return false;
  if (match.tenant !== undefined) {
    const wanted = match.tenant.toLowerCase();
    if (wanted !== target.tenant?.toLowerCase() && wanted !== target.tenantId) return false;
  }
  return true;
}

function validate(fault: EmulatorFault): void {
  const times = fault.times ?? 1;
  if (!(times === Infinity || (Number.isInteger(times) && times > 0))) {
    throw new TypeError(`fault.times must be a positive integer or Infinity, got ${times}`);
  }
  if (fault.type === "delay") {
    if (!(Number.isFinite(fault.ms) && fault.ms >= 0))
      throw new TypeError(`fault.ms must be a non-negative number, got ${fault.ms}`);
  } else if (fault.type !== "network") {
    const status = fault.status ?? 200;
    if (!(Number.isInteger(status) && status >= 200 && status <= 599)) {
      throw new TypeError(`fault.status must be an HTTP status from 200 to 599, got ${status}`);
    }
  }
}

/** Queued faults, consumed per matching request. */
export class FaultQueue {
  readonly #queue: { fault: EmulatorFault; remaining: number }[] = [];

  /** Queues `fault`; throws a `TypeError` for an invalid one. */
  add(fault: EmulatorFault): void {
    validate(fault);
    this.#queue.push({ fault, remaining: fault.times ?? 1 });
  }

  /** Drops every queued fault. */
  clear(): void {
    this.#queue.length = 0;
  }

  /** Consumes one use of the first fault matching `target`. */
  take(target: FaultTarget): EmulatorFault | undefined {
    const index = this.#queue.findIndex((entry) => matches(entry.fault.match, target));
    const entry = this.#queue[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.#queue.splice(index, 1);
    return entry.fault;
  }
}

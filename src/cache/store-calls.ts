/**
 * Calls into a user's {@link CacheAdapter}, each bounded by a timeout, and the reporting of what
 * went wrong. A store that throws, hangs or returns something other than a string (or `null` /
 * `undefined` for no value) is a miss; every failure is reported once, through the logger and
 * `onCacheError`, by the error's name and code only: a store's message may quote a key or a
 * value (a token), so it is never logged or passed on, whatever the PII setting.
 *
 * @module
 */

import { errorIdentity } from "../internal/safe-error";
import type { Log } from "../logger";
import type { CacheAdapter } from "./cache-adapter";

/** What went wrong with the L2 store. */
export interface CacheErrorEvent {
  /** The adapter call that failed. */
  readonly operation: "get" | "set" | "delete" | "lease";
  /** The adapter's name, if it has one. */
  readonly adapter: string;
  /** `threw`: the store failed; `timeout`: it did not answer in time; `invalid`: its value was not a valid record. */
  readonly reason: "threw" | "timeout" | "invalid";
  /**
   * For `threw`: the name of what the store threw (`"ReplyError"`, `"TypeError"`, or the type of
   * a non-error value) and its `code` when it has a short one (`"ECONNREFUSED"`). Never its
   * message, which may quote a key or a value.
   */
  readonly error: { readonly name: string; readonly code?: string } | undefined;
}

/** The store call threw, rejected or did not answer in time (already reported). */
export const failed: unique symbol = Symbol("store call failed");

type Failure = Omit<CacheErrorEvent, "adapter">;

/** Bounded calls to one adapter, and their reports. */
export class StoreCalls {
  readonly #adapterName: string;
  readonly #timeoutMs: number;
  readonly #onCacheError: ((event: CacheErrorEvent) => void) | undefined;
  readonly #log: Log;

  constructor(
    adapter: CacheAdapter,
    timeoutMs: number,
    onCacheError: ((event: CacheErrorEvent) => void) | undefined,
    log: Log,
  ) {
    this.#adapterName = typeof adapter.name === "string" ? adapter.name : "cache adapter";
    this.#timeoutMs = timeoutMs;
    this.#onCacheError = onCacheError;
    this.#log = log;
  }

  /** Runs one store call, bounded by the store timeout (or `withinMs`, if shorter): its value, or `failed`. */
  call<T>(
    operation: CacheErrorEvent["operation"],
    run: () => Promise<T>,
    withinMs = Infinity,
  ): Promise<T | typeof failed> {
    return this.#bounded(operation, run, Math.min(this.#timeoutMs, withinMs), identity);
  }

  /**
   * Runs one store read: the string stored, `undefined` for none (`null`, `undefined`), or
   * `failed`. Any other value is no value either, and is reported as `invalid`.
   */
  read(
    operation: CacheErrorEvent["operation"],
    run: () => Promise<unknown>,
    withinMs = Infinity,
  ): Promise<string | undefined | typeof failed> {
    return this.#bounded(operation, run, Math.min(this.#timeoutMs, withinMs), this.#text);
  }

  /** A store's answer to a read: a string, or none (anything else is reported as `invalid`). */
  readonly #text = (
    value: unknown,
    operation: CacheErrorEvent["operation"],
  ): string | undefined => {
    if (typeof value === "string") return value;
    if (value !== undefined && value !== null)
      this.report({ operation, reason: "invalid", error: undefined });
    return undefined;
  };

  /** Reports a failure through the logger and `onCacheError` (which must not throw either). */
  report(event: Failure): void {
    const full: CacheErrorEvent = { ...event, adapter: this.#adapterName };
    const what =
      event.reason === "invalid"
        ? "returned an invalid value"
        : event.reason === "timeout"
          ? "timed out"
          : "failed";
    const error = event.error;
    const detail =
      error === undefined
        ? ""
        : `: ${error.name}${error.code === undefined ? "" : ` ${error.code}`}`;
    this.#log.write(
      "warning",
      `L2 cache ${full.operation} ${what} (${full.adapter})${detail}; treated as a miss.`,
    );
    try {
      this.#onCacheError?.(full);
    } catch {
      // A failing callback must not fail the acquisition either.
    }
  }

  /**
   * One timer and one promise: this wraps every L2 hit, whose budget is a tenth of the store's
   * own round trip. `accept` maps the store's answer (it runs once, when the call settles).
   */
  #bounded<T, R>(
    operation: CacheErrorEvent["operation"],
    run: () => Promise<T>,
    timeoutMs: number,
    accept: (value: T, operation: CacheErrorEvent["operation"]) => R,
  ): Promise<R | typeof failed> {
    return new Promise((resolve) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const fail = (failure: Failure): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.report(failure);
        resolve(failed);
      };
      let work: Promise<T>;
      try {
        work = run();
      } catch (error) {
        fail({ operation, reason: "threw", error: summary(error) });
        return;
      }
      // Armed once the store call is on its way: the bookkeeping overlaps the store's round trip.
      timer = setTimeout(() => fail({ operation, reason: "timeout", error: undefined }), timeoutMs);
      Promise.resolve(work).then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(accept(value, operation));
        },
        (error: unknown) => fail({ operation, reason: "threw", error: summary(error) }),
      );
    });
  }
}

function identity<T>(value: T): T {
  return value;
}

/** The name and code of what a store threw (see `errorIdentity`), never its message. */
function summary(error: unknown): CacheErrorEvent["error"] {
  const { name, code } = errorIdentity(error);
  return code === undefined ? { name } : { name, code };
}

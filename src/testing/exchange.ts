/**
 * One request as the emulator answers it: the request itself, what its host and path name, and
 * the record and envelope made for it.
 *
 * @module
 */

import type { TenantLookup } from "./directory";
import type { Envelope } from "./envelope";
import type { HostRole } from "./hosts";
import type { MutableRecordedRequest } from "./recording";
import type { Route } from "./routes";

/** Everything one request's answer is computed from. */
export interface Exchange {
  readonly method: string;
  /** A copy of the request headers, taken before the body is read (Bun drops them afterwards). */
  readonly headers: Headers;
  readonly url: URL;
  /** What the host plays; requests to unknown hosts never get this far. */
  readonly role: Exclude<HostRole, { kind: "unknown" }>;
  readonly route: Route;
  /** The tenant the path names; `undefined` on ADFS and on paths without a tenant. */
  readonly lookup: TenantLookup | undefined;
  readonly form: Readonly<Record<string, string>>;
  readonly envelope: Envelope;
  /** The request's record, for the answer to fill in. */
  readonly record: MutableRecordedRequest;
}

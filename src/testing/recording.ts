/**
 * What the emulator records of every request it receives.
 *
 * @module
 */

/**
 * What a request was for.
 *
 * @example
 * ```ts
 * const discoveryCalls = emulator.requests.filter((r) => r.kind === "instance-discovery").length;
 * ```
 */
export type RequestKind =
  "token" | "openid-configuration" | "instance-discovery" | "jwks" | "other";

/**
 * One request the emulator received, recorded before it is answered; `status`, `grantedAt` and
 * `fault` are filled in when the answer is decided. Nothing is redacted: this is a test tool
 * (`reset()` drops the records).
 *
 * @example
 * ```ts
 * const [first] = emulator.tokenRequests();
 * expect(first?.form["client_assertion_type"]).toBe("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
 * expect(first?.status).toBe(200);
 * ```
 */
export interface RecordedRequest {
  /** HTTP method. */
  readonly method: string;
  /** The full URL, query included. */
  readonly url: string;
  /** `host[:port]`. */
  readonly host: string;
  /** The path, without query. */
  readonly path: string;
  /** The tenant path segment as sent (percent-decoded), `"adfs"` on ADFS, `undefined` when the path has none. */
  readonly tenant: string | undefined;
  /** The configured tenant id the segment resolved to (lower-case GUID), if any. */
  readonly tenantId: string | undefined;
  readonly kind: RequestKind;
  /** The form body (lenient parse; first value of a repeated key). Empty for other bodies. */
  readonly form: Readonly<Record<string, string>>;
  /** Request headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** The client id the request named (body `client_id`, else HTTP Basic), if any. */
  readonly clientId: string | undefined;
  /** Emulator clock (ms) when the request arrived. */
  readonly receivedAt: number;
  /** Emulator clock (ms) when a token was issued; `undefined` unless the answer was a token. */
  readonly grantedAt: number | undefined;
  /** HTTP status of the answer; `undefined` when the request got none (network fault, abort, unknown host). */
  readonly status: number | undefined;
  /** The type of the injected fault that applied (`"response"` for status faults), if any. */
  readonly fault: "response" | "body" | "error" | "delay" | "network" | undefined;
}

/** The mutable form of a record, for the emulator to fill in. */
export type MutableRecordedRequest = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] };

/**
 * The value stored in the distributed (L2) cache for one token: a small versioned JSON header,
 * a newline, then the access token as is. Every header field is checked on read, because a
 * shared store can hold stale, foreign or tampered values; the header names its own cache key,
 * so a value copied under another key (another tenant's, another client's) is refused.
 *
 * Reading runs on every L2 hit, whose budget is a tenth of one store round trip: the token stays
 * out of the JSON (parsing it would scan and copy its 1–2 KB once more) and the header is checked
 * by hand rather than through a schema library.
 *
 * @module
 */

import { isStringArray } from "../internal/guards";
import type { CachedToken } from "./cached-token";

const recordVersion = 2;
/** Between the header and the token. `JSON.stringify` never writes a raw newline, so the first one ends the header. */
const separator = "\n";

/** The header as stored: short names keep the value small. */
interface RecordHeader {
  v: typeof recordVersion;
  /** The full cache key the record was written under. */
  k: string;
  tt: string;
  exp: number;
  ext: number;
  /** `refreshOn`, or `null` for none. */
  ref: number | null;
  cat: number;
  sc: string[];
  tid: string | null;
  te: string;
}

/** Serialises a token for the L2 store, under the full cache key `key`. */
export function serializeTokenRecord(key: string, token: CachedToken): string {
  const header: RecordHeader = {
    v: recordVersion,
    k: key,
    tt: token.tokenType,
    exp: token.expiresOn,
    ext: token.extendedExpiresOn,
    ref: Number.isFinite(token.refreshOn) ? token.refreshOn : null,
    cat: token.cachedAt,
    sc: token.scopes as string[],
    tid: token.tenantId ?? null,
    te: token.tokenEndpoint,
  };
  return JSON.stringify(header) + separator + token.accessToken;
}

/**
 * Reads a record stored under the full cache key `key`.
 * @returns the token, or `undefined` when the value is not a valid record for `key`.
 */
export function parseTokenRecord(key: string, value: string): CachedToken | undefined {
  const end = value.indexOf(separator);
  if (end === -1 || end === value.length - 1) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(value.slice(0, end));
  } catch {
    return undefined;
  }
  if (!isRecordHeader(header) || header.k !== key) return undefined;
  return {
    accessToken: detachedTail(value, end + 1),
    tokenType: header.tt,
    expiresOn: header.exp,
    extendedExpiresOn: header.ext,
    refreshOn: header.ref ?? Infinity,
    cachedAt: header.cat,
    scopes: header.sc,
    tenantId: header.tid ?? undefined,
    tokenEndpoint: header.te,
  };
}

/**
 * `text.slice(start)` that does not keep `text` alive. Engines make a long slice a view of its
 * parent, so a cached token would hold the whole record for as long as it is cached. Searching
 * a concatenation makes the engine copy it into one flat string (a memcpy, unlike a JSON scan);
 * the slice of that copy shares it with one spare character only.
 */
function detachedTail(text: string, start: number): string {
  const copy = separator + text.slice(start);
  copy.indexOf("\u0000");
  return copy.slice(1);
}

function isRecordHeader(json: unknown): json is RecordHeader {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return false;
  const header = json as Record<keyof RecordHeader, unknown>;
  return (
    header.v === recordVersion &&
    typeof header.k === "string" &&
    isNonEmptyString(header.tt) &&
    Number.isFinite(header.exp) &&
    Number.isFinite(header.ext) &&
    (header.ref === null || Number.isFinite(header.ref)) &&
    Number.isFinite(header.cat) &&
    isStringArray(header.sc) &&
    (header.tid === null || typeof header.tid === "string") &&
    typeof header.te === "string"
  );
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

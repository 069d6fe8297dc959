/**
 * The value stored in the distributed (L2) cache for one token: a small versioned JSON record.
 * Read back through a valibot schema, because a shared store can hold stale, foreign or
 * tampered values; the record names its own cache key, so a value copied under another key
 * (another tenant's, another client's) is refused.
 *
 * @module
 */

import * as v from "valibot";
import type { CachedToken } from "./memory-token-cache";

const recordVersion = 1;

const recordSchema = v.object({
  v: v.literal(recordVersion),
  k: v.string(),
  at: v.pipe(v.string(), v.nonEmpty()),
  tt: v.pipe(v.string(), v.nonEmpty()),
  exp: v.pipe(v.number(), v.finite()),
  ext: v.pipe(v.number(), v.finite()),
  ref: v.nullable(v.pipe(v.number(), v.finite())),
  cat: v.pipe(v.number(), v.finite()),
  sc: v.array(v.string()),
  tid: v.nullable(v.string()),
  te: v.string(),
});

/** Serialises a token for the L2 store. */
export function serializeTokenRecord(key: string, token: CachedToken): string {
  return JSON.stringify({
    v: recordVersion,
    k: key,
    at: token.accessToken,
    tt: token.tokenType,
    exp: token.expiresOn,
    ext: token.extendedExpiresOn,
    ref: Number.isFinite(token.refreshOn) ? token.refreshOn : null,
    cat: token.cachedAt,
    sc: token.scopes,
    tid: token.tenantId ?? null,
    te: token.tokenEndpoint,
  });
}

/**
 * Reads a record stored under `key`.
 * @returns the token, or `undefined` when the value is not a valid record for `key`.
 */
export function parseTokenRecord(key: string, value: string): CachedToken | undefined {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return undefined;
  }
  const parsed = v.safeParse(recordSchema, json);
  if (!parsed.success || parsed.output.k !== key) return undefined;
  const record = parsed.output;
  return {
    accessToken: record.at,
    tokenType: record.tt,
    expiresOn: record.exp,
    extendedExpiresOn: record.ext,
    refreshOn: record.ref ?? Infinity,
    cachedAt: record.cat,
    scopes: record.sc,
    tenantId: record.tid ?? undefined,
    tokenEndpoint: record.te,
  };
}

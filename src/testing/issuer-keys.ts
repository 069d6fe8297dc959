/**
 * The signing keys of the issuers federated credentials name: OpenID Connect discovery of the
 * assertion's `iss` (`{iss without a trailing /}/.well-known/openid-configuration`, whose
 * `issuer` must be `iss` exactly), then its `jwks_uri`, both through the `fetch` of the emulator
 * options. Kept per issuer; fetched again when an assertion names a key the kept set lacks (the
 * issuer rotated its keys). Tokens the emulator issued itself are checked with its own keys.
 *
 * @module
 */

import type { JSONWebKeySet } from "jose";

/** The keys of one issuer, or why they could not be had (AADSTS50166). */
export type IssuerKeysResult =
  { readonly ok: true; readonly jwks: JSONWebKeySet } | { readonly ok: false };

const unavailable: IssuerKeysResult = { ok: false };

function isKeySet(value: unknown): value is JSONWebKeySet {
  return (
    typeof value === "object" && value !== null && Array.isArray((value as { keys?: unknown }).keys)
  );
}

/** Fetches and keeps issuers' key sets. */
export class IssuerKeys {
  readonly #fetch: typeof fetch;
  readonly #own: (issuer: string) => JSONWebKeySet | undefined;
  readonly #kept = new Map<string, JSONWebKeySet>();

  /**
   * @param fetcher what discovery and key requests go through.
   * @param own the emulator's own key set when `issuer` is one of its issuers, else `undefined`.
   */
  constructor(fetcher: typeof fetch, own: (issuer: string) => JSONWebKeySet | undefined) {
    this.#fetch = fetcher;
    this.#own = own;
  }

  /** The key set of `issuer` that has a key `keyId` if it can (fetched again when the kept one lacks it). */
  async keysFor(issuer: string, keyId: string | undefined): Promise<IssuerKeysResult> {
    const own = this.#own(issuer);
    if (own !== undefined) return { ok: true, jwks: own };
    const kept = this.#kept.get(issuer);
    if (kept !== undefined && (keyId === undefined || kept.keys.some((key) => key.kid === keyId)))
      return { ok: true, jwks: kept };
    const fetched = await this.#discover(issuer);
    if (fetched === undefined) return kept === undefined ? unavailable : { ok: true, jwks: kept };
    this.#kept.set(issuer, fetched);
    return { ok: true, jwks: fetched };
  }

  async #discover(issuer: string): Promise<JSONWebKeySet | undefined> {
    const configuration = await this.#getJson(
      `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`,
    );
    if (typeof configuration !== "object" || configuration === null) return undefined;
    const { issuer: named, jwks_uri: jwksUri } = configuration as Record<string, unknown>;
    if (named !== issuer || typeof jwksUri !== "string") return undefined;
    const jwks = await this.#getJson(jwksUri);
    return isKeySet(jwks) ? jwks : undefined;
  }

  async #getJson(url: string): Promise<unknown> {
    try {
      const response = await this.#fetch(url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) return undefined;
      return (await response.json()) as unknown;
    } catch {
      return undefined;
    }
  }
}

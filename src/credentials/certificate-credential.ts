/**
 * The certificate credential: a client assertion JWT signed with the certificate's private key
 * (`private_key_jwt`). The key is loaded and imported once; a signed assertion is reused while it
 * has more than a minute left, so most token requests sign nothing.
 *
 * @module
 */

import { randomId } from "../internal/uuid";
import type { SigningAlgorithm } from "../keys/private-key";
import { loadCertificate, type CertificateOptions, type ClientClaimsOptions } from "./certificate";
import {
  jwtBearerAssertionType,
  type ClientCredential,
  type CredentialContext,
} from "./client-credential";
import { signCompactJws } from "./jws";
import type { SigningCertificate } from "./signing-certificate";

/** A signed assertion kept for reuse. */
interface ReusableAssertion {
  readonly jwt: string;
  readonly expiresAtMs: number;
}

const assertionLifetimeSeconds = 600;
/** A kept assertion is reused only while it has more than this left. */
const assertionReuseMarginMs = 60_000;
const maxKeptAssertions = 1000;

/**
 * Creates the certificate credential. Checks the PEM and certificate structure synchronously;
 * decryption, import and the key/certificate match finish in `ready`.
 * @throws ClientError for a malformed PEM, certificate or option.
 */
export function certificateCredential(
  options: CertificateOptions,
  clientClaims?: ClientClaimsOptions,
): ClientCredential {
  const prepared = loadCertificate(options);
  const ready = prepared.then(() => undefined);
  ready.catch(() => undefined); // surfaced by every acquisition; not an unhandled rejection
  const kept = new Map<string, ReusableAssertion>();
  /** Endpoints that refused a reused assertion: they get a fresh one every time. */
  const noReuse = new Set<string>();
  /** Endpoints whose last request carried a reused assertion. */
  const sentReused = new Set<string>();

  return {
    kind: "certificate",
    ready,
    async addTo(form: URLSearchParams, context: CredentialContext) {
      const key = await prepared;
      const alg = algorithmFor(options.algorithm, key, context);
      const sendX5c = context.sendX5c ?? options.sendX5c ?? false;
      // Generic OIDC servers (oidc-provider among them) refuse a reused jti; Entra and ADFS accept it.
      const reusable = context.authorityKind !== "oidc" && !noReuse.has(context.tokenEndpoint);
      const reuseKey = `${context.tokenEndpoint}\u0000${alg}\u0000${sendX5c}`;
      let assertion = reusable ? kept.get(reuseKey) : undefined;
      if (
        assertion === undefined ||
        assertion.expiresAtMs - context.now <= assertionReuseMarginMs
      ) {
        assertion = await signAssertion(key, alg, sendX5c, context, clientClaims);
        sentReused.delete(context.tokenEndpoint);
        if (reusable) keep(kept, reuseKey, assertion);
      } else {
        sentReused.add(context.tokenEndpoint);
      }
      form.set("client_assertion_type", jwtBearerAssertionType);
      form.set("client_assertion", assertion.jwt);
    },
    rejected(tokenEndpoint: string): boolean {
      if (!sentReused.delete(tokenEndpoint)) return false;
      noReuse.add(tokenEndpoint);
      for (const reuseKey of kept.keys())
        if (reuseKey.startsWith(`${tokenEndpoint}\u0000`)) kept.delete(reuseKey);
      return true;
    },
  };
}

async function signAssertion(
  key: SigningCertificate,
  alg: SigningAlgorithm,
  sendX5c: boolean,
  context: CredentialContext,
  clientClaims: ClientClaimsOptions | undefined,
): Promise<ReusableAssertion> {
  const header: Record<string, unknown> = { alg, typ: "JWT" };
  if (context.authorityKind === "entra" && key.x5tS256 !== undefined)
    header["x5t#S256"] = key.x5tS256;
  else header["x5t"] = key.x5t;
  if (sendX5c) header["x5c"] = key.x5c;
  const now = Math.floor(context.now / 1000);
  const exp = now + assertionLifetimeSeconds;
  const defaults = {
    aud: context.tokenEndpoint,
    iss: context.clientId,
    sub: context.clientId,
    jti: randomId(),
    nbf: now,
    iat: now,
    exp,
  };
  const payload =
    clientClaims === undefined
      ? defaults
      : clientClaims.mergeWithDefaultClaims
        ? { ...defaults, ...clientClaims.claims }
        : { ...clientClaims.claims };
  const expiresAtMs = typeof payload["exp"] === "number" ? payload["exp"] * 1000 : context.now;
  return { jwt: await signCompactJws(header, payload, await key.signerFor(alg)), expiresAtMs };
}

function keep(
  kept: Map<string, ReusableAssertion>,
  key: string,
  assertion: ReusableAssertion,
): void {
  if (kept.size >= maxKeptAssertions) {
    const oldest = kept.keys().next();
    if (oldest.done !== true) kept.delete(oldest.value);
  }
  kept.set(key, assertion);
}

function algorithmFor(
  explicit: SigningAlgorithm | undefined,
  key: SigningCertificate,
  context: CredentialContext,
): SigningAlgorithm {
  if (explicit !== undefined) return explicit;
  if (key.keyType === "EC") {
    if (key.namedCurve === "P-384") return "ES384";
    if (key.namedCurve === "P-521") return "ES512";
    return "ES256";
  }
  return context.authorityKind === "entra" && key.x5tS256 !== undefined ? "PS256" : "RS256";
}

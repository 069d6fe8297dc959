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
import { RecentMap } from "./recent-map";
import type { SigningCertificate } from "./signing-certificate";

/** A signed assertion kept for reuse. */
interface ReusableAssertion {
  readonly jwt: string;
  readonly expiresAtMs: number;
}

/** What the credential remembers of one token endpoint (one per tenant, and per region). */
interface EndpointState {
  /** Signed assertions kept for reuse, by algorithm and `x5c` choice (a few at most). */
  readonly kept: Map<string, ReusableAssertion>;
  /** The endpoint refused a reused assertion: it gets a fresh one every time. */
  noReuse: boolean;
  /** The last request to the endpoint carried a reused assertion. */
  sentReused: boolean;
}

const assertionLifetimeSeconds = 600;
/** A kept assertion is reused only while it has more than this left. */
const assertionReuseMarginMs = 60_000;
/**
 * How many token endpoints a certificate credential remembers, the least recently used forgotten
 * first: about 1.5 KB each with a kept assertion (more with `x5c`), so a few MB at most however
 * many tenants pass through. A forgotten endpoint only costs a signature, and one more refused
 * request at a server that refuses reused assertions.
 */
export const maxRememberedEndpoints = 1000;

/**
 * Creates the certificate credential. Checks the PEM and certificate structure, and an unencrypted
 * key's type and size, synchronously; decryption, import and the key/certificate match finish in
 * `ready`.
 * @throws ClientError for a malformed PEM, certificate or option, or an unsupported or short key.
 */
export function certificateCredential(
  options: CertificateOptions,
  clientClaims?: ClientClaimsOptions,
): ClientCredential {
  const prepared = loadCertificate(options);
  const ready = prepared.then(() => undefined);
  ready.catch(() => undefined); // surfaced by every acquisition; not an unhandled rejection
  const endpoints = new RecentMap<string, EndpointState>(maxRememberedEndpoints);

  return {
    kind: "certificate",
    ready,
    async addTo(form: URLSearchParams, context: CredentialContext) {
      const key = await prepared;
      const alg = algorithmFor(options.algorithm, key, context);
      const sendX5c = context.sendX5c ?? options.sendX5c ?? false;
      // Generic OIDC servers (oidc-provider among them) refuse a reused jti; Entra and ADFS accept it.
      const state =
        context.authorityKind === "oidc" ? undefined : stateOf(endpoints, context.tokenEndpoint);
      const reuseKey = `${alg}\u0000${sendX5c}`;
      let assertion = state?.noReuse === false ? state.kept.get(reuseKey) : undefined;
      if (
        assertion === undefined ||
        assertion.expiresAtMs - context.now <= assertionReuseMarginMs
      ) {
        assertion = await signAssertion(key, alg, sendX5c, context, clientClaims);
        if (state !== undefined) {
          state.sentReused = false;
          if (!state.noReuse) state.kept.set(reuseKey, assertion);
        }
      } else if (state !== undefined) {
        state.sentReused = true;
      }
      form.set("client_assertion_type", jwtBearerAssertionType);
      form.set("client_assertion", assertion.jwt);
    },
    rejected(tokenEndpoint: string): boolean {
      const state = endpoints.get(tokenEndpoint);
      if (state?.sentReused !== true) return false;
      state.sentReused = false;
      state.noReuse = true;
      state.kept.clear();
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

/** The state of `endpoint`, created (as the most recent) when it is not remembered. */
function stateOf(endpoints: RecentMap<string, EndpointState>, endpoint: string): EndpointState {
  let state = endpoints.get(endpoint);
  if (state === undefined) {
    state = { kept: new Map(), noReuse: false, sentReused: false };
    endpoints.set(endpoint, state);
  }
  return state;
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

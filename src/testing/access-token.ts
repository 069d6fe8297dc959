/**
 * Access tokens the emulator issues: RS256 JWTs shaped like Entra ID v1 app-only tokens (about
 * 1.5 KB, like a Graph token), signed by a key generated when the emulator is created, or opaque
 * random strings; plus their verification for tests and APIs under test.
 *
 * @module
 */

import {
  type JWK,
  SignJWT,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  jwtVerify,
} from "jose";
import { encodeBase64, encodeBase64Url } from "../internal/base64";

/**
 * The claims of an emulator-issued JWT access token. Entra tokens carry every claim not marked
 * ADFS; ADFS tokens carry `aud`, `iss`, `iat`, `nbf`, `exp`, `appid`, `apptype` and `ver`.
 *
 * @example
 * ```ts
 * const claims: EmulatorAccessTokenClaims = await emulator.verifyAccessToken(result.accessToken);
 * claims.tid;      // "72f988bf-86f1-41af-91ab-2d7cd011db47"
 * claims.appidacr; // "2" when the client authenticated with a certificate
 * ```
 */
export interface EmulatorAccessTokenClaims {
  /** The resource (scope without `/.default`), as requested. */
  readonly aud: string;
  /**
   * `https://sts.windows.net/{tid}/`; for the token exchange audience (v2.0 tokens)
   * `https://login.microsoftonline.com/{tid}/v2.0` (the cloud's host); ADFS:
   * `http://{host}/adfs/services/trust`.
   */
  readonly iss: string;
  /** Issue time (seconds), 5 minutes before the request, as Entra back-dates it. */
  readonly iat: number;
  /** Equal to `iat`. */
  readonly nbf: number;
  /** Request time + `tokenLifetimeSeconds`. */
  readonly exp: number;
  /** The client id (v1.0 tokens). */
  readonly appid?: string;
  /** Entra v1.0: `"1"` for a client secret, `"2"` for a certificate or federated assertion. */
  readonly appidacr?: "1" | "2";
  /** Authentication contexts the token request's `claims` asked for (`access_token.acrs`). */
  readonly acrs?: readonly string[];
  /** Entra v2.0 (token exchange audience): the client id. */
  readonly azp?: string;
  /** Entra v2.0: as `appidacr`. */
  readonly azpacr?: "1" | "2";
  /** Entra: opaque session data. */
  readonly aio?: string;
  /** Entra: the app's `displayName`, when configured. */
  readonly app_displayname?: string;
  /** Entra: the identity provider, equal to `iss`. */
  readonly idp?: string;
  /** Entra: always `"app"`. */
  readonly idtyp?: "app";
  /** Entra: the object id of the app's service principal in the tenant. */
  readonly oid?: string;
  /** Entra: opaque refresh data. */
  readonly rh?: string;
  /** Entra: application permissions (the app's `roles`), absent when none. */
  readonly roles?: readonly string[];
  /** Entra: equal to `oid`. */
  readonly sub?: string;
  /** Entra: the tenant id (a GUID even when the request named a domain). */
  readonly tid?: string;
  /** Entra: a unique token id. */
  readonly uti?: string;
  /** Entra: `"7 24"`-style relation flags of app tokens. */
  readonly xms_idrel?: string;
  /**
   * Entra: the client capabilities the request's `claims` declared
   * (`{"access_token":{"xms_cc":{"values":["cp1"]}}}`), as Entra puts them in tokens of
   * CAE-capable clients; absent when none were declared.
   */
  readonly xms_cc?: readonly string[];
  /** ADFS: always `"Confidential"`. */
  readonly apptype?: "Confidential";
  /** `"1.0"`, or `"2.0"` for tokens of the token exchange audience. */
  readonly ver: "1.0" | "2.0";
}

/**
 * Options of `verifyAccessToken`.
 *
 * @example
 * ```ts
 * await emulator.verifyAccessToken(token, { audience: "https://graph.microsoft.com", tenantId });
 * ```
 */
export interface VerifyAccessTokenOptions {
  /** Required `aud`. */
  readonly audience?: string;
  /** Required `tid` (case-insensitive). */
  readonly tenantId?: string;
}

/**
 * The public signing keys of the emulator, in the shape of Entra's `discovery/v2.0/keys`.
 *
 * @example
 * ```ts
 * const jwks = createLocalJWKSet(emulator.publicJwks); // jose
 * ```
 */
export interface EmulatorJwks {
  readonly keys: readonly JWK[];
}

/** What one successful token request grants. */
export interface TokenGrant {
  readonly resource: string;
  readonly clientId: string;
  readonly issuer: string;
  /** `"2.0"` for the v2.0 shape (`azp`/`azpacr` for `appid`/`appidacr`). Default `"1.0"`. */
  readonly version?: "1.0" | "2.0";
  readonly displayName: string | undefined;
  readonly roles: readonly string[];
  /** Authentication contexts the request's `claims` asked for (`acrs`), if any. */
  readonly acrs?: readonly string[];
  /** Client capabilities declared in the request's `claims` (`xms_cc`), if any. */
  readonly capabilities?: readonly string[];
  /** Absent for ADFS. */
  readonly entra?: {
    readonly tenantId: string;
    readonly servicePrincipalId: string;
    readonly appidacr: "1" | "2";
  };
}

function randomBytes(count: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(count));
}

function randomText(bytes: number): string {
  return encodeBase64Url(randomBytes(bytes));
}

/** Issues and verifies access tokens. */
export class AccessTokenIssuer {
  /** The JWKS of the signing key. */
  readonly jwks: EmulatorJwks;
  readonly #format: "jwt" | "opaque";
  readonly #privateKey: CryptoKey;
  readonly #publicKey: CryptoKey;
  readonly #kid: string;

  private constructor(
    format: "jwt" | "opaque",
    privateKey: CryptoKey,
    publicKey: CryptoKey,
    jwk: JWK,
    kid: string,
  ) {
    this.#format = format;
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
    this.#kid = kid;
    this.jwks = { keys: [{ ...jwk, kid, use: "sig", alg: "RS256" }] };
  }

  /** Generates the RSA-2048 signing key (also for `"opaque"`, so `publicJwks` is never empty). */
  static async create(format: "jwt" | "opaque"): Promise<AccessTokenIssuer> {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    const { kty, n, e } = await exportJWK(publicKey);
    const jwk = { kty, n, e } as JWK;
    const kid = await calculateJwkThumbprint(jwk);
    return new AccessTokenIssuer(format, privateKey, publicKey, jwk, kid);
  }

  /** Issues a token for `grant` at `nowMs`, valid `lifetimeSeconds`. */
  async issue(grant: TokenGrant, nowMs: number, lifetimeSeconds: number): Promise<string> {
    // About the size of a Graph app token (2 KB), so memory measurements stay realistic.
    if (this.#format === "opaque") return randomText(1536);
    const now = Math.floor(nowMs / 1000);
    const issuedAt = now - 300;
    const claims: Record<string, unknown> = {
      aud: grant.resource,
      iss: grant.issuer,
      iat: issuedAt,
      nbf: issuedAt,
      exp: now + lifetimeSeconds,
      ...(grant.acrs === undefined ? {} : { acrs: grant.acrs }),
    };
    if (grant.entra) {
      const { tenantId, servicePrincipalId, appidacr } = grant.entra;
      const v2 = grant.version === "2.0";
      Object.assign(claims, {
        aio: encodeBase64(randomBytes(85)),
        ...(grant.displayName === undefined ? {} : { app_displayname: grant.displayName }),
        ...(v2 ? { azp: grant.clientId, azpacr: appidacr } : { appid: grant.clientId, appidacr }),
        idp: grant.issuer,
        idtyp: "app",
        oid: servicePrincipalId,
        rh: `0.A${randomText(48)}.`,
        ...(grant.roles.length === 0 ? {} : { roles: grant.roles }),
        sub: servicePrincipalId,
        tid: tenantId,
        uti: randomText(16),
        ver: v2 ? "2.0" : "1.0",
        xms_idrel: "7 24",
        ...(grant.capabilities === undefined ? {} : { xms_cc: grant.capabilities }),
      });
    } else {
      Object.assign(claims, { apptype: "Confidential", appid: grant.clientId, ver: "1.0" });
    }
    return new SignJWT(claims)
      .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: this.#kid })
      .sign(this.#privateKey);
  }

  /**
   * Verifies a JWT issued by this emulator: signature, `nbf`/`exp` against `nowMs` (no
   * tolerance), `iss` among `issuers`, and `options`. Rejects with jose's errors, or an `Error`
   * for opaque tokens and a `tid` mismatch.
   */
  async verify(
    token: string,
    nowMs: number,
    issuers: readonly string[],
    options: VerifyAccessTokenOptions,
  ): Promise<EmulatorAccessTokenClaims> {
    if (this.#format === "opaque") throw new Error("opaque access tokens cannot be verified");
    const { payload } = await jwtVerify(token, this.#publicKey, {
      algorithms: ["RS256"],
      currentDate: new Date(nowMs),
      issuer: [...issuers],
      ...(options.audience === undefined ? {} : { audience: options.audience }),
    });
    if (
      options.tenantId !== undefined &&
      String(payload["tid"]).toLowerCase() !== options.tenantId.toLowerCase()
    ) {
      throw new Error(
        `access token 'tid' is '${String(payload["tid"])}', expected '${options.tenantId}'`,
      );
    }
    return payload as unknown as EmulatorAccessTokenClaims;
  }
}

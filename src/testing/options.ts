/**
 * The options of `createEntraEmulator`: the tenants, app registrations and resources the
 * emulated directory holds, and how it issues tokens and checks assertions.
 *
 * @module
 */

/**
 * A tenant of the emulated directory.
 *
 * @example
 * ```ts
 * const tenant: EmulatorTenant = {
 *   id: "72f988bf-86f1-41af-91ab-2d7cd011db47",
 *   domains: ["contoso.onmicrosoft.com", "contoso.com"],
 *   displayName: "Contoso",
 * };
 * ```
 */
export interface EmulatorTenant {
  /** The tenant id (a GUID). Requests may name it in any case. */
  readonly id: string;
  /** Verified domains: `/{domain}/oauth2/v2.0/token` resolves to this tenant (case-insensitive). */
  readonly domains?: readonly string[];
  /** The directory name used in error texts (AADSTS700016, 500011). Default: the first domain, else the id. */
  readonly displayName?: string;
}

/**
 * A federated identity credential of an app registration: the app accepts, as its client
 * assertion, a token of `issuer` whose `sub` is `subject` and whose `aud` holds one of
 * `audiences`, signed by a key of the issuer's JWKS (found through OpenID Connect discovery of
 * `issuer`, with the emulator's `fetch`).
 *
 * @example
 * ```ts
 * const credential: EmulatorFederatedCredential = {
 *   issuer: "https://token.actions.githubusercontent.com",
 *   subject: "repo:contoso/api:environment:production",
 * };
 * ```
 */
export interface EmulatorFederatedCredential {
  /** The token's `iss`, compared exactly (a trailing `/` matters). */
  readonly issuer: string;
  /** The token's `sub`, compared exactly (case included). */
  readonly subject: string;
  /**
   * Accepted `aud` values. Default: the token exchange audience of the cloud the token request
   * is sent to (`api://AzureADTokenExchange`; `…USGov` on Azure Government hosts, `…China` on
   * Azure China hosts).
   */
  readonly audiences?: readonly string[];
}

/**
 * An app registration (and its service principals).
 *
 * @example
 * ```ts
 * const app: EmulatorApp = {
 *   clientId: "11111111-2222-3333-4444-555555555555",
 *   secrets: ["s3cret"],
 *   certificates: [certificatePem],
 *   tenants: ["72f988bf-86f1-41af-91ab-2d7cd011db47"],
 *   displayName: "Contoso daemon",
 *   roles: ["User.Read.All"],
 * };
 * ```
 */
export interface EmulatorApp {
  /** The application (client) id, a GUID. */
  readonly clientId: string;
  /** Client secrets, compared exactly. */
  readonly secrets?: readonly string[];
  /**
   * Certificates (PEM; the first `CERTIFICATE` block is the leaf) whose keys may sign client
   * assertions. RSA only, at least 2048 bits; the key credential is valid from the
   * certificate's `notBefore` to its `notAfter`. `addCertificate` and `removeCertificate` of
   * the emulator change them at run time (a rotation).
   */
  readonly certificates?: readonly string[];
  /**
   * Federated identity credentials (at most 20, as on Entra ID). An app may have these and no
   * secret or certificate at all.
   */
  readonly federatedCredentials?: readonly EmulatorFederatedCredential[];
  /**
   * The object id of the app's service principal (the `oid` and `sub` of its tokens) in every
   * tenant, e.g. to name it as the subject of another app's federated credential. Default: a
   * GUID derived from the client id and the tenant (the same in every emulator instance).
   */
  readonly servicePrincipalId?: string;
  /** Tenant ids where the app has a service principal. Default: every configured tenant. */
  readonly tenants?: readonly string[];
  /** `app_displayname` of issued tokens. */
  readonly displayName?: string;
  /** Application permissions granted: the `roles` claim of issued tokens (omitted when empty). */
  readonly roles?: readonly string[];
}

/**
 * An ADFS server the emulator also plays (docs/protocol.md §8): `POST /adfs/oauth2/token`,
 * `GET /adfs/.well-known/openid-configuration` and `GET /adfs/discovery/keys` on `host`.
 *
 * @example
 * ```ts
 * const adfs: EmulatorAdfsOptions = { host: "adfs.contoso.com", apps: ["11111111-2222-3333-4444-555555555555"] };
 * ```
 */
export interface EmulatorAdfsOptions {
  /** Host (and port, if any) of the ADFS farm, e.g. `adfs.contoso.com`. */
  readonly host: string;
  /** Client ids registered on the ADFS server. Default: every configured app. */
  readonly apps?: readonly string[];
}

/**
 * Options of `createEntraEmulator`.
 *
 * @example
 * ```ts
 * const options: EntraEmulatorOptions = {
 *   tenants: [{ id: "72f988bf-86f1-41af-91ab-2d7cd011db47", domains: ["contoso.onmicrosoft.com"] }],
 *   apps: [{ clientId: "11111111-2222-3333-4444-555555555555", secrets: ["s3cret"] }],
 *   resources: ["https://graph.microsoft.com"],
 *   now: () => fakeClock.now(),
 * };
 * ```
 */
export interface EntraEmulatorOptions {
  /** Tenants of the directory: objects, or bare tenant ids. */
  readonly tenants: readonly (EmulatorTenant | string)[];
  /** App registrations. */
  readonly apps: readonly EmulatorApp[];
  /**
   * Resources (application ID URIs or app ids) tokens can be issued for; any other resource gets
   * AADSTS500011. Compared case-insensitively, ignoring one trailing `/`. Default: any resource.
   */
  readonly resources?: readonly string[];
  /** `expires_in` of issued tokens, in seconds. Default `3599`. */
  readonly tokenLifetimeSeconds?: number;
  /** `ext_expires_in`, in seconds. Default: `tokenLifetimeSeconds`. */
  readonly extExpiresInSeconds?: number;
  /** When set, token responses carry `refresh_in` with this many seconds. Default: not sent. */
  readonly refreshInSeconds?: number;
  /** The emulator's clock, ms since the epoch: token times, assertion checks, error timestamps. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * What to do with a client assertion whose `jti` was already accepted for the same client and
   * whose `exp` (plus clock skew) has not passed: `"reject"` (AADSTS50013, the default) or
   * `"allow"` (what the service is observed to do for clients that reuse one assertion until it
   * expires, as msal-node does).
   */
  readonly jtiReplay?: "reject" | "allow";
  /** Tolerance on assertion `nbf`/`exp`, in seconds. Default `300`. */
  readonly clockSkewSeconds?: number;
  /**
   * `"jwt"` (default): RS256 JWTs in the shape of Entra v1 app tokens, signed by a key the
   * emulator generates at creation (see `publicJwks`). `"opaque"`: random 2,048-character
   * strings (the size of a Graph token, without the signing cost), for soak tests;
   * `verifyAccessToken` cannot check them.
   */
  readonly accessTokenFormat?: "jwt" | "opaque";
  /** Also play an ADFS server. */
  readonly adfs?: EmulatorAdfsOptions;
  /**
   * The `fetch` that reaches the issuers of federated credentials (OpenID configuration and
   * keys). Default: the global `fetch`. Tokens the emulator issued itself are checked with its
   * own keys, without a request.
   */
  readonly fetch?: typeof fetch;
}

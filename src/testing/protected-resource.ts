/**
 * A protected resource (an API) that accepts the emulator's access tokens: for testing code that
 * calls APIs with them, e.g. `createAuthorizedFetch`. It answers 401 with the challenges a real
 * resource sends: `error="invalid_token"` for a revoked token, and a claims challenge
 * (`error="insufficient_claims"`, base64 claims) when it requires an authentication context the
 * token does not carry.
 *
 * @module
 */

import { encodeBase64 } from "../internal/base64";
import type { EmulatorAccessTokenClaims, VerifyAccessTokenOptions } from "./access-token";

/**
 * What a {@link ProtectedResource} received, in order.
 *
 * @example
 * ```ts
 * const statuses = api.requests.map((request: ProtectedResourceRequest) => request.status); // e.g. [200, 401, 200]
 * ```
 */
export interface ProtectedResourceRequest {
  readonly method: string;
  readonly url: string;
  /** The body as text. */
  readonly body: string;
  /** The bearer token sent, if any. */
  readonly token: string | undefined;
  /** The answer's status. */
  readonly status: number;
}

/**
 * A resource API made by {@link createProtectedResource}.
 *
 * @example
 * ```ts
 * const api = createProtectedResource(emulator, { audience: "https://graph.microsoft.com" });
 * api.revoke(result.accessToken);
 * (await api.fetch("https://graph.microsoft.com/v1.0/me", { headers: { authorization: `Bearer ${result.accessToken}` } })).status; // 401
 * ```
 */
export interface ProtectedResource {
  /**
   * Answers any URL: 401 without a valid bearer token (or with a revoked one, or without the
   * required authentication context), otherwise 200 with JSON `{ method, path, body, appid, acrs }`.
   * `GET /redirect?to=<url>` answers 307 to `to`.
   */
  readonly fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
  /** Every request, oldest first (a live array). */
  readonly requests: readonly ProtectedResourceRequest[];
  /** Rejects this token from now on with `error="invalid_token"`. */
  revoke(token: string): void;
  /** Requires tokens to carry the authentication context `id` in `acrs` (`undefined`: none). */
  requireAuthenticationContext(id: string | undefined): void;
}

/**
 * The token checks a resource needs: the emulator's `verifyAccessToken`.
 *
 * @example
 * ```ts
 * const verifier: AccessTokenVerifier = await createEntraEmulator({ tenants: [tenantId], apps: [{ clientId, secrets: ["s"] }] });
 * ```
 */
export interface AccessTokenVerifier {
  /** Resolves with the token's claims when it is valid, rejects otherwise. */
  verifyAccessToken(
    token: string,
    options?: VerifyAccessTokenOptions,
  ): Promise<EmulatorAccessTokenClaims>;
}

/**
 * Creates a resource API that accepts tokens `emulator` issued (for `options.audience`, when given).
 *
 * @example
 * ```ts
 * const api = createProtectedResource(emulator);
 * const graph = createAuthorizedFetch(app, { scopes: ["https://graph.microsoft.com/.default"], fetch: api.fetch });
 * ```
 */
export function createProtectedResource(
  emulator: AccessTokenVerifier,
  options: VerifyAccessTokenOptions = {},
): ProtectedResource {
  const requests: ProtectedResourceRequest[] = [];
  const revoked = new Set<string>();
  let requiredContext: string | undefined;

  const answer = async (
    request: Request,
    body: string,
    token: string | undefined,
  ): Promise<Response> => {
    const url = new URL(request.url);
    if (token === undefined) return unauthorized('Bearer realm=""');
    if (revoked.has(token))
      return unauthorized(
        'Bearer realm="", error="invalid_token", error_description="The token was revoked"',
      );
    let claims: EmulatorAccessTokenClaims;
    try {
      claims = await emulator.verifyAccessToken(token, options);
    } catch {
      return unauthorized('Bearer realm="", error="invalid_token"');
    }
    if (requiredContext !== undefined && !(claims.acrs ?? []).includes(requiredContext)) {
      const challenge = JSON.stringify({
        access_token: { acrs: { essential: true, value: requiredContext } },
      });
      const encoded = encodeBase64(new TextEncoder().encode(challenge));
      return unauthorized(`Bearer realm="", error="insufficient_claims", claims="${encoded}"`);
    }
    const to = url.searchParams.get("to");
    if (url.pathname === "/redirect" && to !== null)
      return new Response(null, { status: 307, headers: { location: to } });
    return Response.json({
      method: request.method,
      path: url.pathname,
      body,
      appid: claims.appid,
      acrs: claims.acrs ?? [],
    });
  };

  return {
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const body = await request.text();
      const token = /^Bearer (.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
      const response = await answer(request, body, token);
      requests.push({
        method: request.method,
        url: request.url,
        body,
        token,
        status: response.status,
      });
      return response;
    },
    requests,
    revoke: (token) => void revoked.add(token),
    requireAuthenticationContext: (id) => {
      requiredContext = id;
    },
  };
}

function unauthorized(challenge: string): Response {
  return new Response(null, { status: 401, headers: { "www-authenticate": challenge } });
}

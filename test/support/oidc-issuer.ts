/**
 * A local OpenID Connect issuer on loopback for federation tests: its own RSA key, a discovery
 * document at `{issuer}/.well-known/openid-configuration` and its JWKS, plus a GitHub Actions
 * style token service (`GET /actions/token?api-version=2.0&audience=…` with a bearer, answered
 * `{ "value": "<jwt>" }`). It mints the external tokens the tests hand to the helpers.
 *
 * @example
 * ```ts
 * const issuer = await startOidcIssuer();
 * const token = await issuer.mint({ sub: "system:serviceaccount:default:api" });
 * await issuer.stop();
 * ```
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from "jose";

/** What a minted token says. */
export interface MintOptions {
  /** Default `system:serviceaccount:default:workload`. */
  readonly sub?: string;
  /** Default `api://AzureADTokenExchange`. */
  readonly aud?: string | readonly string[];
  /** Seconds from now to `exp` (negative: already expired). Default 3600. */
  readonly lifetimeSeconds?: number;
  /** `nbf` in seconds from now. Default: none. */
  readonly notBeforeSeconds?: number;
  /** Another `iss` than the issuer's own. */
  readonly iss?: string;
  /** Another `kid` than the key's own. */
  readonly kid?: string;
}

/** One request the Actions token service received. */
export interface ActionsRequest {
  readonly authorization: string | undefined;
  readonly apiVersion: string | null;
  readonly audience: string | null;
}

/** A running issuer. */
export interface OidcIssuer {
  /** `http://127.0.0.1:<port>` (no trailing slash): the `iss` of its tokens. */
  readonly issuer: string;
  /** `ACTIONS_ID_TOKEN_REQUEST_URL` of its Actions token service (with `api-version=2.0`). */
  readonly actionsUrl: string;
  /** The bearer the Actions token service accepts (`ACTIONS_ID_TOKEN_REQUEST_TOKEN`). */
  readonly actionsBearer: string;
  /** Requests to the Actions token service, oldest first. */
  readonly actionsRequests: ActionsRequest[];
  /** Discovery and JWKS requests, as paths. */
  readonly metadataRequests: string[];
  /** Options of the next Actions tokens (their `aud` is the audience asked for). */
  actionsMint: Omit<MintOptions, "aud">;
  /** A signed token. */
  mint(options?: MintOptions): Promise<string>;
  /** Stops the server. */
  stop(): Promise<void>;
}

/** Starts an issuer on a free loopback port. */
export async function startOidcIssuer(): Promise<OidcIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const actionsBearer = `actions-bearer-${crypto.randomUUID()}`;
  const actionsRequests: ActionsRequest[] = [];
  const metadataRequests: string[] = [];
  let issuer = "";

  const mint = (options: MintOptions = {}): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: options.iss ?? issuer,
      sub: options.sub ?? "system:serviceaccount:default:workload",
      aud: options.aud ?? "api://AzureADTokenExchange",
      iat: now,
      exp: now + (options.lifetimeSeconds ?? 3600),
      jti: crypto.randomUUID(),
    };
    if (options.notBeforeSeconds !== undefined) claims["nbf"] = now + options.notBeforeSeconds;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: options.kid ?? kid })
      .sign(privateKey);
  };

  const json = (response: ServerResponse, status: number, body: unknown): void => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", issuer);
    if (url.pathname === "/.well-known/openid-configuration") {
      metadataRequests.push(url.pathname);
      return json(response, 200, {
        issuer,
        jwks_uri: `${issuer}/keys`,
        response_types_supported: ["id_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
      });
    }
    if (url.pathname === "/keys") {
      metadataRequests.push(url.pathname);
      return json(response, 200, { keys: [{ ...jwk, kid, use: "sig", alg: "RS256" }] });
    }
    if (url.pathname === "/actions/token") {
      const authorization = request.headers.authorization;
      const audience = url.searchParams.get("audience");
      actionsRequests.push({
        authorization,
        apiVersion: url.searchParams.get("api-version"),
        audience,
      });
      if (authorization !== `Bearer ${actionsBearer}`)
        return json(response, 401, { message: "Bad credentials" });
      if (url.searchParams.get("api-version") !== "2.0" || audience === null)
        return json(response, 400, { message: "bad request" });
      return json(response, 200, {
        count: 1,
        value: await mint({ ...state.actionsMint, aud: audience }),
      });
    }
    json(response, 404, { message: "not found" });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => json(response, 500, { message: "issuer failed" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state: OidcIssuer = {
    issuer,
    actionsUrl: `${issuer}/actions/token?api-version=2.0`,
    actionsBearer,
    actionsRequests,
    metadataRequests,
    actionsMint: {},
    mint,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}

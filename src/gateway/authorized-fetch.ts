/**
 * `createAuthorizedFetch`: a `fetch` for gateways that call an API with the application's token,
 * and get a new token once when the API rejects the one they sent.
 *
 * @module
 */

import type { ConfidentialClientApplication } from "../application";
import { ClientError } from "../errors";
import { isLoopbackHostname } from "../internal/loopback";
import type { AcquireTokenForClientOptions } from "../options";
import { retryOptionsOf401 } from "./retry-challenge";
import { sendWithToken } from "./send-with-token";

/**
 * Options of {@link createAuthorizedFetch}.
 *
 * @example
 * ```ts
 * const options: AuthorizedFetchOptions = { scopes: ["https://management.azure.com/.default"], tenantId };
 * ```
 */
export interface AuthorizedFetchOptions {
  /** The scopes of the API's token, e.g. `["https://graph.microsoft.com/.default"]`. */
  readonly scopes: readonly string[];
  /** The tenant to get tokens for. Default: the application's. */
  readonly tenantId?: string;
  /** The `fetch` that calls the API. Default: the global `fetch`, looked up at each call. */
  readonly fetch?: (input: Request) => Promise<Response>;
}

/**
 * A `fetch` with the standard signature that sends the application's token.
 *
 * @example
 * ```ts
 * const arm: AuthorizedFetch = createAuthorizedFetch(app, { scopes: ["https://management.azure.com/.default"], tenantId });
 * const subscriptions = await arm("https://management.azure.com/subscriptions?api-version=2022-12-01");
 * ```
 */
export type AuthorizedFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * Returns a `fetch` that adds `Authorization: Bearer <token>` (the application's token for
 * `options.scopes`, from its cache when it can) to every request. A request that already has an
 * `Authorization` header is refused with a `ClientError` (`invalid_fetch_request`): one header
 * would have to be dropped, and silently sending the wrong credential is worse than failing.
 *
 * When the API answers 401, the request is sent once more with a new token:
 * - a claims challenge (`WWW-Authenticate: Bearer …, error="insufficient_claims", claims="<base64>"`)
 *   gets a token acquired with those claims (merged with the client capabilities);
 * - `error="invalid_token"` (a revoked token, or one signed by a rotated key) gets a token acquired
 *   with `accessTokenSha256ToRefresh` of the rejected one: with a shared L2 cache, instances that
 *   see the same rejection make one token request between them.
 *
 * Any other answer, and the answer to the retry, is returned as it is. Bodies are replayed intact:
 * the body of the request (a string, bytes, a `Blob`, `URLSearchParams`, `FormData`, or a `Request`
 * holding one) is read into memory once. A `ReadableStream` passed as `init.body` is sent as it
 * is, once: its request is not retried.
 *
 * Redirects (with the default `redirect: "follow"`) are followed here: the token goes along to the
 * same origin only, and a redirect to another origin is followed without it.
 *
 * @example
 * ```ts
 * const graph = createAuthorizedFetch(app, { scopes: ["https://graph.microsoft.com/.default"], tenantId });
 * const users = await (await graph("https://graph.microsoft.com/v1.0/users")).json();
 * ```
 */
export function createAuthorizedFetch(
  app: ConfidentialClientApplication,
  options: AuthorizedFetchOptions,
): AuthorizedFetch {
  if (typeof app?.acquireTokenForClient !== "function")
    throw new ClientError(
      "invalid_configuration",
      "createAuthorizedFetch needs an application: pass the result of ConfidentialClientApplicationBuilder.build().",
    );
  if (typeof options !== "object" || options === null || !Array.isArray(options.scopes))
    throw new ClientError(
      "invalid_configuration",
      'createAuthorizedFetch needs { scopes }, e.g. { scopes: ["https://graph.microsoft.com/.default"] }.',
    );
  const { scopes, tenantId } = options;
  const send = options.fetch ?? ((request: Request) => fetch(request));

  return async (input, init) => {
    const request = requestOf(input, init);
    const streamed = typeof ReadableStream !== "undefined" && init?.body instanceof ReadableStream;
    const body =
      streamed || request.body === null ? undefined : await request.clone().arrayBuffer();
    const attempt = async (extra: AcquireTokenForClientOptions) => {
      const { accessToken } = await app.acquireTokenForClient(scopes, {
        ...(tenantId === undefined ? {} : { tenantId }),
        signal: request.signal,
        ...extra,
      });
      return { accessToken, response: await sendWithToken({ send, body }, request, accessToken) };
    };

    const first = await attempt({});
    if (first.response.status !== 401 || streamed) return first.response;
    const retry = await retryOptionsOf401(first.response, first.accessToken);
    if (retry === undefined) return first.response;
    await first.response.body?.cancel().catch(() => undefined);
    return (await attempt(retry)).response;
  };
}

/** The caller's request, or a `ClientError` naming what is wrong with it. */
function requestOf(input: RequestInfo | URL, init: RequestInit | undefined): Request {
  let request: Request;
  try {
    request = new Request(input, init);
  } catch (error) {
    throw new ClientError(
      "invalid_fetch_request",
      `The request could not be built (${error instanceof Error ? error.name : "error"}): check its URL, method and body (a used body cannot be sent).`,
    );
  }
  const url = new URL(request.url);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHostname(url.hostname)))
    throw new ClientError(
      "invalid_fetch_request",
      `The request to ${url.origin} must use https: a token is sent over plain http only to loopback hosts.`,
    );
  if (request.headers.has("authorization"))
    throw new ClientError(
      "invalid_fetch_request",
      "The request already has an Authorization header; the authorized fetch sets its own. Remove it, or call plain fetch for this request.",
    );
  return request;
}

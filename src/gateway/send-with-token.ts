/**
 * Sends a request with a bearer token, following redirects itself so that the token only ever goes
 * to the origin the caller named: a redirect to another origin is followed without it.
 *
 * @module
 */

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;
const BODY_HEADERS = [
  "content-type",
  "content-length",
  "content-encoding",
  "content-language",
  "content-location",
];

/** How a request goes out: the `fetch` to use, and the body buffered for replay (if it could be). */
export interface Sender {
  readonly send: (request: Request) => Promise<Response>;
  /** The body's bytes, or `undefined` for no body or a stream that is sent once as it is. */
  readonly body: ArrayBuffer | undefined;
}

/**
 * Sends `request` with `Authorization: Bearer <token>`. With the caller's `redirect: "follow"`
 * (the default), same-origin redirects keep the token and a redirect elsewhere is sent on without
 * it (as the Fetch standard does for cross-origin redirects, which not every runtime implements).
 */
export async function sendWithToken(
  { send, body }: Sender,
  request: Request,
  token: string,
): Promise<Response> {
  const origin = new URL(request.url).origin;
  const authorized = new Headers(request.headers);
  authorized.set("authorization", `Bearer ${token}`);
  const follow = request.redirect === "follow";
  const redirect = follow ? "manual" : request.redirect;
  let response = await send(
    new Request(
      request,
      body === undefined
        ? { headers: authorized, redirect }
        : { headers: authorized, body, redirect },
    ),
  );
  if (!follow) return response;

  let method = request.method;
  let payload = body;
  let headers = authorized;
  let current = request.url;
  for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
    const location = response.headers.get("location");
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
    const status = response.status;
    if (
      status === 303 ? method !== "HEAD" : (status === 301 || status === 302) && method === "POST"
    ) {
      method = "GET";
      payload = undefined;
      headers = new Headers(headers);
      for (const name of BODY_HEADERS) headers.delete(name);
    } else if (request.body !== null && payload === undefined && method !== "GET") {
      return response; // a streamed body cannot be sent a second time
    }
    const target = new URL(location, current);
    current = target.href;
    const sameOrigin = target.origin === origin;
    if (!sameOrigin) {
      headers = new Headers(headers);
      headers.delete("authorization");
    }
    await response.body?.cancel().catch(() => undefined);
    response = await send(
      new Request(target, {
        method,
        headers,
        signal: request.signal,
        redirect: sameOrigin ? "manual" : "follow",
        ...(payload === undefined ? {} : { body: payload }),
      }),
    );
    if (!sameOrigin) return response;
  }
  return response;
}

// Answers and credentials that misbehave at the wire layer: an oversized token response (with or
// without content-length) is an invalid response that is neither cached nor read past 1 MiB; a
// token of another type or with CR/LF is never cached; a remote signer or an assertion callback
// that throws is a ClientError whose message does not quote the thrower.
import { describe, expect, it } from "vitest";
import {
  ClientError,
  ConfidentialClientApplication,
  ServiceError,
  TokenSource,
} from "../../src/index";
import {
  clientId,
  failureOf,
  graph,
  keys,
  makeApp,
  now,
  tenantA,
  tokenBody,
  useEmulator,
} from "./helpers";

const env = useEmulator();
const thrownText = "Sup3r-S3cret-text-from-the-thrower_42";

/** The emulator's fetch, with token answers replaced by `answer()` while `armed`. */
function replacing(answer: () => Response) {
  const state = { armed: true, replaced: 0 };
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (state.armed && String(input).includes("/oauth2/v2.0/token")) {
      state.replaced++;
      return answer();
    }
    return env.entra.fetch(input, init);
  }) as typeof fetch;
  return { state, fetcher };
}

describe("oversized token responses", () => {
  it("a 5 MB token (emulator body fault): invalid_token_response, nothing cached, the next acquisition asks again", async () => {
    const { entra } = env;
    const app = makeApp(entra);
    entra.injectFault({ type: "body", body: tokenBody({ access_token: "x".repeat(5_000_000) }) });
    const error = await failureOf(app.acquireTokenForClient(graph));
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ code: "invalid_token_response", status: 200 });
    const next = await app.acquireTokenForClient(graph);
    expect(next.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(next.accessToken.length).toBeLessThan(10_000);
    expect(entra.tokenRequests()).toHaveLength(2);
  });

  it("an endless body without content-length is cancelled past the cap", async () => {
    const stream = { pulled: 0, cancelled: false };
    const { state, fetcher } = replacing(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              stream.pulled++;
              controller.enqueue(new TextEncoder().encode('{"access_token":"'.padEnd(65536, "a")));
            },
            cancel() {
              stream.cancelled = true;
            },
          }),
          { status: 200, headers: { "content-type": "application/json" } },
        ),
    );
    const app = makeApp(env.entra, { fetch: fetcher });
    await expect(app.acquireTokenForClient(graph)).rejects.toMatchObject({
      code: "invalid_token_response",
    });
    expect(stream.cancelled).toBe(true);
    expect(stream.pulled).toBeLessThan(24);
    state.armed = false;
    await expect(app.acquireTokenForClient(graph)).resolves.toMatchObject({
      authenticationResultMetadata: { tokenSource: TokenSource.IdentityProvider },
    });
  });
});

describe("token type and header safety", () => {
  it.each([
    ["token_type pop", { token_type: "pop" }],
    ["token_type N_A", { token_type: "N_A" }],
    ["CRLF in access_token", { access_token: "eyJ.a\r\nX-Injected: 1" }],
    ["LF in token_type", { token_type: "Bearer\n" }],
  ])("%s: invalid_token_response, never cached under the bearer key", async (_name, fields) => {
    const { entra } = env;
    const app = makeApp(entra);
    entra.injectFault({ type: "body", body: tokenBody(fields) });
    await expect(app.acquireTokenForClient(graph)).rejects.toMatchObject({
      name: "ServiceError",
      code: "invalid_token_response",
    });
    const next = await app.acquireTokenForClient(graph);
    expect(next.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(next.tokenType).toBe("Bearer");
    expect(entra.tokenRequests()).toHaveLength(2);
  });
});

describe("credentials that throw", () => {
  const certificate = keys("rsa.crt.pem");
  const signerApp = (sign: (data: Uint8Array) => Promise<Uint8Array>) =>
    new ConfidentialClientApplication({
      clientId,
      tenantId: tenantA,
      certificate: { sign, certificate },
      fetch: env.entra.fetch,
      now,
      memoryCache: { shared: false },
      retry: { delayMs: 10 },
    });

  it.each<[string, (data: Uint8Array) => Promise<Uint8Array>]>([
    ["rejects", () => Promise.reject(new Error(`KMS refused: ${thrownText}`))],
    [
      "throws synchronously",
      () => {
        throw new TypeError(`HSM session closed: ${thrownText}`);
      },
    ],
    ["returns nothing", async () => undefined as unknown as Uint8Array],
    ["throws a string", () => Promise.reject(thrownText)],
  ])(
    "a remote signer that %s: ClientError signing_failed naming only the class, before any request",
    async (_name, sign) => {
      const error = await failureOf(signerApp(sign).acquireTokenForClient(graph));
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toMatchObject({ code: "signing_failed" });
      expect((error as Error).message).not.toContain(thrownText);
      expect(JSON.stringify(error)).not.toContain(thrownText);
      expect((error as Error).message).toMatch(/\((TypeError|Error|string)\)/);
      expect(env.entra.tokenRequests()).toHaveLength(0);
    },
  );

  it("a signer that fails once is called again on the next acquisition", async () => {
    let calls = 0;
    const app = signerApp(async () => {
      calls++;
      throw new Error("KMS throttled");
    });
    await failureOf(app.acquireTokenForClient(graph));
    await failureOf(app.acquireTokenForClient(graph));
    expect(calls).toBe(2);
  });

  it.each<[string, () => string | Promise<string>]>([
    [
      "throws",
      () => {
        throw new Error(`token file unreadable: ${thrownText}`);
      },
    ],
    ["rejects", () => Promise.reject(new RangeError(thrownText))],
  ])(
    "an assertion callback that %s: ClientError invalid_client_assertion naming only the class",
    async (_name, callback) => {
      const app = new ConfidentialClientApplication({
        clientId,
        tenantId: tenantA,
        clientAssertion: callback,
        fetch: env.entra.fetch,
        now,
        memoryCache: { shared: false },
      });
      const error = await failureOf(app.acquireTokenForClient(graph));
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toMatchObject({ code: "invalid_client_assertion" });
      expect((error as Error).message).not.toContain(thrownText);
      expect(JSON.stringify(error)).not.toContain(thrownText);
      expect(env.entra.tokenRequests()).toHaveLength(0);
    },
  );
});

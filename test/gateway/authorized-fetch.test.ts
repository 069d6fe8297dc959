// createAuthorizedFetch against the emulator and its protected resource: the bearer token, the one
// retry a 401 earns (claims challenge, invalid_token), body replay, redirects, and what it refuses.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { memoryCache } from "../../adapters/memory";
import { ClientError, createAuthorizedFetch } from "../../src/index";
import { createProtectedResource, type ProtectedResource } from "../../src/testing/index";
import { builder, emulator, graph, secret, tenantA } from "../app/setup";

const api = "https://graph.microsoft.com";

async function gateway(
  options: { capabilities?: string[]; l2?: ReturnType<typeof memoryCache> } = {},
) {
  const entra = await emulator();
  const resource = createProtectedResource(entra, { audience: api });
  const app = appOf(entra.fetch, options);
  const fetchApi = createAuthorizedFetch(app, { scopes: graph, fetch: resource.fetch });
  return { entra, resource, app, fetchApi };
}

function appOf(
  fetcher: typeof fetch,
  { capabilities, l2 }: { capabilities?: string[]; l2?: ReturnType<typeof memoryCache> } = {},
) {
  let app = builder(fetcher).withClientSecret(secret).withTenantId(tenantA);
  if (capabilities) app = app.withClientCapabilities(capabilities);
  if (l2) app = app.withCache(l2, { lease: true });
  return app.build();
}

const bearerOf = (request: { token: string | undefined }) => request.token;

describe("createAuthorizedFetch", () => {
  it("sends the application's token, from the cache after the first call", async () => {
    const { entra, resource, fetchApi } = await gateway();
    const first = await fetchApi(`${api}/v1.0/users`);
    const second = await fetchApi(new URL(`${api}/v1.0/groups`), { method: "GET" });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await first.json()).toMatchObject({ path: "/v1.0/users", method: "GET" });
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(bearerOf(resource.requests[0]!)).toBe(bearerOf(resource.requests[1]!));
    await expect(entra.verifyAccessToken(resource.requests[0]!.token!)).resolves.toBeTruthy();
  });

  it("answers a claims challenge with one token request carrying its claims, merged with capabilities", async () => {
    const { entra, resource, fetchApi } = await gateway({ capabilities: ["cp1"] });
    await fetchApi(`${api}/v1.0/users`); // a token without the authentication context
    resource.requireAuthenticationContext("c1");
    const response = await fetchApi(`${api}/v1.0/users`, { method: "POST", body: "payload" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ acrs: ["c1"], body: "payload" });
    expect(resource.requests.map((request) => request.status)).toEqual([200, 401, 200]);
    const retried = entra.tokenRequests()[1]!;
    expect(JSON.parse(retried.form["claims"]!)).toEqual({
      access_token: { acrs: { essential: true, value: "c1" }, xms_cc: { values: ["cp1"] } },
    });
  });

  it("replaces a revoked token with a new one (one token request) and retries once", async () => {
    const { entra, resource, fetchApi } = await gateway();
    await fetchApi(`${api}/v1.0/users`);
    const rejected = resource.requests[0]!.token!;
    resource.revoke(rejected);
    const response = await fetchApi(`${api}/v1.0/users`);
    expect(response.status).toBe(200);
    expect(resource.requests.map((request) => request.status)).toEqual([200, 401, 200]);
    expect(resource.requests[2]!.token).not.toBe(rejected);
    expect(entra.tokenRequests()).toHaveLength(2);
    // The new token is cached: the next call needs no token request.
    expect((await fetchApi(`${api}/v1.0/users`)).status).toBe(200);
    expect(entra.tokenRequests()).toHaveLength(2);
  });

  it("costs one token request for a revocation seen by many gateways sharing an L2", async () => {
    const entra = await emulator();
    const resource = createProtectedResource(entra, { audience: api });
    const l2 = memoryCache();
    const gateways = Array.from({ length: 5 }, () =>
      createAuthorizedFetch(appOf(entra.fetch, { l2 }), { scopes: graph, fetch: resource.fetch }),
    );
    await Promise.all(gateways.map((fetchApi) => fetchApi(`${api}/v1.0/users`)));
    expect(entra.tokenRequests()).toHaveLength(1);
    resource.revoke(resource.requests[0]!.token!);
    const answers = await Promise.all(
      gateways.flatMap((fetchApi) => [fetchApi(`${api}/a`), fetchApi(`${api}/b`)]),
    );
    expect(answers.map((response) => response.status)).toEqual(Array(10).fill(200));
    expect(entra.tokenRequests()).toHaveLength(2);
    // Late gateways that still hold the rejected token in L1 find the new one in L2.
    const late = await gateways[0]!(`${api}/c`);
    expect(late.status).toBe(200);
    expect(entra.tokenRequests()).toHaveLength(2);
  });

  it("replays every replayable body intact", async () => {
    const { resource, fetchApi } = await gateway();
    await fetchApi(`${api}/warm`);
    const bodies: Array<[string, () => Promise<Response>]> = [
      ["text", () => fetchApi(`${api}/x`, { method: "POST", body: "text body" })],
      [
        "bytes",
        () => fetchApi(`${api}/x`, { method: "PUT", body: new TextEncoder().encode("bytes body") }),
      ],
      [
        "form",
        () =>
          fetchApi(`${api}/x`, { method: "POST", body: new URLSearchParams({ a: "1", b: "two" }) }),
      ],
      ["blob", () => fetchApi(`${api}/x`, { method: "POST", body: new Blob(["blob body"]) })],
      [
        "request",
        () => fetchApi(new Request(`${api}/x`, { method: "PATCH", body: '{"request":true}' })),
      ],
    ];
    for (const [name, send] of bodies) {
      resource.revoke(resource.requests.at(-1)!.token!);
      const response = await send();
      expect(response.status, name).toBe(200);
      const [rejected, accepted] = resource.requests.slice(-2);
      expect(rejected!.status, name).toBe(401);
      expect(accepted!.body, name).toBe(rejected!.body);
      expect(accepted!.body.length, name).toBeGreaterThan(0);
    }
    const formBodies = resource.requests.filter((request) => request.body === "a=1&b=two");
    expect(formBodies.map((request) => request.status)).toEqual([401, 200]);
  });

  it("does not retry a request whose body is a caller's stream", async () => {
    const { resource, fetchApi } = await gateway();
    await fetchApi(`${api}/warm`);
    resource.revoke(resource.requests[0]!.token!);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });
    const response = await fetchApi(`${api}/x`, {
      method: "POST",
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(401);
    expect(resource.requests.map((request) => request.status)).toEqual([200, 401]);
  });

  it("passes other statuses through, and returns a second 401 as it is", async () => {
    const entra = await emulator();
    const statuses = [403, 500, 401];
    let calls = 0;
    const send = async (request: Request) => {
      calls++;
      const status = statuses.shift() ?? 401;
      const challenge =
        status === 401 ? { "www-authenticate": 'Bearer error="invalid_token"' } : {};
      expect(request.headers.get("authorization")).toMatch(/^Bearer ./);
      return new Response("no", { status, headers: challenge });
    };
    const fetchApi = createAuthorizedFetch(appOf(entra.fetch), { scopes: graph, fetch: send });
    expect((await fetchApi(`${api}/a`)).status).toBe(403);
    expect((await fetchApi(`${api}/a`)).status).toBe(500);
    expect(calls).toBe(2);
    const twice = await fetchApi(`${api}/a`);
    expect(twice.status).toBe(401);
    expect(calls).toBe(4);
    expect(entra.tokenRequests()).toHaveLength(2);
  });

  it("does not retry a 401 without a challenge it can answer", async () => {
    for (const header of [
      undefined,
      'Basic realm="x"',
      'Bearer error="insufficient_scope"',
      'Bearer error="insufficient_claims", claims="%%%"',
    ]) {
      const entra = await emulator();
      let calls = 0;
      const send = async () => {
        calls++;
        return new Response(null, {
          status: 401,
          headers: header ? { "www-authenticate": header } : {},
        });
      };
      const fetchApi = createAuthorizedFetch(appOf(entra.fetch), { scopes: graph, fetch: send });
      expect((await fetchApi(`${api}/a`)).status).toBe(401);
      expect(calls, String(header)).toBe(1);
    }
  });

  it("refuses a caller's Authorization header and plain http to other hosts, before any token request", async () => {
    const { entra, fetchApi } = await gateway();
    await expect(
      fetchApi(`${api}/a`, { headers: { Authorization: "Bearer mine" } }),
    ).rejects.toMatchObject({ name: "ClientError", code: "invalid_fetch_request" });
    const insecure = await fetchApi("http://graph.microsoft.com/a").catch(
      (error: unknown) => error,
    );
    expect(insecure).toBeInstanceOf(ClientError);
    expect((insecure as ClientError).message).toMatch(/https/);
    expect(entra.tokenRequests()).toHaveLength(0);
    expect(() => createAuthorizedFetch(undefined as never, { scopes: graph })).toThrow(ClientError);
    expect(() => createAuthorizedFetch(appOf(entra.fetch), {} as never)).toThrow(/scopes/);
  });

  it("keeps the token on same-origin redirects and drops it on redirects elsewhere", async () => {
    const { resource, fetchApi: _unused, entra } = await gateway();
    const elsewhere: Array<string | null> = [];
    const send = async (request: Request) => {
      const url = new URL(request.url);
      if (url.origin === api) {
        expect(request.redirect).toBe("manual");
        return resource.fetch(request);
      }
      elsewhere.push(request.headers.get("authorization"));
      return new Response("elsewhere");
    };
    const fetchApi = createAuthorizedFetch(appOf(entra.fetch), { scopes: graph, fetch: send });
    const same = await fetchApi(`${api}/redirect?to=${encodeURIComponent(`${api}/landing`)}`, {
      method: "POST",
      body: "kept",
    });
    expect(await same.json()).toMatchObject({ path: "/landing", body: "kept" });
    const other = await fetchApi(
      `${api}/redirect?to=${encodeURIComponent("https://files.example/x")}`,
    );
    expect(await other.text()).toBe("elsewhere");
    expect(elsewhere).toEqual([null]);
  });

  describe("over loopback HTTP with the runtime's fetch", () => {
    let server: Server | undefined;
    afterEach(() => server?.close());

    async function serve(resource: ProtectedResource): Promise<string> {
      server = createServer(async (incoming, outgoing) => {
        const chunks: Buffer[] = [];
        for await (const chunk of incoming) chunks.push(chunk as Buffer);
        const method = incoming.method ?? "GET";
        const answer = await resource.fetch(`http://127.0.0.1${incoming.url}`, {
          method,
          headers: incoming.headers as Record<string, string>,
          ...(method === "GET" || method === "HEAD" ? {} : { body: Buffer.concat(chunks) }),
        });
        outgoing.writeHead(answer.status, Object.fromEntries(answer.headers));
        outgoing.end(Buffer.from(await answer.arrayBuffer()));
      });
      await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    }

    it("retries a claims challenge and a revocation through real sockets", async () => {
      const entra = await emulator();
      const resource = createProtectedResource(entra, { audience: api });
      const origin = await serve(resource);
      const fetchApi = createAuthorizedFetch(appOf(entra.fetch), { scopes: graph });
      expect((await fetchApi(`${origin}/a`)).status).toBe(200);
      resource.revoke(resource.requests[0]!.token!);
      expect((await fetchApi(`${origin}/b`, { method: "POST", body: "again" })).status).toBe(200);
      resource.requireAuthenticationContext("c2");
      const challenged = await fetchApi(`${origin}/redirect?to=/c`);
      expect(await challenged.json()).toMatchObject({ path: "/c", acrs: ["c2"] });
      expect(resource.requests.map((request) => request.status)).toEqual([
        200, 401, 200, 401, 307, 200,
      ]);
    });
  });
});

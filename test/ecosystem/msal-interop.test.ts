// MSAL cache interop and the msal-node-compatible surface, against the real @azure/msal-node.
import { ConfidentialClientApplication as MsalConfidentialClientApplication } from "@azure/msal-node";
import { describe, expect, it } from "vitest";
import { ConfidentialClientApplication, TokenSource } from "../../src/index";
import { arm, clientId, emulator, graph, keys, secret, tenantA, tenantB } from "../app/setup";

type Emulator = Awaited<ReturnType<typeof emulator>>;

/** msal-node talking to the emulator through its own network-module interface. */
function msalNode(entra: Emulator, authority = `https://login.microsoftonline.com/${tenantA}`) {
  const send = async (
    url: string,
    options: { headers?: Record<string, string>; body?: string } = {},
    method: string,
  ) => {
    const response = await entra.fetch(url, {
      method,
      headers: options.headers ?? {},
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: text === "" ? {} : JSON.parse(text),
    };
  };
  return new MsalConfidentialClientApplication({
    auth: { clientId, authority, clientSecret: secret },
    system: {
      networkClient: {
        sendGetRequestAsync: (url, options) => send(url, options, "GET") as never,
        sendPostRequestAsync: (url, options) => send(url, options, "POST") as never,
      },
    },
  });
}

const ours = (entra: Emulator) =>
  new ConfidentialClientApplication({
    clientId,
    tenantId: tenantA,
    clientSecret: secret,
    fetch: entra.fetch,
    memoryCache: { shared: false },
  });

describe("MSAL unified cache interop with @azure/msal-node", () => {
  it("a cache we serialize is served from msal-node's cache", async () => {
    const entra = await emulator();
    const app = ours(entra);
    const fetched = await app.acquireTokenForClient(graph);
    const json = app.getTokenCache().serialize();
    const document = JSON.parse(json);
    expect(Object.keys(document).sort()).toEqual([
      "AccessToken",
      "Account",
      "AppMetadata",
      "IdToken",
      "RefreshToken",
    ]);
    const [entity] = Object.values(document.AccessToken) as Record<string, string>[];
    expect(entity).toMatchObject({
      home_account_id: "",
      environment: "login.windows.net",
      credential_type: "AccessToken",
      client_id: clientId,
      realm: tenantA,
      target: graph[0],
      token_type: "Bearer",
    });

    const msal = msalNode(entra);
    await msal.getTokenCache().deserialize(json);
    const before = entra.tokenRequests().length;
    const result = await msal.acquireTokenByClientCredential({ scopes: graph });
    expect(result?.fromCache).toBe(true);
    expect(result?.accessToken).toBe(fetched.accessToken);
    expect(entra.tokenRequests()).toHaveLength(before);
  });

  it("a cache msal-node serializes is served from ours, for its cloud alias and tenant", async () => {
    const entra = await emulator();
    const msal = msalNode(entra);
    const a = await msal.acquireTokenByClientCredential({ scopes: graph });
    const b = await msal.acquireTokenByClientCredential({
      scopes: arm,
      authority: `https://login.microsoftonline.com/${tenantB}`,
    });
    const json = msal.getTokenCache().serialize();
    expect(json).toContain("login.windows.net");

    const app = ours(entra);
    app.getTokenCache().deserialize(json);
    const before = entra.tokenRequests().length;
    const fromA = await app.acquireTokenForClient(graph);
    const fromB = await app.acquireTokenForClient(arm).withTenantId(tenantB);
    expect(fromA.authenticationResultMetadata.tokenSource).toBe(TokenSource.Cache);
    expect(fromA.accessToken).toBe(a?.accessToken);
    expect(fromB.accessToken).toBe(b?.accessToken);
    expect(entra.tokenRequests()).toHaveLength(before);
  });

  it("reads MSAL.NET/Python-style entries (numbers, ext_expires_on) and skips user tokens and other clients", () => {
    const now = Math.floor(Date.now() / 1000);
    const entity = (extra: Record<string, unknown>) => ({
      home_account_id: "",
      environment: "login.microsoftonline.com",
      credential_type: "AccessToken",
      client_id: clientId,
      secret: "net-token",
      realm: tenantA,
      target: graph[0],
      cached_at: now,
      expires_on: now + 3600,
      ext_expires_on: now + 7200,
      ...extra,
    });
    const json = JSON.stringify({
      AccessToken: {
        a: entity({}),
        user: entity({ home_account_id: "uid.utid", secret: "user-token", target: arm[0] }),
        other: entity({ client_id: "someone-else", secret: "other-token", realm: tenantB }),
      },
    });
    const app = new ConfidentialClientApplication({
      clientId,
      tenantId: tenantA,
      clientSecret: secret,
      fetch: () => Promise.reject(new Error("no network")),
      memoryCache: { shared: false },
    });
    app.getTokenCache().deserialize(json);
    expect(JSON.parse(app.getTokenCache().serialize()).AccessToken).toEqual({
      [`-login.windows.net-accesstoken-${clientId}-${tenantA}-${graph[0]}-`]:
        expect.objectContaining({ secret: "net-token", extended_expires_on: String(now + 7200) }),
    });
    expect(() => app.getTokenCache().deserialize("not json")).toThrow(
      expect.objectContaining({ code: "invalid_cache_record" }),
    );
  });
});

describe("msal-node-compatible surface", () => {
  it("takes msal-node's configuration and answers acquireTokenByClientCredential in its shape", async () => {
    const entra = await emulator();
    const app = new ConfidentialClientApplication({
      auth: {
        clientId,
        authority: `https://login.microsoftonline.com/${tenantA}`,
        clientSecret: secret,
        knownAuthorities: ["login.microsoftonline.com"],
      },
    });
    // msal-node has no fetch option: entra-edge's comes from withHttpClient or the options object.
    const withFetch = new ConfidentialClientApplication({
      clientId,
      authority: `https://login.microsoftonline.com/${tenantA}`,
      clientSecret: secret,
      fetch: entra.fetch,
      memoryCache: { shared: false },
    });
    expect(app.clientId).toBe(clientId);
    const first = await withFetch.acquireTokenByClientCredential({
      scopes: graph,
      correlationId: "0f0f0f0f-0000-4000-8000-000000000002",
    });
    expect(first).toMatchObject({
      fromCache: false,
      tokenType: "Bearer",
      tenantId: tenantA,
      account: null,
      correlationId: "0f0f0f0f-0000-4000-8000-000000000002",
      authority: `https://login.microsoftonline.com/${tenantA}/`,
    });
    expect(first.expiresOn).toBeInstanceOf(Date);
    const second = await withFetch.acquireTokenByClientCredential({ scopes: graph });
    expect(second.fromCache).toBe(true);
    const skipped = await withFetch.acquireTokenByClientCredential({
      scopes: graph,
      skipCache: true,
    });
    expect(skipped.fromCache).toBe(false);
    const other = await withFetch.acquireTokenByClientCredential({
      scopes: graph,
      authority: `https://login.microsoftonline.com/${tenantB}`,
    });
    expect(other.tenantId).toBe(tenantB);
  });

  it("takes msal-node's clientCertificate with thumbprintSha256 or x5c", async () => {
    const entra = await emulator();
    const expected = JSON.parse(keys("expected.json"))["rsa.crt.pem"];
    const hex = Buffer.from(expected.x5tS256, "base64url").toString("hex");
    for (const clientCertificate of [
      { thumbprintSha256: hex, privateKey: keys("rsa.pkcs8.pem") },
      { x5c: keys("rsa.crt.pem"), privateKey: keys("rsa.pkcs8.pem") },
    ]) {
      const app = new ConfidentialClientApplication({
        auth: {
          clientId,
          authority: `https://login.microsoftonline.com/${tenantA}`,
          clientCertificate,
        },
      });
      expect(app.authority.tenant).toBe(tenantA);
    }
    const viaThumbprint = new ConfidentialClientApplication({
      clientId,
      tenantId: tenantA,
      certificate: { privateKey: keys("rsa.pkcs8.pem"), thumbprintSha256: hex },
      fetch: entra.fetch,
      memoryCache: { shared: false },
    });
    await expect(viaThumbprint.acquireTokenForClient(graph)).resolves.toMatchObject({
      tokenType: "Bearer",
    });
  });
});

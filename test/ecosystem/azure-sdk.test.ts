// toTokenCredential in a real Azure SDK pipeline (bearerTokenAuthenticationPolicy) calling a
// loopback HTTPS API that checks the bearer token, including a CAE claims challenge.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, request as httpsRequest, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  bearerTokenAuthenticationPolicy,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
} from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConfidentialClientApplication,
  parseClaimsChallenge,
  toTokenCredential,
} from "../../src/index";
import { clientId, emulator, secret, tenantA, tenantB } from "../app/setup";

const scope = "https://api.contoso.test/.default";
const challengeClaims = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}';

let server: Server;
let origin: string;
let ca: string;
let entra: Awaited<ReturnType<typeof emulator>>;
const seen: { token: string; status: number }[] = [];
const revoked = new Set<string>();

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "entra-edge-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  ca = readFileSync(join(dir, "cert.pem"), "utf8");
  entra = await emulator();
  server = createServer({ key: readFileSync(join(dir, "key.pem")), cert: ca }, async (req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    let ok = false;
    try {
      ok = (await entra.verifyAccessToken(token)).aud === "https://api.contoso.test";
    } catch {
      ok = false;
    }
    if (ok && req.url === "/cae" && revoked.size === 0) {
      revoked.add(token);
      res.writeHead(401, {
        "www-authenticate": `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${btoa(challengeClaims)}"`,
      });
      seen.push({ token, status: 401 });
      return res.end();
    }
    if (revoked.has(token)) ok = false;
    seen.push({ token, status: ok ? 200 : 401 });
    res.writeHead(ok ? 200 : 401, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** An HttpClient over node:https that trusts the test server's certificate. */
const httpClient: HttpClient = {
  sendRequest: (request) =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(
        request.url,
        { method: request.method, headers: request.headers.toJSON(), ca },
        (res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => (body += chunk.toString()));
          res.on("end", () => {
            const headers = createHttpHeaders();
            for (const [name, value] of Object.entries(res.headers))
              if (typeof value === "string") headers.set(name, value);
            resolve({ request, status: res.statusCode ?? 0, headers, bodyAsText: body });
          });
        },
      );
      req.on("error", reject);
      req.end();
    }),
};

function pipelineFor(credential: ReturnType<typeof toTokenCredential>) {
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: scope }));
  return (path: string) =>
    pipeline.sendRequest(httpClient, createPipelineRequest({ url: `${origin}${path}` }));
}

describe("Azure SDK TokenCredential", () => {
  it("authorises a real pipeline with entra-edge tokens, served from cache after the first", async () => {
    const app = new ConfidentialClientApplication({
      clientId,
      tenantId: tenantA,
      clientSecret: secret,
      fetch: entra.fetch,
      memoryCache: { shared: false },
    });
    const send = pipelineFor(toTokenCredential(app));
    const before = entra.tokenRequests().length;
    expect((await send("/data")).status).toBe(200);
    expect((await send("/data")).status).toBe(200);
    expect(entra.tokenRequests().length - before).toBe(1);
  });

  it("answers a CAE claims challenge with a fresh token requested with those claims", async () => {
    const app = new ConfidentialClientApplication({
      clientId,
      tenantId: tenantA,
      clientSecret: secret,
      fetch: entra.fetch,
      memoryCache: { shared: false },
      clientCapabilities: ["cp1"],
    });
    const send = pipelineFor(toTokenCredential(app));
    const before = entra.tokenRequests().length;
    const response = await send("/cae");
    expect(response.status).toBe(200);
    const requests = entra.tokenRequests().slice(before);
    expect(requests).toHaveLength(2);
    expect(JSON.parse(requests[0]?.form["claims"] as string)).toEqual({
      access_token: { xms_cc: { values: ["cp1"] } },
    });
    expect(JSON.parse(requests[1]?.form["claims"] as string)).toEqual({
      access_token: { nbf: { essential: true, value: "1700000000" }, xms_cc: { values: ["cp1"] } },
    });
  });

  it("honours tenantId within additionallyAllowedTenants, and refuses others", async () => {
    const app = new ConfidentialClientApplication({
      clientId,
      tenantId: tenantA,
      clientSecret: secret,
      fetch: entra.fetch,
      memoryCache: { shared: false },
    });
    const strict = toTokenCredential(app);
    await expect(strict.getToken(scope, { tenantId: tenantB })).rejects.toMatchObject({
      code: "invalid_tenant",
      message: expect.stringContaining("additionallyAllowedTenants"),
    });
    const open = toTokenCredential(app, { additionallyAllowedTenants: [tenantB] });
    const token = await open.getToken([scope], { tenantId: tenantB });
    expect((await entra.verifyAccessToken(token?.token as string)).tid).toBe(tenantB);
    expect(token?.expiresOnTimestamp).toBeGreaterThan(Date.now());
    expect(token?.tokenType).toBe("Bearer");
    const controller = new AbortController();
    controller.abort();
    await expect(
      open.getToken(scope, {
        tenantId: tenantB,
        abortSignal: controller.signal,
        claims: btoa(challengeClaims),
      }),
    ).rejects.toMatchObject({ code: "aborted" });
  });

  it("parseClaimsChallenge reads a WWW-Authenticate claims challenge", () => {
    const header = `Bearer realm="", error="insufficient_claims", claims="${btoa(challengeClaims)}"`;
    expect(parseClaimsChallenge(header)).toBe(challengeClaims);
    expect(
      parseClaimsChallenge(
        new Response(null, { status: 401, headers: { "WWW-Authenticate": header } }),
      ),
    ).toBe(challengeClaims);
    expect(parseClaimsChallenge('Bearer realm="", error="invalid_token"')).toBeUndefined();
    expect(parseClaimsChallenge('Bearer claims="%%%"')).toBeUndefined();
    expect(parseClaimsChallenge(null)).toBeUndefined();
  });
});

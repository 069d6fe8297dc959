import { describe, expect, it } from "vitest";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { ClientError, ConfidentialClientApplication, TokenSource } from "../../src/index";
import { builder, clientId, emulator, graph, keyBytes, keys, secret, tenantA } from "./setup";

describe("credentials against the emulator", () => {
  it("client secret: first from the identity provider, then from L1", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch).withClientSecret(secret).withTenantId(tenantA).build();
    const first = await app.acquireTokenForClient(graph);
    expect(first.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(first.tenantId).toBe(tenantA);
    const claims = await entra.verifyAccessToken(first.accessToken, { tenantId: tenantA });
    expect(claims.appid).toBe(clientId);
    const second = await app.acquireTokenForClient(graph);
    expect(second.authenticationResultMetadata.tokenSource).toBe(TokenSource.Cache);
    expect(second.authenticationResultMetadata.cacheLevel).toBe("L1Cache");
    expect(second.accessToken).toBe(first.accessToken);
    const [request] = entra.tokenRequests();
    expect(request?.form["client_secret"]).toBe(secret);
    expect(request?.headers["client-request-id"]).toBe(first.correlationId);
    expect(request?.headers["x-ms-lib-capability"]).toBe("retry-after, h429");
    expect(request?.headers["x-client-sku"]).toBe("entra-edge");
  });

  it("a wrong secret is a ServiceError with AADSTS7000215 and the secret nowhere in it", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch)
      .withClientSecret("wrong-secret-value-xyz")
      .withTenantId(tenantA)
      .build();
    const error = await app.acquireTokenForClient(graph).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      name: "ServiceError",
      code: "service_error",
      status: 401,
      errorCodes: [7000215],
    });
    expect(JSON.stringify(error) + String(error) + (error as Error).stack).not.toContain(
      "wrong-secret-value-xyz",
    );
  });

  it.each([
    ["PKCS#8", { privateKey: keys("rsa.pkcs8.pem"), certificate: keys("rsa.crt.pem") }],
    ["PKCS#1", { privateKey: keys("rsa.pkcs1.pem"), certificate: keys("rsa.crt.pem") }],
    [
      "encrypted PKCS#8",
      {
        privateKey: keys("rsa.enc-default.pem"),
        password: "secret",
        certificate: keys("rsa.crt.pem"),
      },
    ],
    ["pfx", { pfx: keyBytes("rsa.pfx"), password: "secret" }],
  ])(
    "certificate from %s signs PS256 with x5t#S256 and aud = token endpoint",
    async (_name, certificate) => {
      const entra = await emulator();
      const app = builder(entra.fetch).withCertificate(certificate).withTenantId(tenantA).build();
      const result = await app.acquireTokenForClient(graph);
      expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
      const assertion = entra.tokenRequests()[0]?.form["client_assertion"] as string;
      const header = decodeProtectedHeader(assertion);
      expect(header).toMatchObject({ alg: "PS256", typ: "JWT" });
      expect(header["x5t#S256"]).toBe(JSON.parse(keys("expected.json"))["rsa.crt.pem"].x5tS256);
      const payload = decodeJwt(assertion);
      expect(payload).toMatchObject({
        aud: `https://login.microsoftonline.com/${tenantA}/oauth2/v2.0/token`,
        iss: clientId,
        sub: clientId,
      });
      expect((payload.exp as number) - (payload.nbf as number)).toBe(600);
      expect(typeof payload.jti).toBe("string");
    },
  );

  it("sendX5c puts the chain in x5c", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch)
      .withCertificate({
        privateKey: keys("leaf.pkcs8.pem"),
        certificate: keys("chain.pem"),
        sendX5c: true,
      })
      .withTenantId(tenantA)
      .build();
    await app.acquireTokenForClient(graph);
    const header = decodeProtectedHeader(
      entra.tokenRequests()[0]?.form["client_assertion"] as string,
    );
    expect(header.x5c).toHaveLength(2);
  });

  it("a non-extractable CryptoKey and a remote signer both work", async () => {
    const entra = await emulator();
    const der = keys("rsa.pkcs8.pem").replace(/-----[^-]+-----|\s/g, "");
    const key = await crypto.subtle.importKey(
      "pkcs8",
      new Uint8Array(Array.from(atob(der), (c) => c.charCodeAt(0))),
      { name: "RSA-PSS", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const viaKey = builder(entra.fetch)
      .withCertificate({ privateKey: key, certificate: keys("rsa.crt.pem") })
      .withTenantId(tenantA)
      .build();
    await expect(viaKey.acquireTokenForClient(graph)).resolves.toMatchObject({
      tokenType: "Bearer",
    });
    let signed = 0;
    const viaSigner = builder(entra.fetch)
      .withCertificate({
        certificate: keys("rsa.crt.pem"),
        sign: async (data) => {
          signed++;
          return new Uint8Array(
            await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, key, data),
          );
        },
      })
      .withTenantId(tenantA)
      .build();
    await expect(viaSigner.acquireTokenForClient(graph)).resolves.toMatchObject({
      tokenType: "Bearer",
    });
    expect(signed).toBe(1);
  });

  it("reuses a signed assertion while it has more than a minute left", async () => {
    let now = Date.parse("2026-11-22T10:00:00Z");
    const entra = await emulator({ now: () => now, jtiReplay: "allow" });
    const app = new ConfidentialClientApplication({
      clientId,
      tenantId: tenantA,
      certificate: { privateKey: keys("rsa.pkcs8.pem"), certificate: keys("rsa.crt.pem") },
      fetch: entra.fetch,
      now: () => now,
      memoryCache: { shared: false },
    });
    await app.acquireTokenForClient(graph).withForceRefresh();
    now += 8 * 60_000;
    await app.acquireTokenForClient(graph).withForceRefresh();
    now += 60_000; // 9 minutes in: less than a minute left, so a new one is signed
    await app.acquireTokenForClient(graph).withForceRefresh();
    const jtis = entra
      .tokenRequests()
      .map((r) => decodeJwt(r.form["client_assertion"] as string).jti);
    expect(jtis[0]).toBe(jtis[1]);
    expect(jtis[2]).not.toBe(jtis[1]);
  });

  it("re-signs once when a server refuses a reused assertion, then stops reusing", async () => {
    const entra = await emulator({ jtiReplay: "reject" });
    const app = builder(entra.fetch)
      .withCertificate({ privateKey: keys("rsa.pkcs8.pem"), certificate: keys("rsa.crt.pem") })
      .withTenantId(tenantA)
      .build();
    for (let i = 0; i < 3; i++) await app.acquireTokenForClient(graph).withForceRefresh();
    const statuses = entra.tokenRequests().map((r) => r.status);
    expect(statuses).toHaveLength(4);
    expect([statuses[0], statuses[2], statuses[3]]).toEqual([200, 200, 200]);
    expect(statuses[1]).toBeGreaterThanOrEqual(400);
  });

  it("client assertion string and callback (called only before a network request)", async () => {
    const entra = await emulator();
    const calls: unknown[] = [];
    const { SignJWT, importPKCS8 } = await import("jose");
    const key = await importPKCS8(keys("rsa.pkcs8.pem"), "PS256");
    const x5tS256 = decodeProtectedHeader(
      await (async () => {
        const probe = builder(entra.fetch)
          .withCertificate({ privateKey: keys("rsa.pkcs8.pem"), certificate: keys("rsa.crt.pem") })
          .withTenantId(tenantA)
          .build();
        await probe.acquireTokenForClient(graph);
        return entra.tokenRequests()[0]?.form["client_assertion"] as string;
      })(),
    )["x5t#S256"] as string;
    const app = builder(entra.fetch)
      .withClientAssertion(async (options) => {
        calls.push(options);
        return new SignJWT({})
          .setProtectedHeader({ alg: "PS256", typ: "JWT", "x5t#S256": x5tS256 })
          .setIssuer(options.clientId)
          .setSubject(options.clientId)
          .setAudience(options.tokenEndpoint)
          .setJti(crypto.randomUUID())
          .setIssuedAt()
          .setNotBefore("0s")
          .setExpirationTime("10m")
          .sign(key);
      })
      .withTenantId(tenantA)
      .build();
    await app
      .acquireTokenForClient(graph)
      .withCorrelationId("0f0f0f0f-0000-4000-8000-000000000001");
    await app.acquireTokenForClient(graph);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      clientId,
      tenantId: tenantA,
      tokenEndpoint: `https://login.microsoftonline.com/${tenantA}/oauth2/v2.0/token`,
      correlationId: "0f0f0f0f-0000-4000-8000-000000000001",
    });
    expect((calls[0] as { signal: unknown }).signal).toBeInstanceOf(AbortSignal);
  });

  it("withClientClaims merges extra claims into the assertion", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch)
      .withClientClaims(
        { privateKey: keys("rsa.pkcs8.pem"), certificate: keys("rsa.crt.pem") },
        { xms_az_claim: "x", client_ip: "10.0.0.1" },
      )
      .withTenantId(tenantA)
      .build();
    await app.acquireTokenForClient(graph);
    const payload = decodeJwt(entra.tokenRequests()[0]?.form["client_assertion"] as string);
    expect(payload).toMatchObject({ xms_az_claim: "x", client_ip: "10.0.0.1", iss: clientId });
  });

  it("bad key material is a ClientError at build time, before any request", async () => {
    const entra = await emulator();
    expect(() =>
      builder(entra.fetch)
        .withCertificate({
          privateKey: "-----BEGIN PRIVATE KEY-----\n@@@\n-----END PRIVATE KEY-----",
          certificate: keys("rsa.crt.pem"),
        })
        .withTenantId(tenantA)
        .build(),
    ).toThrow(ClientError);
    expect(() =>
      builder(entra.fetch)
        .withCertificate({ privateKey: keys("rsa.pkcs8.pem"), certificate: "not a certificate" })
        .withTenantId(tenantA)
        .build(),
    ).toThrow(ClientError);
    expect(() => builder(entra.fetch).withClientSecret("").withTenantId(tenantA).build()).toThrow(
      expect.objectContaining({ code: "invalid_client_secret" }),
    );
    const wrongPassword = builder(entra.fetch)
      .withCertificate({
        privateKey: keys("rsa.enc-default.pem"),
        password: "nope",
        certificate: keys("rsa.crt.pem"),
      })
      .withTenantId(tenantA)
      .build();
    await expect(wrongPassword.acquireTokenForClient(graph)).rejects.toMatchObject({
      code: "invalid_password",
    });
    const mismatch = builder(entra.fetch)
      .withCertificate({
        privateKey: keys("rsa.pkcs8.pem"),
        certificate: keys("other-rsa.crt.pem"),
      })
      .withTenantId(tenantA)
      .build();
    await expect(mismatch.acquireTokenForClient(graph)).rejects.toMatchObject({
      code: "certificate_key_mismatch",
    });
    const legacy = builder(entra.fetch)
      .withCertificate({ pfx: keyBytes("rsa.legacy.pfx"), password: "secret" })
      .withTenantId(tenantA)
      .build();
    await expect(legacy.acquireTokenForClient(graph)).rejects.toMatchObject({
      code: "legacy_pkcs12_encryption",
      message: expect.stringContaining("openssl pkcs12"),
    });
    expect(entra.tokenRequests()).toHaveLength(0);
  });
});

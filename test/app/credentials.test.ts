import { createHash, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compactVerify, decodeJwt, decodeProtectedHeader, importX509 } from "jose";
import { ClientError, ConfidentialClientApplication, TokenSource } from "../../src/index";
import { certBag, dataSafe, pfx, rsaKey, shroudedKeyBag } from "../keys/_builders";
import {
  builder,
  clientId,
  emulator,
  graph,
  keyBytes,
  keys,
  rejectionOf,
  secret,
  tenantA,
} from "./setup";

/** The DER of a PEM fixture's first block. */
const pemDer = (pem: string) =>
  new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64"));

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
    const error = await rejectionOf(() => app.acquireTokenForClient(graph));
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

  it.each([
    ["ec256", "ES256", "P-256", "SHA-256"],
    ["ec384", "ES384", "P-384", "SHA-384"],
    ["ec521", "ES512", "P-521", "SHA-512"],
  ])(
    "a remote signer with an EC certificate (%s) signs %s, as a local key of that curve does",
    async (name, alg, namedCurve, hash) => {
      const entra = await emulator();
      const key = await crypto.subtle.importKey(
        "pkcs8",
        pemDer(keys(`${name}.pkcs8.pem`)),
        { name: "ECDSA", namedCurve },
        false,
        ["sign"],
      );
      const certificate = keys(`${name}.crt.pem`);
      const app = builder(entra.fetch)
        .withCertificate({
          certificate,
          sign: async (data) =>
            new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash }, key, data)),
        })
        .withTenantId(tenantA)
        .build();
      // The emulator registers RSA certificates only (as Entra ID app credentials are), so it
      // refuses this assertion; its header and signature are checked here with jose instead.
      await app.acquireTokenForClient(graph).catch(() => undefined);
      const assertion = entra.tokenRequests()[0]?.form["client_assertion"] as string;
      expect(decodeProtectedHeader(assertion)).toMatchObject({ alg, typ: "JWT" });
      const verified = await compactVerify(assertion, await importX509(certificate, alg));
      expect(verified.protectedHeader.alg).toBe(alg);
    },
  );

  it("a remote signer's explicit algorithm must fit its certificate's key", async () => {
    const entra = await emulator();
    const sign = async () => new Uint8Array(64);
    expect(() =>
      builder(entra.fetch)
        .withCertificate({ certificate: keys("ec256.crt.pem"), sign, algorithm: "PS256" })
        .withTenantId(tenantA)
        .build(),
    ).toThrow(expect.objectContaining({ code: "invalid_configuration" }));
    expect(() =>
      builder(entra.fetch)
        .withCertificate({ certificate: keys("rsa.crt.pem"), sign, algorithm: "ES256" })
        .withTenantId(tenantA)
        .build(),
    ).toThrow(expect.objectContaining({ code: "invalid_configuration" }));
  });

  it("RSA keys under 2048 bits are a ClientError at build time, before any request", async () => {
    const entra = await emulator();
    const short = rsaKey(1024);
    const shortKey = {
      code: "unsupported_key_type",
      message: expect.stringContaining("1024 bits"),
    };
    const sha256 = createHash("sha256")
      .update(new X509Certificate(short.certificatePem).raw)
      .digest("hex");
    const cryptoKey = await crypto.subtle.importKey(
      "pkcs8",
      short.pkcs8Der,
      { name: "RSA-PSS", hash: "SHA-256" },
      false,
      ["sign"],
    );
    for (const certificate of [
      { privateKey: short.pkcs8Pem, certificate: short.certificatePem },
      { privateKey: short.pkcs1Pem, certificate: short.certificatePem },
      { privateKey: short.pkcs8Pem, thumbprintSha256: sha256 },
      { privateKey: cryptoKey, certificate: short.certificatePem },
      { sign: async () => new Uint8Array(128), certificate: short.certificatePem },
    ]) {
      expect(() =>
        builder(entra.fetch).withCertificate(certificate).withTenantId(tenantA).build(),
      ).toThrow(expect.objectContaining(shortKey));
    }
    // Encrypted keys are read once decrypted: every acquisition fails, before any request.
    for (const certificate of [
      {
        privateKey: short.encryptedPem("secret"),
        password: "secret",
        certificate: short.certificatePem,
      },
      {
        pfx: pfx(
          dataSafe(shroudedKeyBag(short.pkcs8Der, "secret", 2048), certBag(short.certificateDer)),
        ),
        password: "secret",
      },
    ]) {
      const app = builder(entra.fetch).withCertificate(certificate).withTenantId(tenantA).build();
      await expect(app.acquireTokenForClient(graph)).rejects.toMatchObject(shortKey);
    }
    expect(entra.tokenRequests()).toHaveLength(0);
  });
});

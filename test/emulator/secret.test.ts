import { beforeAll, describe, expect, it } from "vitest";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { createEntraEmulator } from "../../src/testing/index";
import {
  CLIENT,
  GRAPH,
  GUID,
  OTHER_CLIENT,
  SECRET,
  TENANT,
  TOKEN_URL,
  type TestCertificate,
  emulatorFor,
  errorOf,
  generateCertificate,
  postForm,
  ps256Assertion,
  secretForm,
  assertionForm,
} from "./helpers";

let cert: TestCertificate;
beforeAll(() => {
  cert = generateCertificate();
});

describe("client secret authentication", () => {
  it("issues a token with the exact success body and headers of Entra", async () => {
    const emulator = await emulatorFor(cert);
    const response = await postForm(emulator, TOKEN_URL, secretForm());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store, no-cache");
    expect(response.headers.get("pragma")).toBe("no-cache");
    expect(response.headers.get("x-ms-request-id")).toMatch(GUID);
    expect(response.headers.get("client-request-id")).toBeNull();
    const text = await response.text();
    expect(Object.keys(JSON.parse(text))).toEqual([
      "token_type",
      "expires_in",
      "ext_expires_in",
      "access_token",
    ]);
    const body = JSON.parse(text) as {
      token_type: string;
      expires_in: number;
      ext_expires_in: number;
      access_token: string;
    };
    expect(text).toBe(
      `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"${body.access_token}"}`,
    );
    expect(emulator.tokenRequests()).toHaveLength(1);
    expect(emulator.tokenRequests()[0]).toMatchObject({
      status: 200,
      clientId: CLIENT,
      tenant: TENANT,
      tenantId: TENANT,
      kind: "token",
    });
    expect(emulator.tokenRequests()[0]?.grantedAt).toBeTypeOf("number");
  });

  it("issues an Entra-shaped v1 app token of about 1.5 KB that verifies against the JWKS", async () => {
    const emulator = await emulatorFor(cert);
    const { access_token: token } = (await (
      await postForm(emulator, TOKEN_URL, secretForm())
    ).json()) as { access_token: string };
    expect(token.length).toBeGreaterThan(1200);
    expect(token.length).toBeLessThan(1900);
    expect(decodeProtectedHeader(token)).toMatchObject({
      typ: "JWT",
      alg: "RS256",
      kid: emulator.publicJwks.keys[0]?.kid,
    });
    const claims = await emulator.verifyAccessToken(token, {
      audience: "https://graph.microsoft.com",
      tenantId: TENANT,
    });
    expect(claims).toMatchObject({
      aud: "https://graph.microsoft.com",
      iss: `https://sts.windows.net/${TENANT}/`,
      idp: `https://sts.windows.net/${TENANT}/`,
      appid: CLIENT,
      appidacr: "1",
      app_displayname: "Daemon",
      idtyp: "app",
      roles: ["User.Read.All"],
      tid: TENANT,
      ver: "1.0",
    });
    expect(claims.oid).toMatch(GUID);
    expect(claims.sub).toBe(claims.oid);
    expect(claims.exp - claims.iat).toBe(3599 + 300);
    const { payload } = await jwtVerify(
      token,
      createLocalJWKSet({ keys: [...emulator.publicJwks.keys] }),
    );
    expect(payload["tid"]).toBe(TENANT);
    await expect(
      emulator.verifyAccessToken(token, { tenantId: "00000000-0000-0000-0000-000000000000" }),
    ).rejects.toThrow(/tid/);
    await expect(
      emulator.verifyAccessToken(token, { audience: "https://vault.azure.net" }),
    ).rejects.toThrow();
  });

  it("keeps the service principal object id stable per app and tenant", async () => {
    const emulator = await emulatorFor(cert);
    const oids = [];
    for (let i = 0; i < 2; i++) {
      const { access_token: token } = (await (
        await postForm(emulator, TOKEN_URL, secretForm())
      ).json()) as { access_token: string };
      oids.push(decodeJwt(token)["oid"]);
    }
    expect(oids[0]).toBe(oids[1]);
  });

  it("rejects a wrong secret with AADSTS7000215 (401 invalid_client)", async () => {
    const emulator = await emulatorFor(cert);
    const body = await errorOf(
      await postForm(emulator, TOKEN_URL, secretForm({ client_secret: "nope" })),
    );
    expect(body).toMatchObject({ status: 401, error: "invalid_client", error_codes: [7000215] });
    expect(body.error_description).toMatch(
      /^AADSTS7000215: Invalid client secret provided\. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '11111111-2222-3333-4444-555555555555'\.\r\n/,
    );
    expect(emulator.tokenRequests()[0]?.grantedAt).toBeUndefined();
  });

  it("rejects a request without any credential with AADSTS7000218 (401)", async () => {
    const emulator = await emulatorFor(cert);
    const { client_secret: _, ...form } = secretForm();
    const body = await errorOf(await postForm(emulator, TOKEN_URL, form));
    expect(body).toMatchObject({ status: 401, error: "invalid_client", error_codes: [7000218] });
    // An empty secret is no secret.
    const empty = await errorOf(
      await postForm(emulator, TOKEN_URL, secretForm({ client_secret: "" })),
    );
    expect(empty.error_codes).toEqual([7000218]);
  });

  it("accepts HTTP Basic client authentication with form-encoded user and password (RFC 6749 §2.3.1)", async () => {
    const emulator = await emulatorFor(cert);
    const basic = btoa(`${encodeURIComponent(CLIENT)}:${encodeURIComponent(SECRET)}`);
    const form = { scope: GRAPH, grant_type: "client_credentials" };
    const response = await postForm(emulator, TOKEN_URL, form, { Authorization: `Basic ${basic}` });
    expect(response.status).toBe(200);
    expect(emulator.tokenRequests()[0]?.clientId).toBe(CLIENT);
    // client_id may be repeated in the body if it matches.
    expect(
      (
        await postForm(
          emulator,
          TOKEN_URL,
          { ...form, client_id: CLIENT },
          { Authorization: `Basic ${basic}` },
        )
      ).status,
    ).toBe(200);
  });

  it("rejects a wrong Basic password, a mismatching client_id and a malformed Basic header", async () => {
    const emulator = await emulatorFor(cert);
    const form = { scope: GRAPH, grant_type: "client_credentials" };
    const wrong = await errorOf(
      await postForm(emulator, TOKEN_URL, form, {
        Authorization: `Basic ${btoa(`${CLIENT}:nope`)}`,
      }),
    );
    expect(wrong).toMatchObject({ status: 401, error_codes: [7000215] });
    const mismatch = await errorOf(
      await postForm(
        emulator,
        TOKEN_URL,
        { ...form, client_id: OTHER_CLIENT },
        { Authorization: `Basic ${btoa(`${CLIENT}:${SECRET}`)}` },
      ),
    );
    expect(mismatch).toMatchObject({
      status: 400,
      error: "invalid_request",
      error_codes: [9002313],
    });
    const malformed = await errorOf(
      await postForm(emulator, TOKEN_URL, form, { Authorization: "Basic !!!" }),
    );
    expect(malformed).toMatchObject({ status: 400, error_codes: [9002313] });
  });

  it("rejects two credentials at once (secret + assertion, body secret + Basic) with 9002313", async () => {
    const emulator = await emulatorFor(cert);
    const both = await errorOf(
      await postForm(emulator, TOKEN_URL, {
        ...assertionForm(await ps256Assertion(cert)),
        client_secret: SECRET,
      }),
    );
    expect(both).toMatchObject({ status: 400, error: "invalid_request", error_codes: [9002313] });
    const basicAndBody = await errorOf(
      await postForm(emulator, TOKEN_URL, secretForm(), {
        Authorization: `Basic ${btoa(`${CLIENT}:${SECRET}`)}`,
      }),
    );
    expect(basicAndBody.error_codes).toEqual([9002313]);
  });

  it("sends refresh_in and custom lifetimes when configured, and opaque tokens on request", async () => {
    const emulator = await emulatorFor(cert, {
      tokenLifetimeSeconds: 86399,
      extExpiresInSeconds: 172799,
      refreshInSeconds: 43199,
      accessTokenFormat: "opaque",
    });
    const text = await (await postForm(emulator, TOKEN_URL, secretForm())).text();
    const body = JSON.parse(text) as { access_token: string };
    expect(text).toBe(
      `{"token_type":"Bearer","expires_in":86399,"ext_expires_in":172799,"refresh_in":43199,"access_token":"${body.access_token}"}`,
    );
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{2048}$/);
    await expect(emulator.verifyAccessToken(body.access_token)).rejects.toThrow(/opaque/);
  });

  it("uses the injected clock for token times and verification", async () => {
    let clock = Date.UTC(2030, 0, 1, 12, 0, 0);
    const emulator = await emulatorFor(cert, { now: () => clock });
    const { access_token: token } = (await (
      await postForm(emulator, TOKEN_URL, secretForm())
    ).json()) as { access_token: string };
    const claims = await emulator.verifyAccessToken(token);
    expect(claims.exp).toBe(clock / 1000 + 3599);
    expect(emulator.tokenRequests()[0]?.grantedAt).toBe(clock);
    clock += 3600_000;
    await expect(emulator.verifyAccessToken(token)).rejects.toThrow(/exp/);
  });

  it("validates its options", async () => {
    await expect(createEntraEmulator({ tenants: ["not-a-guid"], apps: [] })).rejects.toThrow(
      TypeError,
    );
    await expect(
      createEntraEmulator({ tenants: [TENANT], apps: [{ clientId: "app" }] }),
    ).rejects.toThrow(/GUID/);
    await expect(
      createEntraEmulator({
        tenants: [TENANT],
        apps: [{ clientId: CLIENT, tenants: [OTHER_CLIENT] }],
      }),
    ).rejects.toThrow(/not configured/);
    await expect(
      createEntraEmulator({
        tenants: [TENANT],
        apps: [{ clientId: CLIENT, certificates: ["nope"] }],
      }),
    ).rejects.toThrow(/CERTIFICATE/);
    await expect(
      createEntraEmulator({ tenants: [TENANT], apps: [], tokenLifetimeSeconds: 0 }),
    ).rejects.toThrow(/tokenLifetimeSeconds/);
    await expect(
      createEntraEmulator({ tenants: [TENANT, TENANT.toUpperCase()], apps: [] }),
    ).rejects.toThrow(/twice/);
  });

  it("refuses certificates with short RSA keys", async () => {
    const weak = generateCertificate({ bits: 1024 });
    await expect(
      createEntraEmulator({
        tenants: [TENANT],
        apps: [{ clientId: CLIENT, certificates: [weak.certificatePem] }],
      }),
    ).rejects.toThrow(/2048/);
  });
});

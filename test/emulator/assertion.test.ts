import { beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair } from "jose";
import type { EntraEmulator } from "../../src/testing/index";
import {
  CLIENT,
  TENANT,
  TENANT_DOMAIN,
  TOKEN_URL,
  type TestCertificate,
  assertionClaims,
  assertionForm,
  emulatorFor,
  errorOf,
  generateCertificate,
  postForm,
  ps256Assertion,
  rs256Assertion,
  signJwt,
} from "./helpers";

let cert: TestCertificate;
let stranger: TestCertificate;
let shared: EntraEmulator;
beforeAll(async () => {
  cert = generateCertificate({ days: 30 });
  stranger = generateCertificate();
  shared = await emulatorFor(cert);
});

/** Posts an assertion form; on a fresh emulator when `options` are given, else on a shared one. */
async function tokenWith(
  assertion: string,
  url = TOKEN_URL,
  extra: Record<string, string> = {},
  options?: object,
) {
  const emulator = options ? await emulatorFor(cert, options) : shared;
  return postForm(emulator, url, assertionForm(assertion, extra));
}

describe("client assertion checks", () => {
  it("accepts PS256 + x5t#S256 (MSAL.NET's shape) and marks the token appidacr 2", async () => {
    const emulator = await emulatorFor(cert);
    const response = await postForm(emulator, TOKEN_URL, assertionForm(await ps256Assertion(cert)));
    expect(response.status).toBe(200);
    const { access_token: token } = (await response.json()) as { access_token: string };
    expect((await emulator.verifyAccessToken(token)).appidacr).toBe("2");
  });

  it("accepts RS256 + x5t (msal-node's shape), and RS256 + x5t#S256", async () => {
    expect((await tokenWith(await rs256Assertion(cert))).status).toBe(200);
    const rsWithSha256 = await signJwt(
      { alg: "RS256", typ: "JWT", "x5t#S256": cert.x5tS256 },
      assertionClaims(),
      cert.privateKeyPem,
    );
    expect((await tokenWith(rsWithSha256)).status).toBe(200);
  });

  it("accepts x5c as a single string (MSAL.NET) or an array (msal-node), and rejects other x5c values as malformed", async () => {
    expect((await tokenWith(await ps256Assertion(cert, {}, { x5c: cert.x5c }))).status).toBe(200);
    expect((await tokenWith(await rs256Assertion(cert, {}, { x5c: [cert.x5c] }))).status).toBe(200);
    const bad = await errorOf(await tokenWith(await rs256Assertion(cert, {}, { x5c: 42 })));
    expect(bad).toMatchObject({ status: 400, error_codes: [50027] });
  });

  it("accepts numeric-string (MSAL.NET) and float (MSAL Python) times, without nbf or iat", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(
      (
        await tokenWith(
          await ps256Assertion(cert, { nbf: String(now), exp: String(now + 600), iat: undefined }),
        )
      ).status,
    ).toBe(200);
    const python: Record<string, unknown> = {
      ...assertionClaims(),
      iat: now + 0.25,
      exp: now + 600.5,
      nbf: undefined,
    };
    expect(
      (
        await tokenWith(
          await signJwt(
            { alg: "PS256", typ: "JWT", "x5t#S256": cert.x5tS256 },
            python,
            cert.privateKeyPem,
          ),
        )
      ).status,
    ).toBe(200);
  });

  it("rejects an unknown thumbprint with 700027 'The key was not found.'", async () => {
    const body = await errorOf(await tokenWith(await ps256Assertion(stranger)));
    expect(body).toMatchObject({ status: 401, error: "invalid_client", error_codes: [700027] });
    expect(body.error_description).toContain(
      "[Reason - The key was not found., Thumbprint of key used by client: '",
    );
    const sha1Hex = Buffer.from(stranger.x5t, "base64url").toString("hex").toUpperCase();
    expect(
      (await errorOf(await tokenWith(await rs256Assertion(stranger)))).error_description,
    ).toContain(`'${sha1Hex}'`);
    const none = await errorOf(
      await tokenWith(
        await signJwt({ alg: "RS256", typ: "JWT" }, assertionClaims(), cert.privateKeyPem),
      ),
    );
    expect(none.error_codes).toEqual([700027]);
  });

  it("rejects a signature by another key under a registered thumbprint with 700027", async () => {
    const forged = await signJwt(
      { alg: "PS256", typ: "JWT", "x5t#S256": cert.x5tS256 },
      assertionClaims(),
      stranger.privateKeyPem,
    );
    const body = await errorOf(await tokenWith(forged));
    expect(body).toMatchObject({ status: 401, error_codes: [700027] });
    expect(body.error_description).toContain(
      "The provided signature value did not match the expected signature value.",
    );
  });

  it("rejects ES256 (Entra keys are RSA) and PS256 named by a SHA-1 x5t with 700027", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const es256 = await signJwt(
      { alg: "ES256", typ: "JWT", "x5t#S256": cert.x5tS256 },
      assertionClaims(),
      privateKey,
    );
    expect(await errorOf(await tokenWith(es256))).toMatchObject({
      status: 401,
      error_codes: [700027],
    });
    const psSha1 = await signJwt(
      { alg: "PS256", typ: "JWT", x5t: cert.x5t },
      assertionClaims(),
      cert.privateKeyPem,
    );
    expect(await errorOf(await tokenWith(psSha1))).toMatchObject({
      status: 401,
      error_codes: [700027],
    });
    const hs256 = await signJwt(
      { alg: "HS256", typ: "JWT", x5t: cert.x5t },
      assertionClaims(),
      new Uint8Array(32) as unknown as CryptoKey,
    );
    expect(await errorOf(await tokenWith(hs256))).toMatchObject({
      status: 401,
      error_codes: [700027],
    });
  });

  it("rejects an aud other than the token endpoint the request hit with 700023", async () => {
    const cases = [
      `https://login.microsoftonline.com/${TENANT}/v2.0`,
      `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token/`,
      `https://login.windows.net/${TENANT}/oauth2/v2.0/token`,
      `https://login.microsoftonline.com/${TENANT_DOMAIN}/oauth2/v2.0/token`,
      `https://login.microsoftonline.com/${TENANT}/oauth2/token`,
    ];
    for (const aud of cases) {
      const body = await errorOf(await tokenWith(await ps256Assertion(cert, { aud })));
      expect(body, aud).toMatchObject({
        status: 401,
        error: "invalid_client",
        error_codes: [700023],
      });
    }
  });

  it("accepts the regional endpoint as aud at the regional host, and only there", async () => {
    const regional = `https://westus2.login.microsoft.com/${TENANT}/oauth2/v2.0/token`;
    expect(
      (
        await tokenWith(
          await ps256Assertion(cert, { aud: regional }),
          `${regional}?allowestsrnonmsi=true`,
        )
      ).status,
    ).toBe(200);
    expect(
      (await errorOf(await tokenWith(await ps256Assertion(cert), regional))).error_codes,
    ).toEqual([700023]);
    expect(
      (await errorOf(await tokenWith(await ps256Assertion(cert, { aud: regional })))).error_codes,
    ).toEqual([700023]);
    const domainAud = `https://login.microsoftonline.com/${TENANT_DOMAIN}/oauth2/v2.0/token`;
    expect(
      (await tokenWith(await ps256Assertion(cert, { aud: domainAud }), domainAud)).status,
    ).toBe(200);
  });

  it("rejects an array aud as malformed (50027, 400)", async () => {
    const body = await errorOf(await tokenWith(await ps256Assertion(cert, { aud: [TOKEN_URL] })));
    expect(body).toMatchObject({ status: 400, error: "invalid_request", error_codes: [50027] });
  });

  it("rejects iss ≠ client_id with 700021 and sub ≠ iss with 50048", async () => {
    const other = "99999999-2222-3333-4444-555555555555";
    expect(
      await errorOf(await tokenWith(await ps256Assertion(cert, { iss: other, sub: other }))),
    ).toMatchObject({
      status: 401,
      error_codes: [700021],
    });
    expect(
      await errorOf(await tokenWith(await ps256Assertion(cert, { sub: other }))),
    ).toMatchObject({ status: 401, error_codes: [50048] });
    expect(
      (
        await tokenWith(
          await ps256Assertion(cert, { iss: CLIENT.toUpperCase(), sub: CLIENT.toUpperCase() }),
        )
      ).status,
    ).toBe(200);
  });

  it("rejects missing required claims with 90014", async () => {
    for (const claim of ["aud", "iss", "sub", "exp"]) {
      const body = await errorOf(
        await tokenWith(await ps256Assertion(cert, { [claim]: undefined })),
      );
      expect(body, claim).toMatchObject({
        status: 400,
        error: "invalid_request",
        error_codes: [90014],
      });
      expect(body.error_description).toContain(`'${claim}'`);
    }
  });

  it("rejects an expired assertion with 700024 and the Entra time-range text", async () => {
    const now = Math.floor(Date.now() / 1000);
    const body = await errorOf(
      await tokenWith(
        await ps256Assertion(cert, { nbf: now - 1300, iat: now - 1300, exp: now - 700 }),
      ),
    );
    expect(body).toMatchObject({ status: 401, error: "invalid_client", error_codes: [700024] });
    expect(body.error_description).toMatch(
      /^AADSTS700024: Client assertion is not within its valid time range\. Current time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z, assertion valid from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.0000000Z, expiry time of assertion \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.0000000Z\./,
    );
  });

  it("rejects a not-yet-valid assertion with 700024, within the configured clock skew only", async () => {
    const now = Math.floor(Date.now() / 1000);
    const early = { nbf: now + 400, iat: now + 400, exp: now + 1000 };
    expect((await errorOf(await tokenWith(await ps256Assertion(cert, early)))).error_codes).toEqual(
      [700024],
    );
    expect(
      (await tokenWith(await ps256Assertion(cert, early), TOKEN_URL, {}, { clockSkewSeconds: 600 }))
        .status,
    ).toBe(200);
    // Expired 200 s ago: inside the default 300 s skew.
    expect(
      (await tokenWith(await ps256Assertion(cert, { nbf: now - 800, exp: now - 200 }))).status,
    ).toBe(200);
  });

  it("rejects non-numeric times and a malformed JWT with 50027", async () => {
    expect(
      (await errorOf(await tokenWith(await ps256Assertion(cert, { exp: "tomorrow" })))).error_codes,
    ).toEqual([50027]);
    for (const junk of ["not-a-jwt", "a.b.c", `${btoa("{}")}.${btoa("[]")}.sig`]) {
      expect(await errorOf(await tokenWith(junk)), junk).toMatchObject({
        status: 400,
        error_codes: [50027],
      });
    }
  });

  it("rejects a replayed jti with 50013 by default, and allows it with jtiReplay: 'allow'", async () => {
    const assertion = await ps256Assertion(cert);
    const strict = await emulatorFor(cert);
    expect((await postForm(strict, TOKEN_URL, assertionForm(assertion))).status).toBe(200);
    const replay = await errorOf(await postForm(strict, TOKEN_URL, assertionForm(assertion)));
    expect(replay).toMatchObject({ status: 401, error: "invalid_client", error_codes: [50013] });
    strict.reset();
    expect((await postForm(strict, TOKEN_URL, assertionForm(assertion))).status).toBe(200);

    const lenient = await emulatorFor(cert, { jtiReplay: "allow" });
    for (let i = 0; i < 3; i++)
      expect((await postForm(lenient, TOKEN_URL, assertionForm(assertion))).status).toBe(200);
  });

  it("forgets a jti once its assertion has expired", async () => {
    let clock = Date.now();
    const emulator = await emulatorFor(cert, { now: () => clock });
    const now = Math.floor(clock / 1000);
    const assertion = await ps256Assertion(cert, { jti: "fixed", nbf: now, exp: now + 60 });
    expect((await postForm(emulator, TOKEN_URL, assertionForm(assertion))).status).toBe(200);
    clock += 30_000;
    expect(
      (await errorOf(await postForm(emulator, TOKEN_URL, assertionForm(assertion)))).error_codes,
    ).toEqual([50013]);
    const fresh = await ps256Assertion(cert, { jti: "fixed", nbf: now + 400, exp: now + 1000 });
    clock += 400_000;
    expect((await postForm(emulator, TOKEN_URL, assertionForm(fresh))).status).toBe(200);
  });

  it("rejects assertions signed with a certificate outside its validity period", async () => {
    const clock = cert.notAfter + 86_400_000;
    const now = Math.floor(clock / 1000);
    const emulator = await emulatorFor(cert, { now: () => clock });
    const body = await errorOf(
      await postForm(
        emulator,
        TOKEN_URL,
        assertionForm(await ps256Assertion(cert, assertionClaims(TOKEN_URL, now))),
      ),
    );
    expect(body).toMatchObject({ status: 401, error_codes: [700027] });
    expect(body.error_description).toContain("The key used is expired.");
  });

  it("checks client_assertion_type: missing 900144, wrong 90100", async () => {
    const assertion = await ps256Assertion(cert);
    const missing = await errorOf(
      await tokenWith(assertion, TOKEN_URL, { client_assertion_type: "" }),
    );
    expect(missing).toMatchObject({ status: 400, error: "invalid_request", error_codes: [900144] });
    expect(missing.error_description).toContain("'client_assertion_type'");
    const wrong = await errorOf(
      await tokenWith(assertion, TOKEN_URL, {
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
      }),
    );
    expect(wrong).toMatchObject({ status: 400, error: "invalid_request", error_codes: [90100] });
  });

  it("requires client_id with an assertion", async () => {
    const emulator = await emulatorFor(cert);
    const { client_id: _, ...form } = assertionForm(await ps256Assertion(cert));
    expect(await errorOf(await postForm(emulator, TOKEN_URL, form))).toMatchObject({
      status: 400,
      error_codes: [900144],
    });
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import type { EntraEmulator } from "../../src/testing/index";
import {
  CLIENT,
  GRAPH,
  OTHER_CLIENT,
  type TestCertificate,
  assertionClaims,
  assertionForm,
  emulatorFor,
  generateCertificate,
  postForm,
  secretForm,
  signJwt,
} from "./helpers";

const ADFS_TOKEN = "https://adfs.contoso.com/adfs/oauth2/token";
let cert: TestCertificate;
let emulator: EntraEmulator;
beforeAll(async () => {
  cert = generateCertificate();
  emulator = await emulatorFor(cert, { adfs: { host: "adfs.contoso.com", apps: [CLIENT] } });
});

describe("ADFS", () => {
  it("issues a token with ADFS's body (lower-case bearer, no ext_expires_in) for a secret", async () => {
    const response = await postForm(emulator, ADFS_TOKEN, secretForm());
    expect(response.status).toBe(200);
    const text = await response.text();
    const { access_token: token } = JSON.parse(text) as { access_token: string };
    expect(text).toBe(`{"access_token":"${token}","token_type":"bearer","expires_in":3599}`);
    const claims = await emulator.verifyAccessToken(token, {
      audience: "https://graph.microsoft.com",
    });
    expect(claims).toMatchObject({
      iss: "http://adfs.contoso.com/adfs/services/trust",
      appid: CLIENT,
      apptype: "Confidential",
      ver: "1.0",
    });
    expect(claims.tid).toBeUndefined();
    expect(emulator.requests.at(-1)).toMatchObject({
      kind: "token",
      tenant: "adfs",
      tenantId: undefined,
    });
  });

  it("checks RS256 + x5t assertions with the ADFS token endpoint as aud", async () => {
    const assertion = await signJwt(
      { alg: "RS256", typ: "JWT", x5t: cert.x5t },
      assertionClaims(ADFS_TOKEN),
      cert.privateKeyPem,
    );
    expect((await postForm(emulator, ADFS_TOKEN, assertionForm(assertion))).status).toBe(200);
    const wrongAud = await signJwt(
      { alg: "RS256", typ: "JWT", x5t: cert.x5t },
      assertionClaims(),
      cert.privateKeyPem,
    );
    const response = await postForm(emulator, ADFS_TOKEN, assertionForm(wrongAud));
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: "invalid_client",
      error_description: expect.stringMatching(
        /^Client assertion audience claim does not match/,
      ) as unknown as string,
    });
  });

  it("answers errors with plain RFC 6749 bodies, and refuses apps not registered on ADFS", async () => {
    const response = await postForm(emulator, ADFS_TOKEN, {
      ...secretForm(),
      client_id: OTHER_CLIENT,
      client_secret: "other",
    });
    expect(response.status).toBe(400);
    expect(Object.keys((await response.json()) as object)).toEqual(["error", "error_description"]);
    expect(
      (await postForm(emulator, ADFS_TOKEN, secretForm({ scope: GRAPH, client_secret: "x" })))
        .status,
    ).toBe(401);
  });

  it("serves its OpenID configuration and keys", async () => {
    const response = await emulator.fetch(
      "https://adfs.contoso.com/adfs/.well-known/openid-configuration",
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      issuer: "https://adfs.contoso.com/adfs",
      token_endpoint: ADFS_TOKEN,
      jwks_uri: "https://adfs.contoso.com/adfs/discovery/keys",
      access_token_issuer: "http://adfs.contoso.com/adfs/services/trust",
    });
    expect(
      await (await emulator.fetch("https://adfs.contoso.com/adfs/discovery/keys")).json(),
    ).toEqual(emulator.publicJwks);
    expect(
      (await emulator.fetch("https://adfs.contoso.com/common/discovery/instance?api-version=1.1"))
        .status,
    ).toBe(404);
  });
});

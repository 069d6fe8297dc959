// The emulator checks federated assertions as Entra does, against the issuer's own keys found by
// OIDC discovery on loopback: the AADSTS codes reach the application as ServiceErrors, and the
// helpers' tokens never appear in them.
import { describe, expect, it } from "vitest";
import { ServiceError } from "../../src/index";
import { createEntraEmulator } from "../../src/testing/index";
import { vercelOidcToken } from "../../federation/index";
import {
  appWith,
  clientId,
  errorText,
  federatedEmulator,
  graph,
  graphTokenFailure,
  subject,
  tenantA,
  useIssuer,
} from "./setup";

const env = useIssuer();

async function refusal(token: string, emulator?: Awaited<ReturnType<typeof federatedEmulator>>) {
  const target = emulator ?? (await federatedEmulator(env.issuer));
  const error = await graphTokenFailure(vercelOidcToken(token), target.fetch);
  expect(error).toBeInstanceOf(ServiceError);
  expect(errorText(error)).not.toContain(token);
  return error as ServiceError;
}

describe("the emulator's federated credential checks", () => {
  it("accepts a token of a trusted issuer, subject and audience from an app with no secret or certificate", async () => {
    const emulator = await federatedEmulator(env.issuer);
    const result = await appWith(
      vercelOidcToken(await env.issuer.mint({ sub: subject })),
      emulator.fetch,
    ).acquireTokenForClient([graph]);
    const claims = await emulator.verifyAccessToken(result.accessToken, { tenantId: tenantA });
    expect(claims).toMatchObject({ appid: clientId, appidacr: "2" });
    expect(env.issuer.metadataRequests).toEqual(
      expect.arrayContaining(["/.well-known/openid-configuration", "/keys"]),
    );
  });

  it("answers a token of another issuer sent for an app without federated credentials with AADSTS700211", async () => {
    const emulator = await createEntraEmulator({
      tenants: [tenantA],
      apps: [{ clientId, secrets: ["a-secret-value"] }],
    });
    const refused = await refusal(await env.issuer.mint({ sub: subject }), emulator);
    expect(refused.errorCodes).toEqual([700211]);
  });

  it("answers a wrong subject with AADSTS700213 (7002138 when only the case differs)", async () => {
    const wrong = await refusal(await env.issuer.mint({ sub: "system:serviceaccount:other:app" }));
    expect(wrong).toMatchObject({ status: 401, error: "invalid_client", errorCodes: [700213] });
    expect(wrong.errorDescription).toContain(
      "No matching federated identity record found for presented assertion subject 'system:serviceaccount:other:app'",
    );
    const cased = await refusal(await env.issuer.mint({ sub: subject.toUpperCase() }));
    expect(cased.errorCodes).toEqual([7002138]);
  });

  it("answers an unknown issuer with AADSTS700211, and a wrong audience with AADSTS70021", async () => {
    const unknown = await refusal(
      await env.issuer.mint({ sub: subject, iss: "https://issuer.example" }),
    );
    expect(unknown).toMatchObject({ status: 401, errorCodes: [700211] });
    expect(unknown.errorDescription).toContain(
      "presented assertion issuer 'https://issuer.example'",
    );
    const audience = await refusal(await env.issuer.mint({ sub: subject, aud: "api://other" }));
    expect(audience.errorCodes).toEqual([70021]);
    expect(audience.errorDescription).toContain("Assertion Audience: 'api://other'");
  });

  it("answers a token outside its time window with AADSTS700024 (the emulator's clock is ahead)", async () => {
    const emulator = await federatedEmulator(env.issuer, { now: () => Date.now() + 2 * 3600_000 });
    const expired = await refusal(
      await env.issuer.mint({ sub: subject, lifetimeSeconds: 3600 }),
      emulator,
    );
    expect(expired).toMatchObject({ status: 401, errorCodes: [700024] });
    expect(expired.errorDescription).toContain(
      "Client assertion is not within its valid time range.",
    );
    const early = await refusal(await env.issuer.mint({ sub: subject, notBeforeSeconds: 3600 }));
    expect(early.errorCodes).toEqual([700024]);
  });

  it("answers a key the issuer does not publish with AADSTS7000272, and a bad signature with AADSTS50013", async () => {
    const unknownKey = await refusal(await env.issuer.mint({ sub: subject, kid: "rotated-away" }));
    expect(unknownKey.errorCodes).toEqual([7000272]);
    const token = await env.issuer.mint({ sub: subject });
    const [header, payload] = token.split(".");
    const forged = `${header}.${payload}.${"A".repeat(342)}`;
    expect((await refusal(forged)).errorCodes).toEqual([50013]);
  });

  it("answers AADSTS50166 when the issuer's discovery fails or names another issuer (through the fetch option)", async () => {
    const token = await env.issuer.mint({ sub: subject });
    const down = await federatedEmulator(env.issuer, {
      fetch: async () => new Response("down", { status: 503 }),
    });
    expect((await refusal(token, down)).errorCodes).toEqual([50166]);
    const requested: string[] = [];
    const impostor = await federatedEmulator(env.issuer, {
      fetch: async (input) => {
        requested.push(String(input));
        return Response.json({
          issuer: "https://impostor.example",
          jwks_uri: `${env.issuer.issuer}/keys`,
        });
      },
    });
    expect((await refusal(token, impostor)).errorCodes).toEqual([50166]);
    expect(requested).toEqual([`${env.issuer.issuer}/.well-known/openid-configuration`]);
  });

  it("honours a credential's audiences, and validates federated credentials at creation", async () => {
    const emulator = await createEntraEmulator({
      tenants: [tenantA],
      apps: [
        {
          clientId,
          federatedCredentials: [{ issuer: env.issuer.issuer, subject, audiences: ["api://mine"] }],
        },
      ],
    });
    const app = appWith(
      vercelOidcToken(await env.issuer.mint({ sub: subject, aud: "api://mine" })),
      emulator.fetch,
    );
    await expect(app.acquireTokenForClient([graph])).resolves.toBeDefined();
    expect((await refusal(await env.issuer.mint({ sub: subject }), emulator)).errorCodes).toEqual([
      70021,
    ]);

    const many = Array.from({ length: 21 }, (_, i) => ({
      issuer: env.issuer.issuer,
      subject: `s${i}`,
    }));
    await expect(
      createEntraEmulator({ tenants: [tenantA], apps: [{ clientId, federatedCredentials: many }] }),
    ).rejects.toThrow(/more than 20/);
    await expect(
      createEntraEmulator({
        tenants: [tenantA],
        apps: [{ clientId, federatedCredentials: [{ issuer: "not a url", subject }] }],
      }),
    ).rejects.toThrow(/issuer is not a URL/);
  });
});

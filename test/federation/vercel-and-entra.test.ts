// vercelOidcToken from the environment, a function and a string (in Node; workerd is in
// runtimes.test.ts), and entraTokenAssertion: app-to-app federation validated by the emulator
// against its own issuer and keys.
import { afterEach, describe, expect, it } from "vitest";
import {
  ClientError,
  ConfidentialClientApplicationBuilder,
  NetworkError,
  ServiceError,
} from "../../src/index";
import { createEntraEmulator } from "../../src/testing/index";
import { entraTokenAssertion, kubernetesTokenFile, vercelOidcToken } from "../../federation/index";
import {
  appWith,
  clientId,
  errorText,
  federatedEmulator,
  graph,
  graphTokenFailure,
  sentAssertions,
  subject,
  tenantA,
  tenantB,
  useIssuer,
} from "./setup";

const env = useIssuer();
afterEach(() => delete process.env["VERCEL_OIDC_TOKEN"]);

describe("vercelOidcToken", () => {
  it("reads VERCEL_OIDC_TOKEN when a token is needed, not before", async () => {
    const emulator = await federatedEmulator(env.issuer);
    const app = appWith(vercelOidcToken(), emulator.fetch);
    const token = await env.issuer.mint({ sub: subject });
    process.env["VERCEL_OIDC_TOKEN"] = token;
    await app.acquireTokenForClient([graph]);
    await app.acquireTokenForClient([graph]).withTenantId(tenantB);
    expect(sentAssertions(emulator)).toEqual([token, token]);
  });

  it("calls a function only when a token is needed, once while its token lives", async () => {
    const emulator = await federatedEmulator(env.issuer);
    const token = await env.issuer.mint({ sub: subject });
    let calls = 0;
    const app = appWith(
      vercelOidcToken(async () => {
        calls++;
        return token;
      }),
      emulator.fetch,
    );
    expect(calls).toBe(0);
    await app.acquireTokenForClient([graph]);
    await app.acquireTokenForClient([graph]).withTenantId(tenantB);
    expect(calls).toBe(1);
    expect(sentAssertions(emulator)).toEqual([token, token]);
  });

  it("takes a token string", async () => {
    const emulator = await federatedEmulator(env.issuer);
    const token = await env.issuer.mint({ sub: subject });
    await appWith(vercelOidcToken(token), emulator.fetch).acquireTokenForClient([graph]);
    expect(sentAssertions(emulator)).toEqual([token]);
  });

  it("names VERCEL_OIDC_TOKEN when it is unset; a function that fails or returns nothing is a ClientError without its text", async () => {
    const emulator = await federatedEmulator(env.issuer);
    const unset = await graphTokenFailure(vercelOidcToken(), emulator.fetch);
    expect(unset).toBeInstanceOf(ClientError);
    expect(unset.message).toContain("VERCEL_OIDC_TOKEN");
    const leaky = "eyJsecret.in-an-error.message";
    const thrown = await graphTokenFailure(
      vercelOidcToken(() => {
        throw new Error(leaky);
      }),
      emulator.fetch,
    );
    expect(thrown).toBeInstanceOf(ClientError);
    expect(errorText(thrown)).not.toContain(leaky);
    const nothing = await graphTokenFailure(
      vercelOidcToken(() => null),
      emulator.fetch,
    );
    expect(nothing.message).toContain("no token");
    expect(emulator.tokenRequests()).toHaveLength(0);
  });
});

describe("every helper, given a wrong argument", () => {
  it("throws nothing when created: the ClientError comes at the first acquisition, before any token request", async () => {
    const emulator = await federatedEmulator(env.issuer);
    const helpers = [
      kubernetesTokenFile(""),
      vercelOidcToken(42 as unknown as string),
      entraTokenAssertion({} as never),
    ];
    for (const helper of helpers) {
      const error = await graphTokenFailure(helper, emulator.fetch);
      expect(error).toBeInstanceOf(ClientError);
    }
    expect(emulator.tokenRequests()).toHaveLength(0);
  });
});

describe("entraTokenAssertion (app-to-app federation)", () => {
  const brokerId = "99999999-8888-4777-8666-555555555555";
  const brokerObjectId = "44444444-3333-4222-8111-000000000000";
  const brokerSecret = "broker-secret-value";

  /** The broker application, whose access token is the assertion, with its own L1. */
  function brokerApp(fetcher: typeof fetch) {
    return ConfidentialClientApplicationBuilder.create(brokerId)
      .withClientSecret(brokerSecret)
      .withTenantId(tenantA)
      .withHttpClient(fetcher)
      .withMemoryCache({ shared: false })
      .build();
  }

  async function setup(subjectOfCredential = brokerObjectId) {
    const emulator = await createEntraEmulator({
      tenants: [tenantA, tenantB],
      apps: [
        { clientId: brokerId, secrets: [brokerSecret], servicePrincipalId: brokerObjectId },
        {
          clientId,
          federatedCredentials: [
            {
              issuer: `https://login.microsoftonline.com/${tenantA}/v2.0`,
              subject: subjectOfCredential,
            },
          ],
        },
      ],
    });
    const broker = brokerApp(emulator.fetch);
    return { emulator, broker };
  }

  it("sends the other application's token for api://AzureADTokenExchange/.default; the emulator checks it with its own keys", async () => {
    const { emulator, broker } = await setup();
    const app = appWith(entraTokenAssertion(broker), emulator.fetch);
    const result = await app.acquireTokenForClient([graph]).withTenantId(tenantB);
    expect((await emulator.verifyAccessToken(result.accessToken)).tid).toBe(tenantB);
    const [brokerRequest, appRequest] = emulator.tokenRequests();
    expect(brokerRequest?.form["scope"]).toBe("api://AzureADTokenExchange/.default");
    const exchangeToken = appRequest?.form["client_assertion"] ?? "";
    const claims = await emulator.verifyAccessToken(exchangeToken);
    expect(claims).toMatchObject({
      iss: `https://login.microsoftonline.com/${tenantA}/v2.0`,
      sub: brokerObjectId,
      aud: "api://AzureADTokenExchange",
      ver: "2.0",
    });
    // The other tenant reuses the same assertion, without asking the broker again.
    await app.acquireTokenForClient([graph]);
    expect(emulator.tokenRequests().map((r) => r.clientId)).toEqual([brokerId, clientId, clientId]);
  });

  it("is refused by the emulator when the credential names another subject (ServiceError 700213)", async () => {
    const { emulator, broker } = await setup("00000000-1111-4222-8333-444444444444");
    const error = await graphTokenFailure(entraTokenAssertion(broker), emulator.fetch);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).errorCodes).toEqual([700213]);
  });

  it("turns the other application's failure into a ClientError (a NetworkError when it got no answer), never a ServiceError", async () => {
    const { emulator } = await setup();
    const wrongBroker = ConfidentialClientApplicationBuilder.create(brokerId)
      .withClientSecret("not-the-secret")
      .withTenantId(tenantA)
      .withHttpClient(emulator.fetch)
      .withMemoryCache({ shared: false })
      .build();
    const refused = await graphTokenFailure(entraTokenAssertion(wrongBroker), emulator.fetch);
    expect(refused).toBeInstanceOf(ClientError);
    expect(refused.message).toContain("entraTokenAssertion");
    expect(refused.message).toContain("7000215");
    expect(errorText(refused)).not.toContain("not-the-secret");

    const offline = ConfidentialClientApplicationBuilder.create(brokerId)
      .withClientSecret(brokerSecret)
      .withTenantId(tenantA)
      .withHttpClient(() => Promise.reject(new TypeError("fetch failed")))
      .withRetry(false)
      .withMemoryCache({ shared: false })
      .build();
    const unreachable = await graphTokenFailure(entraTokenAssertion(offline), emulator.fetch);
    expect(unreachable).toBeInstanceOf(NetworkError);
    expect(emulator.tokenRequests().filter((r) => r.clientId === clientId)).toHaveLength(0);
  });

  it("without servicePrincipalId, the subject is the other app's oid, the same in every emulator instance", async () => {
    const directory = {
      tenants: [tenantA],
      apps: [{ clientId: brokerId, secrets: [brokerSecret] }],
    };
    const probe = await createEntraEmulator(directory);
    const token = (
      await ConfidentialClientApplicationBuilder.create(brokerId)
        .withClientSecret(brokerSecret)
        .withTenantId(tenantA)
        .withHttpClient(probe.fetch)
        .withMemoryCache({ shared: false })
        .build()
        .acquireTokenForClient(["api://AzureADTokenExchange/.default"])
    ).accessToken;
    const { oid } = await probe.verifyAccessToken(token);
    const emulator = await createEntraEmulator({
      ...directory,
      apps: [
        ...directory.apps,
        {
          clientId,
          federatedCredentials: [
            { issuer: `https://login.microsoftonline.com/${tenantA}/v2.0`, subject: String(oid) },
          ],
        },
      ],
    });
    const broker = brokerApp(emulator.fetch);
    await expect(
      appWith(entraTokenAssertion(broker), emulator.fetch).acquireTokenForClient([graph]),
    ).resolves.toBeDefined();
  });
});

// githubActionsToken against a loopback token service that checks the bearer and the audience:
// the query already in ACTIONS_ID_TOKEN_REQUEST_URL is kept, the audience follows the cloud of
// the token endpoint, one fetch serves several tenants (also concurrently), and refusals are
// ClientErrors (NetworkError with no answer) that never quote the bearer or the token.
import { afterEach, describe, expect, it } from "vitest";
import { ClientError, ConfidentialClientApplication, NetworkError } from "../../src/index";
import { githubActionsToken } from "../../federation/index";
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
  tenantC,
  useIssuer,
} from "./setup";

const env = useIssuer();

function setActionsEnvironment(url = env.issuer.actionsUrl, bearer = env.issuer.actionsBearer) {
  process.env["ACTIONS_ID_TOKEN_REQUEST_URL"] = url;
  process.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = bearer;
}

afterEach(() => {
  delete process.env["ACTIONS_ID_TOKEN_REQUEST_URL"];
  delete process.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"];
  env.issuer.actionsRequests.length = 0;
  env.issuer.actionsMint = {};
});

describe("githubActionsToken", () => {
  it("asks the token service with the bearer, the kept api-version and the default audience, and sends its token", async () => {
    env.issuer.actionsMint = { sub: subject, lifetimeSeconds: 300 };
    const emulator = await federatedEmulator(env.issuer);
    const app = appWith(githubActionsToken(), emulator.fetch);
    setActionsEnvironment();
    await app.acquireTokenForClient([graph]);
    expect(env.issuer.actionsRequests).toEqual([
      {
        authorization: `Bearer ${env.issuer.actionsBearer}`,
        apiVersion: "2.0",
        audience: "api://AzureADTokenExchange",
      },
    ]);
    expect(sentAssertions(emulator)).toHaveLength(1);
  });

  it("fetches once for several tenants within the token's life, also when they ask at once", async () => {
    env.issuer.actionsMint = { sub: subject, lifetimeSeconds: 300 };
    const emulator = await federatedEmulator(env.issuer);
    setActionsEnvironment();
    const app = appWith(githubActionsToken(), emulator.fetch);
    await Promise.all(
      [tenantA, tenantB].map((t) => app.acquireTokenForClient([graph]).withTenantId(t)),
    );
    await app.acquireTokenForClient([graph]).withTenantId(tenantC);
    expect(env.issuer.actionsRequests).toHaveLength(1);
    const [first, ...rest] = sentAssertions(emulator);
    expect(rest).toEqual([first, first]);

    // Each helper instance has its own cache.
    await appWith(githubActionsToken(), emulator.fetch).acquireTokenForClient([graph]);
    expect(env.issuer.actionsRequests).toHaveLength(2);
  });

  it("follows the application's clock (its now option): a token inside the margin is fetched again", async () => {
    env.issuer.actionsMint = { sub: subject, lifetimeSeconds: 300 };
    const emulator = await federatedEmulator(env.issuer);
    setActionsEnvironment();
    let clock = Date.now();
    const app = new ConfidentialClientApplication({
      clientId,
      tenantId: tenantA,
      clientAssertion: githubActionsToken(),
      fetch: emulator.fetch,
      now: () => clock,
      memoryCache: { shared: false },
    });
    await app.acquireTokenForClient([graph]);
    clock += 200_000; // 100 s left: reused
    await app.acquireTokenForClient([graph]).withTenantId(tenantB);
    expect(env.issuer.actionsRequests).toHaveLength(1);
    clock += 60_000; // 40 s left: fetched again
    await app.acquireTokenForClient([graph]).withTenantId(tenantC);
    expect(env.issuer.actionsRequests).toHaveLength(2);
  });

  it("asks for the audience of the token endpoint's cloud, or the audience option", async () => {
    env.issuer.actionsMint = { sub: subject };
    setActionsEnvironment();
    const fail = () => Promise.reject(new TypeError("fetch failed"));
    for (const [authority, audience] of [
      [`https://login.microsoftonline.us/${tenantA}`, "api://AzureADTokenExchangeUSGov"],
      [`https://login.usgovcloudapi.net/${tenantA}`, "api://AzureADTokenExchangeUSGov"],
      [`https://login.chinacloudapi.cn/${tenantA}`, "api://AzureADTokenExchangeChina"],
      [`https://login.partner.microsoftonline.cn/${tenantA}`, "api://AzureADTokenExchangeChina"],
      [`https://login.windows.net/${tenantA}`, "api://AzureADTokenExchange"],
    ] as const) {
      env.issuer.actionsRequests.length = 0;
      await graphTokenFailure(githubActionsToken(), fail, { authority });
      expect(
        env.issuer.actionsRequests.map((r) => r.audience),
        authority,
      ).toEqual([audience]);
    }
    env.issuer.actionsRequests.length = 0;
    await graphTokenFailure(githubActionsToken({ audience: "api://custom" }), fail);
    expect(env.issuer.actionsRequests.map((r) => r.audience)).toEqual(["api://custom"]);
  });

  it("works end to end on Azure Government, where the emulator expects the USGov audience", async () => {
    env.issuer.actionsMint = { sub: subject };
    setActionsEnvironment();
    const emulator = await federatedEmulator(env.issuer);
    const app = appWith(githubActionsToken(), emulator.fetch, {
      authority: `https://login.microsoftonline.us/${tenantA}`,
    });
    await expect(app.acquireTokenForClient([graph])).resolves.toBeDefined();
  });

  it("names the variables when they are unset, before any request", async () => {
    const emulator = await federatedEmulator(env.issuer);
    const error = await graphTokenFailure(githubActionsToken(), emulator.fetch);
    expect(error).toBeInstanceOf(ClientError);
    expect(error.message).toContain("ACTIONS_ID_TOKEN_REQUEST_URL");
    expect(error.message).toContain("id-token: write");
    process.env["ACTIONS_ID_TOKEN_REQUEST_URL"] = env.issuer.actionsUrl;
    const noBearer = await graphTokenFailure(githubActionsToken(), emulator.fetch);
    expect(noBearer.message).toContain("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    expect(emulator.tokenRequests()).toHaveLength(0);
    expect(env.issuer.actionsRequests).toHaveLength(0);
  });

  it("is a ClientError when the service refuses (a wrong bearer), a NetworkError when nobody answers; neither quotes the bearer", async () => {
    const emulator = await federatedEmulator(env.issuer);
    const wrongBearer = "wrong-bearer-value-0123456789";
    setActionsEnvironment(env.issuer.actionsUrl, wrongBearer);
    const refused = await graphTokenFailure(githubActionsToken(), emulator.fetch);
    expect(refused).toBeInstanceOf(ClientError);
    expect(refused.message).toContain("HTTP 401");
    expect(errorText(refused)).not.toContain(wrongBearer);

    setActionsEnvironment("http://127.0.0.1:9/actions/token?api-version=2.0", wrongBearer);
    const unreachable = await graphTokenFailure(githubActionsToken(), emulator.fetch);
    expect(unreachable).toBeInstanceOf(NetworkError);
    expect(unreachable.message).toContain("githubActionsToken");
    expect(errorText(unreachable)).not.toContain(wrongBearer);
    expect(emulator.tokenRequests()).toHaveLength(0);
  });

  it("refuses a plain http: token service off loopback, and an answer without a token", async () => {
    setActionsEnvironment("http://actions.example/token?api-version=2.0");
    const error = await graphTokenFailure(githubActionsToken(), () =>
      Promise.reject(new Error("unused")),
    );
    expect(error).toBeInstanceOf(ClientError);
    expect(error.message).toContain("https:");

    setActionsEnvironment();
    const empty = githubActionsToken({
      fetch: async () => Response.json({ count: 0 }),
    });
    const noToken = await graphTokenFailure(empty, () => Promise.reject(new Error("unused")));
    expect(noToken).toBeInstanceOf(ClientError);
    expect(noToken.message).toContain('"value"');
  });
});

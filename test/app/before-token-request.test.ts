// withOnBeforeTokenRequest: called just before each token request (every attempt, never on a
// cache hit) with the URL, headers and form, whose changes reach the server.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { ClientError, type OnBeforeTokenRequestData } from "../../src/index";
import { faults } from "../../src/testing/index";
import { builder, emulator, graph, rejectionOf, secret, tenantA, tenantB } from "./setup";

describe("withOnBeforeTokenRequest", () => {
  it("sees the request as the library built it, and its changes reach the server", async () => {
    const entra = await emulator();
    const seen: { url: string; headers: Record<string, string>; form: Record<string, string> }[] =
      [];
    const app = builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withOnBeforeTokenRequest(async ({ requestUri, headers, bodyParameters }) => {
        seen.push({
          url: requestUri.href,
          headers: Object.fromEntries(headers),
          form: Object.fromEntries(bodyParameters),
        });
        await new Promise((resolve) => setTimeout(resolve, 5));
        requestUri.searchParams.set("slice", "testslice");
        headers.set("x-from-callback", "1");
        bodyParameters.set("fmi_path", "set/by/callback");
      })
      .build();
    const result = await app
      .acquireTokenForClient(graph)
      .withExtraHttpHeaders({ "x-extra": "e" })
      .withExtraQueryParameters({ dc: "x" });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe(
      `https://login.microsoftonline.com/${tenantA}/oauth2/v2.0/token?dc=x`,
    );
    expect(seen[0]?.headers).toMatchObject({
      "client-request-id": result.correlationId,
      "x-ms-lib-capability": "retry-after, h429",
      "x-extra": "e",
    });
    expect(seen[0]?.form).toMatchObject({ client_secret: secret, scope: graph[0] });
    const [request] = entra.tokenRequests();
    expect(new URL(request?.url as string).searchParams.get("slice")).toBe("testslice");
    expect(new URL(request?.url as string).searchParams.get("dc")).toBe("x");
    expect(request?.headers["x-from-callback"]).toBe("1");
    expect(request?.form["fmi_path"]).toBe("set/by/callback");
    expect(request?.status).toBe(200);
    // A cache hit sends nothing and calls nothing.
    await app.acquireTokenForClient(graph);
    expect(seen).toHaveLength(1);
  });

  it("is called for every attempt: a retry after a 5xx sees a request of its own", async () => {
    const entra = await emulator();
    entra.injectFault(faults.serverError(503));
    const attempts: string[] = [];
    const app = builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withOnBeforeTokenRequest(({ headers }) => {
        attempts.push(headers.get("client-request-id") as string);
      })
      .build();
    const result = await app.acquireTokenForClient(graph).withTenantId(tenantB);
    expect(entra.tokenRequests()).toHaveLength(2);
    expect(attempts).toEqual([result.correlationId, result.correlationId]);
  });

  it("that throws is a ClientError naming it, nothing is sent, and no secret is in it", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withOnBeforeTokenRequest(({ bodyParameters }: OnBeforeTokenRequestData) => {
        throw new RangeError(`cannot handle ${bodyParameters.toString()}`);
      })
      .build();
    const error = await rejectionOf(() => app.acquireTokenForClient(graph));
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: "before_token_request_failed" });
    expect((error as Error).message).toContain("onBeforeTokenRequest");
    expect((error as Error).message).toContain("RangeError");
    expect(inspect(error, { depth: 10 }) + JSON.stringify(error)).not.toContain(secret);
    expect(entra.tokenRequests()).toHaveLength(0);
  });

  it("may not move the request to another origin", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withOnBeforeTokenRequest(({ requestUri }) => {
        requestUri.host = "login.microsoftonline.us";
      })
      .build();
    await expect(app.acquireTokenForClient(graph)).rejects.toMatchObject({
      code: "before_token_request_failed",
    });
    expect(entra.tokenRequests()).toHaveLength(0);
  });

  it("must be a function", () => {
    expect(() =>
      builder(fetch)
        .withClientSecret(secret)
        .withOnBeforeTokenRequest("no" as never)
        .build(),
    ).toThrow(ClientError);
  });
});

// The emulator honours a claims request as far as tests need: the client capabilities it declares
// (xms_cc, CAE) are in the issued token, and the claims are recorded with the form.
import { describe, expect, it } from "vitest";
import { builder, emulator, graph, secret, tenantA } from "../app/setup";

describe("claims in the issued token", () => {
  it("puts the declared client capabilities in xms_cc, and nothing without them", async () => {
    const entra = await emulator();
    const capable = builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withClientCapabilities(["cp1"])
      .build();
    const challenge = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}';
    const result = await capable.acquireTokenForClient(graph).withClaims(challenge);
    expect((await entra.verifyAccessToken(result.accessToken)).xms_cc).toEqual(["cp1"]);
    const sent = JSON.parse(entra.tokenRequests()[0]?.form["claims"] as string);
    expect(sent).toEqual({
      access_token: { nbf: { essential: true, value: "1700000000" }, xms_cc: { values: ["cp1"] } },
    });
    const plain = builder(entra.fetch).withClientSecret(secret).withTenantId(tenantA).build();
    const token = await plain.acquireTokenForClient(graph).withClaims(challenge);
    expect((await entra.verifyAccessToken(token.accessToken)).xms_cc).toBeUndefined();
  });
});

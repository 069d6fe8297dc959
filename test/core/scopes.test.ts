import { describe, expect, it } from "vitest";
import { ClientState } from "../../src/client-state";
import { createCredential } from "../../src/credentials/credential-spec";
import { scopesCacheKey, validateScopes } from "../../src/request/scopes";

describe("scopes", () => {
  it("accepts one resource's .default scope and drops OIDC scopes", () => {
    expect(
      validateScopes(["https://graph.microsoft.com/.default", "openid", "offline_access"], "entra"),
    ).toEqual(["https://graph.microsoft.com/.default"]);
  });

  it.each([
    [[], "No scopes"],
    ["https://graph.microsoft.com/.default", "No scopes"],
    [["https://graph.microsoft.com/User.Read"], '"/.default"'],
    [
      ["https://graph.microsoft.com/.default", "https://management.azure.com/.default"],
      "more than one resource",
    ],
    [["a b/.default"], "without spaces"],
    [[42], "non-empty string"],
    [["openid"], "Only OIDC scopes"],
  ])("rejects %j", (scopes, message) => {
    expect(() => validateScopes(scopes, "entra")).toThrow(
      expect.objectContaining({
        code: "invalid_scopes",
        message: expect.stringContaining(message),
      }),
    );
  });

  it("takes any scopes for a generic OIDC issuer", () => {
    expect(validateScopes(["api:read", "api:write"], "oidc")).toEqual(["api:read", "api:write"]);
  });

  it("normalises case, order and duplicates for the cache key", () => {
    expect(scopesCacheKey(["B/.default", "a/.default", "b/.default"])).toBe(
      "a/.default b/.default",
    );
    expect(scopesCacheKey(["HTTPS://Graph.Microsoft.com/.default"])).toBe(
      "https://graph.microsoft.com/.default",
    );
  });
});

describe("remembered scope validation (ClientState.validScopes)", () => {
  const state = (): ClientState =>
    new ClientState(createCredential({ kind: "secret", secret: "s" }), {}, () => "");

  it("gives the same shared result for a repeated one-scope request, and for other spellings of it the same key", () => {
    const client = state();
    const first = client.validScopes(["https://graph.microsoft.com/.default"], "entra");
    expect(client.validScopes(["https://graph.microsoft.com/.default"], "entra")).toBe(first);
    expect(first).toEqual({
      scopes: ["https://graph.microsoft.com/.default"],
      key: "https://graph.microsoft.com/.default",
    });
    expect(
      client.validScopes(["HTTPS://graph.microsoft.com/.default", "openid"], "entra").key,
    ).toBe(first.key);
  });

  it("still refuses invalid scopes every time, before and after valid ones were remembered", () => {
    const client = state();
    for (const scopes of [
      ["a b/.default"],
      ["https://graph.microsoft.com/User.Read"],
      [42],
      "https://graph.microsoft.com/.default",
      null,
    ]) {
      client.validScopes(["https://graph.microsoft.com/.default"], "entra");
      expect(() => client.validScopes(scopes, "entra")).toThrow(
        expect.objectContaining({ code: "invalid_scopes" }),
      );
      expect(() => client.validScopes(scopes, "entra")).toThrow(
        expect.objectContaining({ code: "invalid_scopes" }),
      );
    }
  });
});

import { describe, expect, it } from "vitest";
import { scopesCacheKey, validateScopes } from "../../src/scopes";

describe("scopes", () => {
  it("accepts one resource's .default scope and drops OIDC scopes", () => {
    expect(validateScopes(["https://graph.microsoft.com/.default", "openid", "offline_access"], "entra")).toEqual(["https://graph.microsoft.com/.default"]);
  });

  it.each([
    [[], "No scopes"],
    ["https://graph.microsoft.com/.default", "No scopes"],
    [["https://graph.microsoft.com/User.Read"], '"/.default"'],
    [["https://graph.microsoft.com/.default", "https://management.azure.com/.default"], "more than one resource"],
    [["a b/.default"], "without spaces"],
    [[42], "non-empty string"],
    [["openid"], "Only OIDC scopes"],
  ])("rejects %j", (scopes, message) => {
    expect(() => validateScopes(scopes, "entra")).toThrow(expect.objectContaining({ code: "invalid_scopes", message: expect.stringContaining(message) }));
  });

  it("takes any scopes for a generic OIDC issuer", () => {
    expect(validateScopes(["api:read", "api:write"], "oidc")).toEqual(["api:read", "api:write"]);
  });

  it("normalises case, order and duplicates for the cache key", () => {
    expect(scopesCacheKey(["B/.default", "a/.default", "b/.default"])).toBe("a/.default b/.default");
    expect(scopesCacheKey(["HTTPS://Graph.Microsoft.com/.default"])).toBe("https://graph.microsoft.com/.default");
  });
});

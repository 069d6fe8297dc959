import { describe, expect, it } from "vitest";
import {
  assertRequestTenant,
  parseAuthority,
  parseOidcAuthority,
  tokenEndpointOf,
} from "../../src/authority/authority";
import { ClientError } from "../../src/errors";

describe("authority", () => {
  it("sends every public-cloud alias to login.microsoftonline.com and caches them as one cloud", () => {
    for (const host of [
      "login.microsoftonline.com",
      "login.windows.net",
      "login.microsoft.com",
      "sts.windows.net",
    ]) {
      const authority = parseAuthority(`https://${host}/contoso.onmicrosoft.com/`);
      expect(authority.kind).toBe("entra");
      expect(authority.origin).toBe("https://login.microsoftonline.com");
      expect(authority.cacheEnvironment).toBe("login.windows.net");
      expect(tokenEndpointOf(authority, "tid")).toBe(
        "https://login.microsoftonline.com/tid/oauth2/v2.0/token",
      );
    }
  });

  it("builds sovereign and regional endpoints", () => {
    const china = parseAuthority("https://login.chinacloudapi.cn/t1");
    expect(tokenEndpointOf(china, "t1")).toBe(
      "https://login.partner.microsoftonline.cn/t1/oauth2/v2.0/token",
    );
    const gov = parseAuthority("https://login.usgovcloudapi.net/t1");
    expect(tokenEndpointOf(gov, "t1", "usgovvirginia")).toBe(
      "https://usgovvirginia.login.microsoftonline.us/t1/oauth2/v2.0/token",
    );
    const pub = parseAuthority("https://login.microsoftonline.com/t1");
    expect(tokenEndpointOf(pub, "t2", "westus")).toBe(
      "https://westus.login.microsoft.com/t2/oauth2/v2.0/token",
    );
  });

  it("recognises ADFS", () => {
    const adfs = parseAuthority("https://adfs.contoso.com/adfs/");
    expect(adfs.kind).toBe("adfs");
    expect(tokenEndpointOf(adfs, undefined)).toBe("https://adfs.contoso.com/adfs/oauth2/token");
  });

  it("allows http only for loopback", () => {
    expect(parseAuthority("http://127.0.0.1:8080/t1").origin).toBe("http://127.0.0.1:8080");
    expect(parseAuthority("http://localhost/t1").kind).toBe("entra");
    expect(parseOidcAuthority("http://[::1]:3000/oidc/").issuer).toBe("http://[::1]:3000/oidc");
    for (const insecure of [
      "http://login.microsoftonline.com/t1",
      "http://10.0.0.1/t1",
      "http://127.evil.com/t1",
    ]) {
      expect(() => parseAuthority(insecure)).toThrow(
        expect.objectContaining({ code: "insecure_authority" }),
      );
    }
  });

  it("rejects malformed authorities with a typed error", () => {
    for (const bad of [
      "not a url",
      "https://login.microsoftonline.com",
      "https://login.microsoftonline.com/a b",
      "https://u:p@host/t",
      "https://host/t?x=1",
      "ftp://host/t",
    ]) {
      expect(() => parseAuthority(bad)).toThrow(ClientError);
    }
  });

  it("refuses reserved and malformed tenants for requests", () => {
    for (const tenant of ["common", "Organizations", "consumers"]) {
      expect(() => assertRequestTenant(tenant)).toThrow(
        expect.objectContaining({
          code: "invalid_tenant",
          message: expect.stringContaining("withTenantId"),
        }),
      );
    }
    for (const tenant of ["", "a/b", "a|b", "../x", "x y", "-x"]) {
      expect(() => assertRequestTenant(tenant)).toThrow(ClientError);
    }
    // Values that cannot even be turned into a string still get a ClientError.
    for (const tenant of [{ toString: 0 }, Object.create(null), 42, null]) {
      expect(() => assertRequestTenant(tenant)).toThrow(ClientError);
    }
    expect(() => assertRequestTenant("72f988bf-86f1-41af-91ab-2d7cd011db47")).not.toThrow();
    expect(() => assertRequestTenant("contoso.onmicrosoft.com")).not.toThrow();
  });
});

describe("parsed authorities are remembered", () => {
  it("gives the same frozen object for the same string, and refuses an invalid one every time", () => {
    const first = parseAuthority("https://login.microsoftonline.com/contoso.onmicrosoft.com");
    expect(parseAuthority("https://login.microsoftonline.com/contoso.onmicrosoft.com")).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    for (let i = 0; i < 2; i++)
      expect(() =>
        parseAuthority("http://login.microsoftonline.com/contoso.onmicrosoft.com"),
      ).toThrow(expect.objectContaining({ code: "insecure_authority" }));
  });
});

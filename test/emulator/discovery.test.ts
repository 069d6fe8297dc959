import { beforeAll, describe, expect, it } from "vitest";
import { createLocalJWKSet, jwtVerify } from "jose";
import type { EntraEmulator } from "../../src/testing/index";
import {
  GUID,
  TENANT,
  TENANT_DOMAIN,
  TOKEN_URL,
  type TestCertificate,
  emulatorFor,
  generateCertificate,
  postForm,
  secretForm,
} from "./helpers";

let cert: TestCertificate;
let emulator: EntraEmulator;
beforeAll(async () => {
  cert = generateCertificate();
  emulator = await emulatorFor(cert);
});

const openId = (tenant: string, origin = "https://login.microsoftonline.com") =>
  emulator.fetch(`${origin}/${tenant}/v2.0/.well-known/openid-configuration`);

describe("OpenID configuration", () => {
  it("fills the tenant GUID in every URL, also when asked by domain", async () => {
    for (const tenant of [TENANT, TENANT_DOMAIN]) {
      const response = await openId(tenant);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("max-age=86400, private");
      expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
      const document = (await response.json()) as Record<string, unknown>;
      expect(document).toMatchObject({
        issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
        token_endpoint: TOKEN_URL,
        authorization_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`,
        jwks_uri: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
        end_session_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/logout`,
        token_endpoint_auth_methods_supported: [
          "client_secret_post",
          "private_key_jwt",
          "client_secret_basic",
        ],
        cloud_instance_name: "microsoftonline.com",
        msgraph_host: "graph.microsoft.com",
      });
      expect(JSON.stringify(document)).not.toContain(TENANT_DOMAIN);
    }
  });

  it("keeps the {tenantid} template in the issuer of /common and /organizations", async () => {
    const common = (await (await openId("common")).json()) as Record<string, string>;
    expect(common["issuer"]).toBe("https://login.microsoftonline.com/{tenantid}/v2.0");
    expect(common["token_endpoint"]).toBe(
      "https://login.microsoftonline.com/common/oauth2/v2.0/token",
    );
    const organizations = (await (await openId("organizations")).json()) as Record<string, string>;
    expect(organizations["token_endpoint"]).toBe(
      "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
    );
  });

  it("describes the cloud of the host, and regional and loopback origins", async () => {
    const china = (await (await openId(TENANT, "https://login.chinacloudapi.cn")).json()) as Record<
      string,
      string
    >;
    expect(china).toMatchObject({
      cloud_instance_name: "partner.microsoftonline.cn",
      msgraph_host: "microsoftgraph.chinacloudapi.cn",
    });
    expect(china["token_endpoint"]).toBe(
      `https://login.chinacloudapi.cn/${TENANT}/oauth2/v2.0/token`,
    );
    const regional = (await (
      await openId(TENANT, "https://westus2.login.microsoft.com")
    ).json()) as Record<string, string>;
    expect(regional["token_endpoint"]).toBe(
      `https://westus2.login.microsoft.com/${TENANT}/oauth2/v2.0/token`,
    );
    const loopback = (await (await openId(TENANT, "http://127.0.0.1:4000")).json()) as Record<
      string,
      string
    >;
    expect(loopback["issuer"]).toBe(`http://127.0.0.1:4000/${TENANT}/v2.0`);
  });

  it("answers an unknown tenant with 400 invalid_tenant 90002, cacheable for a day", async () => {
    const response = await openId("00000000-0000-0000-0000-000000000000");
    expect(response.status).toBe(400);
    expect(response.headers.get("cache-control")).toBe("max-age=86400, private");
    const body = (await response.json()) as {
      error: string;
      error_codes: number[];
      error_description: string;
    };
    expect(body).toMatchObject({ error: "invalid_tenant", error_codes: [90002] });
    expect(body.error_description).toMatch(
      /^AADSTS90002: Tenant '00000000-0000-0000-0000-000000000000' not found\./,
    );
    const invalid = (await (await openId("not_a_tenant")).json()) as {
      error: string;
      error_codes: number[];
    };
    expect(invalid).toMatchObject({ error: "invalid_tenant", error_codes: [900023] });
    expect(emulator.requests.at(-1)?.kind).toBe("openid-configuration");
  });
});

describe("instance discovery", () => {
  const discover = (authority: string, apiVersion = "1.1", host = "login.microsoftonline.com") =>
    emulator.fetch(
      `https://${host}/common/discovery/instance?api-version=${apiVersion}&authorization_endpoint=${authority}/oauth2/v2.0/authorize`,
    );

  it("returns the metadata of every cloud for a known host (msal-node appends the URL unencoded)", async () => {
    const response = await discover(`https://login.microsoftonline.com/${TENANT}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      tenant_discovery_endpoint: string;
      "api-version": string;
      metadata: { preferred_network: string; preferred_cache: string; aliases: string[] }[];
    };
    expect(body.tenant_discovery_endpoint).toBe(
      `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`,
    );
    expect(body["api-version"]).toBe("1.1");
    expect(body.metadata).toHaveLength(5);
    expect(body.metadata[0]).toEqual({
      preferred_network: "login.microsoftonline.com",
      preferred_cache: "login.windows.net",
      aliases: [
        "login.microsoftonline.com",
        "login.windows.net",
        "login.microsoft.com",
        "sts.windows.net",
      ],
    });
    expect(body.metadata.map((entry) => entry.preferred_network)).toEqual([
      "login.microsoftonline.com",
      "login.partner.microsoftonline.cn",
      "login.microsoftonline.de",
      "login.microsoftonline.us",
      "login-us.microsoftonline.com",
    ]);
    expect(emulator.requests.at(-1)?.kind).toBe("instance-discovery");
  });

  it("answers api-version 1.0 (MSAL Python), on any alias host, and for sovereign authorities", async () => {
    const body = (await (
      await discover("https://login.chinacloudapi.cn/common", "1.0", "login.chinacloudapi.cn")
    ).json()) as Record<string, string>;
    expect(body["api-version"]).toBe("1.0");
    expect(body["tenant_discovery_endpoint"]).toBe(
      "https://login.chinacloudapi.cn/common/v2.0/.well-known/openid-configuration",
    );
  });

  it("lists a loopback authority as an instance of its own", async () => {
    const body = (await (await discover(`http://127.0.0.1:4000/${TENANT}`)).json()) as {
      metadata: { aliases: string[] }[];
    };
    expect(body.metadata.at(-1)).toEqual({
      preferred_network: "127.0.0.1:4000",
      preferred_cache: "127.0.0.1:4000",
      aliases: ["127.0.0.1:4000"],
    });
  });

  it("answers an unknown instance with 400 invalid_instance 50049", async () => {
    for (const authority of [
      "https://login.contoso.com/common",
      "https://westus.login.microsoft.com/common",
      "not a url",
    ]) {
      const response = await discover(authority);
      expect(response.status).toBe(400);
      const body = (await response.json()) as {
        error: string;
        error_codes: number[];
        error_description: string;
      };
      expect(body, authority).toMatchObject({ error: "invalid_instance", error_codes: [50049] });
      expect(body.error_description).toMatch(
        /^AADSTS50049: Unknown or invalid instance\.\r\nTrace ID: /,
      );
    }
  });

  it("requires api-version", async () => {
    const response = await emulator.fetch(
      "https://login.microsoftonline.com/common/discovery/instance?authorization_endpoint=https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
    );
    expect(response.status).toBe(400);
  });
});

describe("keys", () => {
  it("serves the JWKS that verifies issued tokens, at v2.0 and v1 paths", async () => {
    const { access_token: token } = (await (
      await postForm(emulator, TOKEN_URL, secretForm())
    ).json()) as { access_token: string };
    for (const path of [`${TENANT}/discovery/v2.0/keys`, "common/discovery/keys"]) {
      const response = await emulator.fetch(`https://login.microsoftonline.com/${path}`);
      expect(response.status).toBe(200);
      const jwks = (await response.json()) as { keys: { kid: string; kty: string; use: string }[] };
      expect(jwks).toEqual(emulator.publicJwks);
      expect(jwks.keys[0]).toMatchObject({ kty: "RSA", use: "sig", alg: "RS256" });
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as never), {
        issuer: `https://sts.windows.net/${TENANT}/`,
      });
      expect(payload["appid"]).toBeDefined();
    }
    expect(emulator.requests.at(-1)?.kind).toBe("jwks");
  });

  it("answers non-GET discovery requests with 404", async () => {
    const response = await emulator.fetch(
      `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`,
      { method: "POST", body: "" },
    );
    expect(response.status).toBe(404);
    expect(response.headers.get("x-ms-request-id")).toMatch(GUID);
  });
});

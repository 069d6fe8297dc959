import { beforeAll, describe, expect, it } from "vitest";
import type { EntraEmulator } from "../../src/testing/index";
import {
  CLIENT,
  GRAPH,
  OTHER_CLIENT,
  OTHER_TENANT,
  SECRET,
  TENANT,
  TENANT_DOMAIN,
  TOKEN_URL,
  type TestCertificate,
  emulatorFor,
  errorOf,
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

const tokenUrl = (tenant: string, host = "login.microsoftonline.com") =>
  `https://${host}/${tenant}/oauth2/v2.0/token`;

describe("tenants", () => {
  it("refuses /common and /consumers with AADSTS9001023, and /organizations likewise for this grant", async () => {
    for (const tenant of ["common", "consumers", "organizations", "Common"]) {
      const body = await errorOf(await postForm(emulator, tokenUrl(tenant), secretForm()));
      expect(body, tenant).toMatchObject({
        status: 400,
        error: "invalid_request",
        error_codes: [9001023],
      });
      expect(body.error_description).toMatch(
        /^AADSTS9001023: The grant type isn't supported over the \/common or \/consumers endpoints\./,
      );
    }
  });

  it("answers an unknown tenant GUID or domain with 90002 invalid_request", async () => {
    for (const tenant of ["00000000-0000-0000-0000-000000000000", "fabrikam.onmicrosoft.com"]) {
      const body = await errorOf(await postForm(emulator, tokenUrl(tenant), secretForm()));
      expect(body, tenant).toMatchObject({
        status: 400,
        error: "invalid_request",
        error_codes: [90002],
      });
      expect(body.error_description).toContain(`Tenant '${tenant}' not found.`);
    }
  });

  it("answers a tenant string that is neither GUID nor DNS name with 900023", async () => {
    for (const tenant of ["contoso", "not a tenant", "-bad-.com"]) {
      const body = await errorOf(
        await postForm(emulator, tokenUrl(encodeURIComponent(tenant)), secretForm()),
      );
      expect(body, tenant).toMatchObject({
        status: 400,
        error: "invalid_request",
        error_codes: [900023],
      });
    }
  });

  it("resolves verified domains (any case) and upper-case GUIDs to the tenant", async () => {
    for (const tenant of [TENANT_DOMAIN, "CONTOSO.com", TENANT.toUpperCase()]) {
      const response = await postForm(emulator, tokenUrl(tenant), secretForm());
      expect(response.status, tenant).toBe(200);
      const { access_token: token } = (await response.json()) as { access_token: string };
      expect((await emulator.verifyAccessToken(token)).tid).toBe(TENANT);
    }
    expect(emulator.requests.at(-1)).toMatchObject({
      tenant: TENANT.toUpperCase(),
      tenantId: TENANT,
    });
  });

  it("answers an app without a service principal in the tenant, or unknown, with 700016", async () => {
    const notInstalled = await errorOf(
      await postForm(emulator, TOKEN_URL, {
        ...secretForm(),
        client_id: OTHER_CLIENT,
        client_secret: "other",
      }),
    );
    expect(notInstalled).toMatchObject({
      status: 400,
      error: "unauthorized_client",
      error_codes: [700016],
    });
    expect(notInstalled.error_description).toContain(
      `AADSTS700016: Application with identifier '${OTHER_CLIENT}' was not found in the directory 'Contoso'.`,
    );
    expect(
      (
        await postForm(emulator, tokenUrl(OTHER_TENANT), {
          ...secretForm(),
          client_id: OTHER_CLIENT,
          client_secret: "other",
        })
      ).status,
    ).toBe(200);
    const unknown = await errorOf(
      await postForm(
        emulator,
        TOKEN_URL,
        secretForm({ client_id: "12345678-1234-1234-1234-123456789012" }),
      ),
    );
    expect(unknown.error_codes).toEqual([700016]);
    expect(
      (await errorOf(await postForm(emulator, TOKEN_URL, secretForm({ client_id: "" }))))
        .error_codes,
    ).toEqual([900144]);
  });
});

describe("grant and scope", () => {
  it("requires grant_type (900144) and client_credentials (70003)", async () => {
    const { grant_type: _, ...form } = secretForm();
    const missing = await errorOf(await postForm(emulator, TOKEN_URL, form));
    expect(missing).toMatchObject({ status: 400, error: "invalid_request", error_codes: [900144] });
    expect(missing.error_description).toMatch(
      /^AADSTS900144: The request body must contain the following parameter: 'grant_type'\./,
    );
    const wrong = await errorOf(
      await postForm(emulator, TOKEN_URL, secretForm({ grant_type: "password" })),
    );
    expect(wrong).toMatchObject({
      status: 400,
      error: "unsupported_grant_type",
      error_codes: [70003],
    });
  });

  it("reads a non-form body as empty (900144 grant_type)", async () => {
    const response = await emulator.fetch(TOKEN_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(secretForm()),
    });
    expect((await errorOf(response)).error_codes).toEqual([900144]);
  });

  it("only accepts POST on the token endpoint (900561)", async () => {
    const body = await errorOf(
      await emulator.fetch(`${TOKEN_URL}?${new URLSearchParams(secretForm())}`),
    );
    expect(body).toMatchObject({ status: 400, error: "invalid_request", error_codes: [900561] });
    expect(body.error_description).toMatch(/Received a GET request\./);
  });

  it("requires scope (900144), /.default (1002012) and one resource (700022)", async () => {
    const missing = await errorOf(await postForm(emulator, TOKEN_URL, secretForm({ scope: " " })));
    expect(missing).toMatchObject({ status: 400, error_codes: [900144] });
    expect(missing.error_description).toContain("'scope'");
    for (const scope of [
      "https://graph.microsoft.com/User.Read",
      "https://graph.microsoft.com",
      "openid",
      "/.default",
      `${GRAPH} https://graph.microsoft.com/Mail.Read`,
    ]) {
      const body = await errorOf(await postForm(emulator, TOKEN_URL, secretForm({ scope })));
      expect(body, scope).toMatchObject({
        status: 400,
        error: "invalid_scope",
        error_codes: [1002012],
      });
    }
    const several = await errorOf(
      await postForm(
        emulator,
        TOKEN_URL,
        secretForm({ scope: `${GRAPH} https://vault.azure.net/.default` }),
      ),
    );
    expect(several).toMatchObject({ status: 400, error: "invalid_scope", error_codes: [700022] });
  });

  it("tolerates openid/profile/offline_access, duplicate scopes and any case of /.default", async () => {
    for (const scope of [
      `${GRAPH} openid profile offline_access`,
      `${GRAPH} ${GRAPH}`,
      "https://graph.microsoft.com/.DEFAULT",
      "api://my-api/.default",
    ]) {
      expect((await postForm(emulator, TOKEN_URL, secretForm({ scope }))).status, scope).toBe(200);
    }
    const { access_token: token } = (await (
      await postForm(
        emulator,
        TOKEN_URL,
        secretForm({ scope: "00000003-0000-0000-c000-000000000000/.default" }),
      )
    ).json()) as {
      access_token: string;
    };
    expect((await emulator.verifyAccessToken(token)).aud).toBe(
      "00000003-0000-0000-c000-000000000000",
    );
  });

  it("answers a resource outside `resources` with 500011", async () => {
    const restricted = await emulatorFor(cert, {
      resources: ["https://graph.microsoft.com/", "api://my-api"],
    });
    expect((await postForm(restricted, TOKEN_URL, secretForm())).status).toBe(200);
    expect(
      (await postForm(restricted, TOKEN_URL, secretForm({ scope: "API://MY-API/.default" })))
        .status,
    ).toBe(200);
    const body = await errorOf(
      await postForm(
        restricted,
        TOKEN_URL,
        secretForm({ scope: "https://vault.azure.net/.default" }),
      ),
    );
    expect(body).toMatchObject({ status: 400, error: "invalid_resource", error_codes: [500011] });
    expect(body.error_description).toContain(
      "The resource principal named https://vault.azure.net was not found in the tenant named Contoso.",
    );
  });

  it("rejects a claims parameter that is not a JSON object (90100) and accepts a claims request", async () => {
    const claims = JSON.stringify({ access_token: { xms_cc: { values: ["cp1"] } } });
    expect((await postForm(emulator, TOKEN_URL, secretForm({ claims }))).status).toBe(200);
    expect(
      (await errorOf(await postForm(emulator, TOKEN_URL, secretForm({ claims: "{nope" }))))
        .error_codes,
    ).toEqual([90100]);
  });

  it("checks the secret before the resource, and the scope before the secret", async () => {
    const restricted = await emulatorFor(cert, { resources: ["https://graph.microsoft.com"] });
    const wrongSecretBadResource = await errorOf(
      await postForm(
        restricted,
        TOKEN_URL,
        secretForm({ client_secret: "x", scope: "https://vault.azure.net/.default" }),
      ),
    );
    expect(wrongSecretBadResource.error_codes).toEqual([7000215]);
    const wrongSecretBadScope = await errorOf(
      await postForm(restricted, TOKEN_URL, secretForm({ client_secret: "x", scope: "User.Read" })),
    );
    expect(wrongSecretBadScope.error_codes).toEqual([1002012]);
  });
});

describe("hosts", () => {
  it("answers on every Entra alias host, sovereign clouds included", async () => {
    const hosts = [
      "login.microsoftonline.com",
      "login.windows.net",
      "login.microsoft.com",
      "sts.windows.net",
      "login.partner.microsoftonline.cn",
      "login.chinacloudapi.cn",
      "login.microsoftonline.us",
      "login.usgovcloudapi.net",
      "login.microsoftonline.de",
      "login-us.microsoftonline.com",
    ];
    for (const host of hosts)
      expect((await postForm(emulator, tokenUrl(TENANT, host), secretForm())).status, host).toBe(
        200,
      );
  });

  it("answers on regional hosts: {region}.login.microsoft.com and {region}.{sovereign host}", async () => {
    for (const host of [
      "westus2.login.microsoft.com",
      "eastus.login.microsoftonline.us",
      "chinanorth.login.chinacloudapi.cn",
      "usgovvirginia.login.usgovcloudapi.net",
    ]) {
      expect((await postForm(emulator, tokenUrl(TENANT, host), secretForm())).status, host).toBe(
        200,
      );
    }
  });

  it("answers on loopback origins over http, any port", async () => {
    for (const origin of [
      "http://127.0.0.1:8787",
      "http://localhost:3000",
      "https://localhost",
      "http://[::1]:9000",
    ]) {
      expect(
        (await postForm(emulator, `${origin}/${TENANT}/oauth2/v2.0/token`, secretForm())).status,
        origin,
      ).toBe(200);
    }
  });

  it("rejects other hosts, public-cloud regional forms of other aliases, and plain http like an unresolvable name", async () => {
    const before = emulator.requests.length;
    for (const url of [
      "https://example.com/x",
      tokenUrl(TENANT, "westus2.login.microsoftonline.com"),
      `http://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
      "http://169.254.169.254/metadata/instance/compute/location?api-version=2020-06-01&format=text",
    ]) {
      const failure = await postForm(emulator, url, secretForm()).catch((error: unknown) => error);
      expect(failure, url).toBeInstanceOf(TypeError);
      expect((failure as TypeError & { cause: { code: string } }).cause.code).toBe("ENOTFOUND");
    }
    expect(emulator.requests.slice(before).every((record) => record.status === undefined)).toBe(
      true,
    );
  });

  it("answers unknown paths with 404", async () => {
    const response = await emulator.fetch(
      `https://login.microsoftonline.com/${TENANT}/oauth2/token`,
      { method: "POST", body: new URLSearchParams(secretForm()) },
    );
    expect(response.status).toBe(404);
    expect(emulator.requests.at(-1)?.kind).toBe("other");
  });

  it("records every request with its form, headers and client id", async () => {
    const fresh = await emulatorFor(cert);
    await postForm(
      fresh,
      `${TOKEN_URL}?client-request-id=6f0b2b1e-1c1a-4f0e-9d5f-2f8d0c7c1a11`,
      secretForm(),
      { "x-client-SKU": "entra-edge" },
    );
    expect(fresh.requests).toHaveLength(1);
    expect(fresh.requests[0]).toMatchObject({
      method: "POST",
      url: `${TOKEN_URL}?client-request-id=6f0b2b1e-1c1a-4f0e-9d5f-2f8d0c7c1a11`,
      host: "login.microsoftonline.com",
      path: `/${TENANT}/oauth2/v2.0/token`,
      tenant: TENANT,
      kind: "token",
      form: secretForm(),
      clientId: CLIENT,
      status: 200,
      fault: undefined,
    });
    expect(fresh.requests[0]?.headers["x-client-sku"]).toBe("entra-edge");
    expect(fresh.requests[0]?.form["client_secret"]).toBe(SECRET);
    fresh.reset();
    expect(fresh.requests).toHaveLength(0);
    expect(fresh.tokenRequests()).toHaveLength(0);
  });
});

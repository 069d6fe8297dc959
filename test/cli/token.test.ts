// `entra-edge token` in-process against the emulator: credentials, output modes, options,
// every exit code, and that no secret reaches stderr.
import { describe, expect, it } from "vitest";
import { faults } from "../../src/testing/index";
import {
  clientId,
  emulator,
  graph,
  keyPath,
  keys,
  run,
  secret,
  secretEnv,
  tenantId,
  unusedFetch,
} from "./harness";

const certArgs = ["--cert", keyPath("rsa.crt.pem"), "--key", keyPath("rsa.pkcs8.pem")];
const base = ["--client-id", clientId, "--tenant", tenantId];

describe("token: credentials against the emulator", () => {
  it("prints the token alone with a secret from ENTRA_CLIENT_SECRET, and nothing on stderr", async () => {
    const entra = await emulator();
    const { code, stdout, stderr } = await run(["token"], { env: secretEnv, fetch: entra.fetch });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const claims = await entra.verifyAccessToken(stdout.trim(), {
      tenantId,
      audience: "https://graph.microsoft.com",
    });
    expect(claims.appid).toBe(clientId);
    const [request] = entra.tokenRequests();
    expect(request?.form).toMatchObject({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: secret,
      scope: graph,
    });
    expect(request?.host).toBe("login.microsoftonline.com");
  });

  it("takes --secret, warns that it lands in shell history, and never echoes it", async () => {
    const entra = await emulator();
    const { code, stdout, stderr } = await run(["token", ...base, "--secret", secret], {
      fetch: entra.fetch,
    });
    expect(code).toBe(0);
    expect(stderr).toMatch(/warning: --secret .*shell history.*ENTRA_CLIENT_SECRET/);
    expect(stderr).not.toContain(secret);
    await entra.verifyAccessToken(stdout.trim());
  });

  it("signs an assertion with --cert and --key (PEM)", async () => {
    const entra = await emulator();
    const { code, stdout, stderr } = await run(["token", ...base, ...certArgs], {
      fetch: entra.fetch,
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect((await entra.verifyAccessToken(stdout.trim(), { tenantId })).appidacr).toBe("2");
    const form = entra.tokenRequests()[0]?.form ?? {};
    expect(form["client_assertion_type"]).toBe(
      "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    );
    expect(form["client_secret"]).toBeUndefined();
  });

  it("reads the key from the certificate file when --key is left out (combined PEM)", async () => {
    const entra = await emulator();
    const combined = keys("rsa.crt.pem") + keys("rsa.pkcs8.pem");
    const readFile = async (path: string) => {
      if (path === "combined.pem") return new TextEncoder().encode(combined);
      throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
    };
    const { code, stdout } = await run(["token", ...base, "--cert", "combined.pem"], {
      fetch: entra.fetch,
      readFile,
    });
    expect(code).toBe(0);
    await entra.verifyAccessToken(stdout.trim());
  });

  it("sends x5c with --send-x5c", async () => {
    const entra = await emulator();
    const { code } = await run(["token", ...base, ...certArgs, "--send-x5c"], {
      fetch: entra.fetch,
    });
    expect(code).toBe(0);
    const assertion = entra.tokenRequests()[0]?.form["client_assertion"] ?? "";
    const header = JSON.parse(
      Buffer.from(assertion.split(".")[0] ?? "", "base64url").toString(),
    ) as Record<string, unknown>;
    expect(header["x5c"]).toHaveLength(1);
  });

  it("opens a .pfx with --password, or with ENTRA_CERT_PASSWORD", async () => {
    const entra = await emulator();
    const flag = await run(
      ["token", ...base, "--pfx", keyPath("rsa.pfx"), "--password", "secret"],
      { fetch: entra.fetch },
    );
    expect(flag.code).toBe(0);
    expect(flag.stderr).toMatch(/warning: --password .*ENTRA_CERT_PASSWORD/);
    await entra.verifyAccessToken(flag.stdout.trim());
    const env = await run(["token", ...base, "--pfx", keyPath("rsa.pfx")], {
      fetch: entra.fetch,
      env: { ENTRA_CERT_PASSWORD: "secret" },
    });
    expect({ code: env.code, stderr: env.stderr }).toEqual({ code: 0, stderr: "" });
    await entra.verifyAccessToken(env.stdout.trim());
  });

  it("reads an encrypted PKCS#8 key with its password", async () => {
    // The encrypted fixture is the rsa key (see make-keys.sh); its password is "secret".
    const entra = await emulator();
    const { code, stdout, stderr } = await run(
      ["token", ...base, "--cert", keyPath("rsa.crt.pem"), "--key", keyPath("rsa.enc-default.pem")],
      { fetch: entra.fetch, env: { ENTRA_CERT_PASSWORD: "secret" } },
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    await entra.verifyAccessToken(stdout.trim());
  });

  it("lets flags win over the environment", async () => {
    const entra = await emulator();
    const env = {
      ...secretEnv,
      ENTRA_CLIENT_ID: "99999999-9999-9999-9999-999999999999",
      ENTRA_TENANT_ID: "8e5e27b6-0000-4000-8000-000000000000",
    };
    const { code, stdout } = await run(["token", ...base], { env, fetch: entra.fetch });
    expect(code).toBe(0);
    await entra.verifyAccessToken(stdout.trim(), { tenantId });
    // A certificate flag wins over ENTRA_CLIENT_SECRET.
    const cert = await run(["token", ...base, ...certArgs], { env, fetch: entra.fetch });
    expect(cert.code).toBe(0);
    expect(entra.tokenRequests()[1]?.form["client_assertion"]).toBeDefined();
    expect(entra.tokenRequests()[1]?.form["client_secret"]).toBeUndefined();
  });
});

describe("token: output", () => {
  it("--json prints the result with metadata, token included", async () => {
    const entra = await emulator();
    const { code, stdout } = await run(["token", "--json"], { env: secretEnv, fetch: entra.fetch });
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      tokenType: "Bearer",
      scopes: [graph],
      tenantId,
      authenticationResultMetadata: {
        tokenSource: "IdentityProvider",
        tokenEndpoint: `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`,
      },
    });
    await entra.verifyAccessToken(json["accessToken"] as string);
    expect(new Date(json["expiresOn"] as string).getTime()).toBeGreaterThan(Date.now() + 3000_000);
    expect(json["correlationId"]).toBe(entra.tokenRequests()[0]?.headers["client-request-id"]);
  });

  it("--decode prints the header and claims, not the token or its signature", async () => {
    const entra = await emulator();
    const { code, stdout } = await run(["token", "--decode"], {
      env: secretEnv,
      fetch: entra.fetch,
    });
    expect(code).toBe(0);
    const decoded = JSON.parse(stdout) as {
      header: Record<string, unknown>;
      payload: Record<string, unknown>;
      times: Record<string, string>;
      expired: boolean;
    };
    expect(decoded.header).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(decoded.payload).toMatchObject({
      aud: "https://graph.microsoft.com",
      tid: tenantId,
      appid: clientId,
    });
    expect(decoded.times.exp).toBe(
      new Date((decoded.payload["exp"] as number) * 1000).toISOString(),
    );
    expect(decoded.expired).toBe(false);
    const token = await (async () =>
      (await run(["token"], { env: secretEnv, fetch: entra.fetch })).stdout.trim())();
    const signature = token.split(".")[2] ?? "";
    expect(stdout).not.toContain(signature);
    expect(stdout).not.toContain("accessToken");
  });

  it("--json --decode adds the decoded token to the JSON", async () => {
    const entra = await emulator();
    const { code, stdout } = await run(["token", "--json", "--decode"], {
      env: secretEnv,
      fetch: entra.fetch,
    });
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as {
      accessToken: string;
      decoded: { payload: Record<string, unknown> };
    };
    expect(json.decoded.payload["tid"]).toBe(tenantId);
    expect(json.accessToken.split(".")).toHaveLength(3);
  });
});

describe("token: authority, tenant, scope, region", () => {
  it("--scope (repeatable or space-separated) replaces the Graph default", async () => {
    const entra = await emulator();
    const { code, stdout } = await run(
      ["token", "--scope", "https://management.azure.com/.default"],
      { env: secretEnv, fetch: entra.fetch },
    );
    expect(code).toBe(0);
    await entra.verifyAccessToken(stdout.trim(), { audience: "https://management.azure.com" });
    expect(entra.tokenRequests()[0]?.form["scope"]).toBe("https://management.azure.com/.default");
  });

  it("--tenant takes a verified domain", async () => {
    const entra = await emulator();
    const { code, stdout } = await run(["token", "--tenant", "contoso.onmicrosoft.com"], {
      env: secretEnv,
      fetch: entra.fetch,
    });
    expect(code).toBe(0);
    await entra.verifyAccessToken(stdout.trim(), { tenantId });
    expect(entra.tokenRequests()[0]?.path).toBe("/contoso.onmicrosoft.com/oauth2/v2.0/token");
  });

  it("--authority picks another cloud; ENTRA_TENANT_ID then does not apply", async () => {
    const entra = await emulator();
    const { code, stderr } = await run(
      ["token", "--authority", `https://login.microsoftonline.us/${tenantId}`],
      {
        env: { ...secretEnv, ENTRA_TENANT_ID: "contoso.onmicrosoft.com" },
        fetch: entra.fetch,
      },
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(entra.tokenRequests()[0]?.url).toBe(
      `https://login.microsoftonline.us/${tenantId}/oauth2/v2.0/token`,
    );
  });

  it("--region uses the regional endpoint", async () => {
    const entra = await emulator();
    const { code, stdout } = await run(["token", "--region", "westus", "--json"], {
      env: secretEnv,
      fetch: entra.fetch,
    });
    expect(code).toBe(0);
    expect(entra.tokenRequests()[0]?.host).toBe("westus.login.microsoft.com");
    const json = JSON.parse(stdout) as {
      authenticationResultMetadata: { regionDetails: { regionUsed: string } };
    };
    expect(json.authenticationResultMetadata.regionDetails.regionUsed).toBe("westus");
  });

  it("--oidc-issuer discovers the token endpoint", async () => {
    const entra = await emulator();
    const issuer = `https://login.microsoftonline.com/${tenantId}/v2.0`;
    const { code, stdout, stderr } = await run(["token", "--oidc-issuer", issuer], {
      env: { ...secretEnv, ENTRA_TENANT_ID: undefined },
      fetch: entra.fetch,
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(entra.requests.map((request) => request.kind)).toEqual([
      "openid-configuration",
      "token",
    ]);
    await entra.verifyAccessToken(stdout.trim(), { tenantId });
  });

  it("--verbose logs to stderr without the secret or the token", async () => {
    const entra = await emulator();
    const { code, stdout, stderr } = await run(
      ["token", "--verbose", "--secret", secret, ...base],
      { fetch: entra.fetch },
    );
    expect(code).toBe(0);
    expect(stderr).toContain("entra-edge: [");
    expect(stderr).not.toContain(secret);
    expect(stderr).not.toContain(stdout.trim());
  });
});

describe("token: --emulator and ENTRA_EDGE_EMULATOR", () => {
  it("--emulator answers with a secret, without the network", async () => {
    const { code, stdout, stderr } = await run(["token", "--emulator", "--decode"], {
      env: secretEnv,
      fetch: unusedFetch,
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(stdout).payload).toMatchObject({
      tid: tenantId,
      appid: clientId,
      appidacr: "1",
    });
  });

  it("ENTRA_EDGE_EMULATOR=1 answers with a PEM certificate, a .pfx, and a domain tenant", async () => {
    const env = { ENTRA_EDGE_EMULATOR: "1", ENTRA_CLIENT_ID: clientId, ENTRA_TENANT_ID: tenantId };
    const pem = await run(["token", ...certArgs, "--decode"], { env });
    expect(pem.code).toBe(0);
    expect(JSON.parse(pem.stdout).payload).toMatchObject({ tid: tenantId, appidacr: "2" });
    const pfx = await run(["token", "--pfx", keyPath("rsa.pfx"), "--decode"], {
      env: { ...env, ENTRA_CERT_PASSWORD: "secret" },
    });
    expect(pfx.code).toBe(0);
    expect(JSON.parse(pfx.stdout).payload).toMatchObject({ appidacr: "2" });
    const domain = await run(["token", "--decode"], {
      env: { ...env, ENTRA_TENANT_ID: "fabrikam.example", ENTRA_CLIENT_SECRET: secret },
    });
    expect(domain.code).toBe(0);
    expect(JSON.parse(domain.stdout).payload["appid"]).toBe(clientId);
  });

  it("refuses what the emulator cannot register with exit 3", async () => {
    const { code, stderr } = await run(["token", "--emulator", "--client-id", "not-a-guid"], {
      env: secretEnv,
    });
    expect(code).toBe(3);
    expect(stderr).toMatch(/^entra-edge: invalid_c\w+: /);
    expect(stderr).not.toContain(secret);
  });
});

describe("token: exit codes", () => {
  it.each([
    [
      "an unknown option",
      ["token", "--nope"],
      secretEnv,
      /Unknown option '--nope'.*See 'entra-edge token --help'/,
    ],
    ["an option without its value", ["token", "--scope"], secretEnv, /--scope/],
    ["a positional argument", ["token", "extra"], secretEnv, /positional/i],
    [
      "no client id",
      ["token"],
      { ENTRA_TENANT_ID: tenantId, ENTRA_CLIENT_SECRET: secret },
      /--client-id or set ENTRA_CLIENT_ID/,
    ],
    [
      "no tenant",
      ["token"],
      { ENTRA_CLIENT_ID: clientId, ENTRA_CLIENT_SECRET: secret },
      /--tenant or set ENTRA_TENANT_ID/,
    ],
    [
      "no credential",
      ["token"],
      { ENTRA_CLIENT_ID: clientId, ENTRA_TENANT_ID: tenantId },
      /No credential/,
    ],
    [
      "two credentials",
      ["token", "--secret", secret, "--pfx", "x.pfx"],
      secretEnv,
      /one credential/,
    ],
    ["--key without --cert", ["token", "--key", "k.pem"], secretEnv, /--key needs --cert/],
    [
      "--password with a secret",
      ["token", "--password", "pw-value-xyz"],
      secretEnv,
      /--password applies/,
    ],
    [
      "--authority with --oidc-issuer",
      ["token", "--authority", "https://a.example/t", "--oidc-issuer", "https://b.example"],
      secretEnv,
      /alternatives/,
    ],
    ["a bad --timeout", ["token", "--timeout", "soon"], secretEnv, /--timeout/],
  ])("2 (usage) for %s", async (_name, argv, env, message) => {
    const { code, stdout, stderr } = await run(argv, { env });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    const lines = stderr
      .trimEnd()
      .split("\n")
      .filter((line) => !line.startsWith("entra-edge: warning: "));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^entra-edge: usage: /);
    expect(lines[0]).toMatch(message);
    expect(stderr).not.toContain(secret);
  });

  it.each([
    ["a tenant the flow cannot use", ["token", "--tenant", "common"], "invalid_tenant"],
    ["a malformed scope", ["token", "--scope", "not a url"], "invalid_scopes"],
    [
      "an unreadable certificate file",
      ["token", "--cert", "/nonexistent/cert.pem"],
      "unreadable_file",
    ],
    [
      "a key that does not match the certificate",
      ["token", "--cert", keyPath("rsa.crt.pem"), "--key", keyPath("other-rsa.pkcs8.pem")],
      "certificate_key_mismatch",
    ],
    [
      "a wrong .pfx password",
      ["token", "--pfx", keyPath("rsa.pfx"), "--password", "Wrong-Password-4711"],
      "invalid_password",
    ],
    [
      "a key file that is not a key",
      ["token", "--cert", keyPath("rsa.crt.pem"), "--key", keyPath("rsa.crt.pem")],
      "invalid_private_key",
    ],
  ])("3 (ClientError) for %s", async (_name, argv, errorCode) => {
    const entra = await emulator();
    const { code, stdout, stderr } = await run(argv, { env: secretEnv, fetch: entra.fetch });
    expect(code).toBe(3);
    expect(stdout).toBe("");
    expect(stderr.split("\n").find((line) => !line.includes("warning:"))).toMatch(
      new RegExp(`^entra-edge: ${errorCode}: \\S`),
    );
    expect(stderr).not.toContain(secret);
    expect(stderr).not.toContain("Wrong-Password-4711");
    expect(entra.tokenRequests()).toHaveLength(0);
  });

  it("3 for --decode of a token that is not a JWT", async () => {
    const entra = await emulator({ accessTokenFormat: "opaque" });
    const { code, stderr } = await run(["token", "--decode"], {
      env: secretEnv,
      fetch: entra.fetch,
    });
    expect(code).toBe(3);
    expect(stderr).toMatch(/^entra-edge: invalid_jwt: /);
  });

  it("4 (ServiceError) for a wrong secret, with the AADSTS code and never the secret", async () => {
    const entra = await emulator();
    const wrong = "Wr0ng~secret.value_that-must-not-leak";
    const { code, stdout, stderr } = await run(["token"], {
      env: { ...secretEnv, ENTRA_CLIENT_SECRET: wrong },
      fetch: entra.fetch,
    });
    expect(code).toBe(4);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^entra-edge: service_error: .*AADSTS7000215/);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).not.toContain(wrong);
    expect(stderr).not.toContain(secret);
  });

  it("4 for an unknown application, and for an answer that is not a token response", async () => {
    const entra = await emulator();
    const unknown = await run(["token", "--client-id", "66666666-7777-8888-9999-000000000000"], {
      env: secretEnv,
      fetch: entra.fetch,
    });
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/AADSTS700016/);
    entra.injectFault(faults.html(404));
    const html = await run(["token", "--no-retry"], { env: secretEnv, fetch: entra.fetch });
    expect(html.code).toBe(4);
    expect(html.stderr).toMatch(/^entra-edge: (service_error|invalid_token_response): .*HTTP 404/);
  });

  it("5 (ThrottledError) for a 429, with the wait", async () => {
    const entra = await emulator();
    entra.injectFault(faults.throttled(120));
    const { code, stderr } = await run(["token"], { env: secretEnv, fetch: entra.fetch });
    expect(code).toBe(5);
    expect(stderr).toMatch(/^entra-edge: throttled: .*(120 s|2 min)/);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("6 (NetworkError) when the endpoint cannot be reached, and for a timeout", async () => {
    const entra = await emulator();
    entra.injectFault(faults.network());
    const network = await run(["token", "--no-retry"], { env: secretEnv, fetch: entra.fetch });
    expect(network.code).toBe(6);
    expect(network.stderr).toMatch(/^entra-edge: network_error: /);
    entra.injectFault(faults.delay(5_000));
    const timeout = await run(["token", "--timeout", "0.2", "--no-retry"], {
      env: secretEnv,
      fetch: entra.fetch,
    });
    expect(timeout.code).toBe(6);
    expect(timeout.stderr).toMatch(/^entra-edge: request_timeout: /);
    expect(`${network.stderr}${timeout.stderr}`).not.toContain(secret);
  });

  it("1 for anything else (here: stdout fails), reported on stderr", async () => {
    const entra = await emulator();
    let stderr = "";
    const { main } = await import("../../cli/main");
    const code = await main(["token"], {
      env: secretEnv,
      fetch: entra.fetch,
      stdout: () => {
        throw Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
      },
      stderr: (text) => void (stderr += text),
    });
    expect(code).toBe(1);
    expect(stderr).toBe("entra-edge: unexpected_error: Error: write EPIPE\n");
  });
});

describe("token: secrets never reach stderr", () => {
  it("redacts the secret and the password even if an error message carried them", async () => {
    const { formatError } = await import("../../cli/errors");
    const line = formatError(new Error(`boom ${secret} and hunter2-pw`), [secret, "hunter2-pw"]);
    expect(line).toBe("entra-edge: unexpected_error: Error: boom [redacted] and [redacted]\n");
  });

  it("keeps the secret out of stderr on every failure path", async () => {
    const entra = await emulator();
    entra.injectFault(faults.serverError(503));
    const runs = await Promise.all([
      run(["token", "--secret", secret, ...base, "--no-retry"], { fetch: entra.fetch }),
      run(["token", "--secret", secret, ...base, "--tenant", "organizations"], {
        fetch: entra.fetch,
      }),
      run(["token", "--secret", secret, ...base, "--cert", keyPath("rsa.pkcs8.pem")], {
        fetch: entra.fetch,
      }),
      run(["token", "--secret", secret, ...base, "--verbose", "--no-retry"], {
        fetch: async () => {
          throw new TypeError("fetch failed");
        },
      }),
      run(["token", "--secret", secret, ...base, "--emulator", "--client-id", "bad"]),
      run(["token", "--secret", secret, "--bogus"]),
    ]);
    expect(runs.map((result) => result.code)).toEqual([4, 3, 2, 6, 3, 2]);
    for (const result of runs) {
      expect(result.stderr).toContain("entra-edge: ");
      expect(result.stderr).not.toContain(secret);
      expect(result.stdout).toBe("");
    }
  });
});

describe("token --help", () => {
  it("documents every option, the environment and the exit codes, and needs no configuration", async () => {
    const { code, stdout, stderr } = await run(["token", "--help"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    for (const text of [
      "--client-id",
      "ENTRA_CLIENT_ID",
      "--tenant",
      "ENTRA_TENANT_ID",
      "--scope",
      "https://graph.microsoft.com/.default",
      "--authority",
      "--oidc-issuer",
      "--region",
      "--secret",
      "ENTRA_CLIENT_SECRET",
      "shell history",
      "--cert",
      "--key",
      "--password",
      "ENTRA_CERT_PASSWORD",
      "--pfx",
      "--json",
      "--decode",
      "ENTRA_EDGE_EMULATOR",
    ])
      expect(stdout).toContain(text);
    for (const exit of [
      "0  success",
      "1  unexpected",
      "2  usage",
      "3  configuration",
      "4  the identity provider",
      "5  throttled",
      "6  network",
    ]) {
      expect(stdout).toContain(exit);
    }
    expect((await run(["token", "-h"])).stdout).toBe(stdout);
    expect((await run(["help", "token"])).stdout).toBe(stdout);
  });
});

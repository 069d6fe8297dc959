// `entra-edge token --federated-token-file <path>` and the AZURE_FEDERATED_TOKEN_FILE default:
// the token file of a local OIDC issuer, trusted by the emulator through a federated credential.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEntraEmulator } from "../../src/testing/index";
import { startOidcIssuer, type OidcIssuer } from "../support/oidc-issuer";
import { clientId, run, secret, tenantId } from "./harness";

const subject = "system:serviceaccount:tools:cli";
let issuer: OidcIssuer;
const dir = mkdtempSync(join(tmpdir(), "entra-edge-cli-federated-"));
beforeAll(async () => {
  issuer = await startOidcIssuer();
});
afterAll(async () => {
  await issuer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const base = { ENTRA_CLIENT_ID: clientId, ENTRA_TENANT_ID: tenantId };

async function tokenFile(name: string, sub = subject): Promise<{ path: string; token: string }> {
  const token = await issuer.mint({ sub });
  const path = join(dir, name);
  writeFileSync(path, `${token}\n`);
  return { path, token };
}

function federatedEmulator() {
  return createEntraEmulator({
    tenants: [tenantId],
    apps: [{ clientId, federatedCredentials: [{ issuer: issuer.issuer, subject }] }],
  });
}

describe("token with a federated token file", () => {
  it("sends the file's token (trimmed) with --federated-token-file", async () => {
    const entra = await federatedEmulator();
    const { path, token } = await tokenFile("flag");
    const { code, stdout, stderr } = await run(["token", "--federated-token-file", path], {
      env: base,
      fetch: entra.fetch,
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect((await entra.verifyAccessToken(stdout.trim(), { tenantId })).appidacr).toBe("2");
    expect(entra.tokenRequests()[0]?.form["client_assertion"]).toBe(token);
  });

  it("uses AZURE_FEDERATED_TOKEN_FILE when no credential is given (ENTRA_CLIENT_SECRET wins over it)", async () => {
    const entra = await federatedEmulator();
    const { path, token } = await tokenFile("env");
    const ok = await run(["token"], {
      env: { ...base, AZURE_FEDERATED_TOKEN_FILE: path },
      fetch: entra.fetch,
    });
    expect(ok.code).toBe(0);
    expect(entra.tokenRequests()[0]?.form["client_assertion"]).toBe(token);
    const withSecret = await run(["token"], {
      env: { ...base, AZURE_FEDERATED_TOKEN_FILE: path, ENTRA_CLIENT_SECRET: secret },
      fetch: entra.fetch,
    });
    expect(withSecret.code).toBe(4);
    expect(entra.tokenRequests()[1]?.form["client_secret"]).toBe(secret);
  });

  it("exits 3 naming the path of a missing file, 4 with AADSTS700213 for a wrong subject; stderr never holds the token", async () => {
    const entra = await federatedEmulator();
    const missing = join(dir, "missing");
    const notFound = await run(["token", "--federated-token-file", missing], {
      env: base,
      fetch: entra.fetch,
    });
    expect(notFound.code).toBe(3);
    expect(notFound.stderr).toContain(missing);
    const { path, token } = await tokenFile("wrong", "system:serviceaccount:other:app");
    const refused = await run(["token", "--federated-token-file", path, "--verbose"], {
      env: base,
      fetch: entra.fetch,
    });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("AADSTS700213");
    expect(refused.stderr).not.toContain(token.split(".")[1]);
  });

  it("refuses --federated-token-file with another credential flag", async () => {
    const { path } = await tokenFile("both");
    const both = await run(["token", "--federated-token-file", path, "--pfx", path], { env: base });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--federated-token-file");
  });

  it("in emulator mode, trusts the file token's issuer and subject and checks it against the issuer's keys", async () => {
    const { path } = await tokenFile("emulator");
    const { code, stdout } = await run(
      ["token", "--emulator", "--federated-token-file", path, "--decode"],
      {
        env: base,
        fetch: (input, init) => globalThis.fetch(input, init),
      },
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).payload).toMatchObject({ appid: clientId, appidacr: "2" });
  });
});

// The built executable, dist/cli.mjs, in real `node` and `bun` processes: shebang, exit codes,
// stdout/stderr and stdin as a shell sees them. Builds dist first when it is missing or older
// than the CLI sources (`npm test` builds before running vitest).
import { execFile, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { clientId, keyPath, root, secret, tenantId } from "./harness";

const cli = join(root, "dist/cli.mjs");
const bun = join(root, "node_modules/.bin/bun");

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `command args` with only PATH and `env` in the environment, `stdin` piped in. */
function exec(
  command: string,
  args: string[],
  env: Record<string, string> = {},
  stdin = "",
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { cwd: root, env: { PATH: process.env["PATH"] ?? "", ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== "number") reject(error);
        else resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr });
      },
    );
    child.stdin?.end(stdin);
  });
}

function newestSource(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
      entry.isDirectory()
        ? newestSource(join(dir, entry.name))
        : statSync(join(dir, entry.name)).mtimeMs,
    ),
  );
}

beforeAll(() => {
  if (existsSync(cli) && statSync(cli).mtimeMs >= newestSource(join(root, "cli"))) return;
  const build = spawnSync(join(root, "node_modules/.bin/unbuild"), [], {
    cwd: root,
    encoding: "utf8",
  });
  if (build.status !== 0 || !existsSync(cli))
    throw new Error(`unbuild failed:\n${build.stdout}\n${build.stderr}`);
}, 120_000);

const emulatorEnv = {
  ENTRA_EDGE_EMULATOR: "1",
  ENTRA_CLIENT_ID: clientId,
  ENTRA_TENANT_ID: tenantId,
};
const jwtLine = /^[\w-]+\.[\w-]+\.[\w-]+\n$/;

describe("dist/cli.mjs", () => {
  it("runs in node: shebang, token, decode from stdin, thumbprint, exit codes", async () => {
    expect(statSync(cli).mode & 0o111).not.toBe(0); // executable, `#!/usr/bin/env node`
    const version = await exec(cli, ["--version"]);
    expect(version).toMatchObject({ code: 0, stderr: "" });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);

    const token = await exec("node", [cli, "token"], {
      ...emulatorEnv,
      ENTRA_CLIENT_SECRET: secret,
    });
    expect(token).toMatchObject({ code: 0, stderr: "" });
    expect(token.stdout).toMatch(jwtLine);

    const decoded = await exec("node", [cli, "decode", "-"], {}, token.stdout);
    expect(decoded.code).toBe(0);
    expect(JSON.parse(decoded.stdout).payload).toMatchObject({ tid: tenantId, appid: clientId });

    const thumbprint = await exec("node", [cli, "thumbprint", keyPath("rsa.crt.pem"), "--json"]);
    expect(JSON.parse(thumbprint.stdout).x5t).toBe("0SDrLnB3uDQ9wkg48_fdDzesSfc");

    const usage = await exec("node", [cli, "token", "--nope"], {
      ...emulatorEnv,
      ENTRA_CLIENT_SECRET: secret,
    });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^entra-edge: usage: /);
    const malformed = await exec("node", [cli, "decode", "not-a-jwt"]);
    expect(malformed.code).toBe(3);
    const unreachable = await exec(
      "node",
      [
        cli,
        "token",
        "--authority",
        `http://127.0.0.1:9/${tenantId}`,
        "--no-retry",
        "--timeout",
        "5",
      ],
      {
        ENTRA_CLIENT_ID: clientId,
        ENTRA_CLIENT_SECRET: secret,
      },
    );
    expect(unreachable.code).toBe(6);
    expect(unreachable.stderr).toMatch(/^entra-edge: network_error: /);
    expect(unreachable.stderr).not.toContain(secret);
  });

  it("runs in bun: token with a certificate and with a .pfx, and exit codes", async () => {
    const pem = await exec(
      bun,
      [cli, "token", "--cert", keyPath("rsa.crt.pem"), "--key", keyPath("rsa.pkcs8.pem"), "--json"],
      emulatorEnv,
    );
    expect(pem).toMatchObject({ code: 0, stderr: "" });
    const json = JSON.parse(pem.stdout) as {
      accessToken: string;
      tokenType: string;
      tenantId: string;
    };
    expect(json).toMatchObject({ tokenType: "Bearer", tenantId });
    expect(`${json.accessToken}\n`).toMatch(jwtLine);

    const pfx = await exec(bun, [cli, "token", "--pfx", keyPath("rsa.pfx"), "--decode"], {
      ...emulatorEnv,
      ENTRA_CERT_PASSWORD: "secret",
    });
    expect(pfx).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(pfx.stdout).payload).toMatchObject({ appid: clientId, appidacr: "2" });

    const wrongPassword = await exec(bun, [cli, "token", "--pfx", keyPath("rsa.pfx")], {
      ...emulatorEnv,
      ENTRA_CERT_PASSWORD: "Not-The-Password-42",
    });
    expect(wrongPassword.code).toBe(3);
    expect(wrongPassword.stderr).toMatch(/^entra-edge: invalid_password: /);
    expect(wrongPassword.stderr).not.toContain("Not-The-Password-42");
    const noCommand = await exec(bun, [cli]);
    expect(noCommand.code).toBe(2);
  });
});

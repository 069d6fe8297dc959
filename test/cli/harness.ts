// Runs the CLI in-process: `main(argv, io)` with captured stdout/stderr and an injected
// environment, fetch, stdin and clock. Plus the fixtures the CLI tests share.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { main, type CliIO } from "../../cli/main";
import { createEntraEmulator, type EntraEmulatorOptions } from "../../src/testing/index";

export const root = join(import.meta.dirname, "../..");
export const keyPath = (name: string): string => join(root, "test/fixtures/keys", name);
export const keys = (name: string): string => readFileSync(keyPath(name), "utf8");

export const tenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const clientId = "11111111-2222-3333-4444-555555555555";
/** Distinctive, so that a leak is found by substring search. */
export const secret = "Zq8~cli.SECRET-value_do-not-leak_0123";
export const graph = "https://graph.microsoft.com/.default";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A `fetch` that fails the test if the CLI uses it. */
export const unusedFetch = (async () => {
  throw new Error("the network must not be used");
}) as typeof fetch;

export async function run(
  argv: string[],
  io: Partial<CliIO> & { stdin?: string | Uint8Array } = {},
): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const { stdin, ...rest } = io;
  const code = await main(argv, {
    env: {},
    fetch: unusedFetch,
    readStdin: async () =>
      typeof stdin === "string" ? new TextEncoder().encode(stdin) : (stdin ?? new Uint8Array()),
    ...rest,
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { code, stdout, stderr };
}

/** An emulator with the test tenant and app (secret, and the RSA test certificate). */
export function emulator(options: Partial<EntraEmulatorOptions> = {}) {
  return createEntraEmulator({
    tenants: [{ id: tenantId, domains: ["contoso.onmicrosoft.com"] }],
    apps: [{ clientId, secrets: [secret], certificates: [keys("rsa.crt.pem")] }],
    ...options,
  });
}

/** Environment of a secret-based `token` run. */
export const secretEnv = {
  ENTRA_CLIENT_ID: clientId,
  ENTRA_TENANT_ID: tenantId,
  ENTRA_CLIENT_SECRET: secret,
};

/** A compact JWT (unsigned, fake signature) with this header and payload. */
export function jwt(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = { alg: "RS256", typ: "JWT" },
): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part(header)}.${part(payload)}.c2lnbmF0dXJl`;
}

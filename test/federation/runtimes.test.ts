/**
 * The federation helpers on every runtime where their source exists: the token file in Node, Deno
 * (Deno.readTextFile, --allow-env) and Bun (Bun.file), with a file that rotates; Vercel's token
 * from a request header inside workerd without nodejs_compat (the subpath must load there), and
 * in Vercel's Edge runtime (the edge-runtime package), from the header and from the environment. The
 * scenarios are bundled from the TypeScript sources with esbuild; the emulator in each runtime
 * fetches the local issuer's discovery and keys over loopback.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { EdgeRuntime } from "edge-runtime";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ScenarioInput } from "./fixtures/runtime-scenarios";
import { clientId, subject, tenantA, tenantB, tenantC, useIssuer } from "./setup";

const here = dirname(fileURLToPath(import.meta.url));
const bin = (name: string) => resolve(here, "../../node_modules/.bin", name);
const run = promisify(execFile);
const env = useIssuer();

let dir: string;
let fileScript: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "entra-edge-federation-runtimes-"));
  fileScript = join(dir, "file.mjs");
  await build({
    stdin: {
      contents: `import { writeFile } from "node:fs/promises";
import { kubernetesScenario } from "./fixtures/runtime-scenarios";
const [input, mode] = [JSON.parse(process.argv.at(-2)), process.argv.at(-1)];
console.log(JSON.stringify(await kubernetesScenario(input, (path, text) => writeFile(path, text), mode === "env")));`,
      resolveDir: here,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    outfile: fileScript,
    logLevel: "error",
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A token file holding a token that reaches the 60 s margin 10 s from now, and the input naming its successor. */
async function fileInput(): Promise<ScenarioInput> {
  const path = join(dir, `token-${++files}`);
  const tokens = [
    await env.issuer.mint({ sub: subject, lifetimeSeconds: 70 }),
    await env.issuer.mint({ sub: subject, lifetimeSeconds: 3600 }),
  ];
  writeFileSync(path, `${tokens[0]}\n`);
  return { ...scenarioInput(tokens), path };
}

/** The input of a scenario for the three tenants, the federated app and these issuer tokens. */
function scenarioInput(tokens: string[]): ScenarioInput {
  return {
    issuer: env.issuer.issuer,
    subject,
    clientId,
    tenants: [tenantA, tenantB, tenantC],
    tokens,
  };
}

async function runFile(
  command: string,
  args: string[],
  input: ScenarioInput,
  mode: "path" | "env",
) {
  const { stdout } = await run(command, [...args, fileScript, JSON.stringify(input), mode], {
    env: { ...process.env, AZURE_FEDERATED_TOKEN_FILE: input.path },
    timeout: 60_000,
  });
  return JSON.parse(stdout) as unknown;
}

// The first token serves two tenants although the file rotated; the file is read again once the
// first token is inside the 60 s margin.
const rotated = { sent: [0, 0, 1] };

describe("kubernetesTokenFile on each runtime, with a file that rotates", () => {
  it("Node", async () => {
    expect(await runFile(process.execPath, [], await fileInput(), "env")).toEqual(rotated);
  });

  it("Deno (Deno.readTextFile; AZURE_FEDERATED_TOKEN_FILE with --allow-env)", async () => {
    const flags = ["run", "--quiet", "--no-prompt", "--allow-read", "--allow-write", "--allow-net"];
    expect(await runFile(bin("deno"), [...flags, "--allow-env"], await fileInput(), "env")).toEqual(
      rotated,
    );
    expect(await runFile(bin("deno"), flags, await fileInput(), "path")).toEqual(rotated);
  });

  it("Deno without --allow-env: a ClientError that says to allow AZURE_FEDERATED_TOKEN_FILE", async () => {
    const flags = ["run", "--quiet", "--no-prompt", "--allow-read", "--allow-write", "--allow-net"];
    const result = (await runFile(bin("deno"), flags, await fileInput(), "env")) as {
      error: string;
    };
    expect(result.error).toMatch(/^ClientError: .*--allow-env=AZURE_FEDERATED_TOKEN_FILE/);
  });

  it("Bun (Bun.file)", async () => {
    expect(await runFile(bin("bun"), [], await fileInput(), "env")).toEqual(rotated);
  });
});

describe("vercelOidcToken in workerd (no nodejs_compat)", () => {
  it("sends the token of the request header once for two tenants; without a function it names VERCEL_OIDC_TOKEN; a token file is a ClientError", async () => {
    const token = await env.issuer.mint({ sub: subject });
    const input = scenarioInput([token]);
    const worker = join(dir, "worker.mjs");
    await build({
      stdin: {
        contents: `import { tokenFileWithoutFileSystem, vercelScenario } from "./fixtures/runtime-scenarios";
export default {
  async fetch(request) {
    const input = ${JSON.stringify(input)};
    return Response.json({
      ...(await vercelScenario(input, () => request.headers.get("x-vercel-oidc-token"))),
      tokenFile: await tokenFileWithoutFileSystem(input),
    });
  },
};`,
        resolveDir: here,
        loader: "ts",
      },
      bundle: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      outfile: worker,
      logLevel: "error",
    });
    const miniflare = new Miniflare({
      modules: true,
      script: readFileSync(worker, "utf8"),
      compatibilityDate: "2024-09-23",
    });
    try {
      const response = await miniflare.dispatchFetch("http://localhost/", {
        headers: { "x-vercel-oidc-token": token },
      });
      const result = (await response.json()) as {
        sent: number[];
        fromEnvironment: string;
        tokenFile: string;
      };
      expect(result.tokenFile).toMatch(/^ClientError: kubernetesTokenFile needs a file system/);
      expect(result.sent).toEqual([0, 0]);
      expect(result.fromEnvironment).toMatch(
        /^ClientError: vercelOidcToken: VERCEL_OIDC_TOKEN is not set/,
      );
    } finally {
      await miniflare.dispose();
    }
  });
});

describe("vercelOidcToken in Vercel's Edge runtime (edge-runtime)", () => {
  it("sends the token of the request header, and VERCEL_OIDC_TOKEN from the environment", async () => {
    const token = await env.issuer.mint({ sub: subject });
    const input = scenarioInput([token]);
    const bundled = await build({
      stdin: {
        contents: `import { vercelScenario } from "./fixtures/runtime-scenarios";
addEventListener("fetch", (event) => {
  const input = ${JSON.stringify(input)};
  event.respondWith(
    vercelScenario(input, () => event.request.headers.get("x-vercel-oidc-token")).then((result) =>
      Response.json(result),
    ),
  );
});`,
        resolveDir: here,
        loader: "ts",
      },
      bundle: true,
      format: "iife",
      platform: "browser",
      write: false,
      logLevel: "error",
    });
    // Vercel's Edge runtime has process.env; the edge-runtime package leaves it out.
    const runtime = new EdgeRuntime({
      initialCode: bundled.outputFiles[0]?.text ?? "",
      extend: (context) =>
        Object.assign(context, { process: { env: { VERCEL_OIDC_TOKEN: token } } }),
    });
    const response = await runtime.dispatchFetch("http://localhost/", {
      headers: { "x-vercel-oidc-token": token },
    });
    expect(await response.json()).toEqual({ sent: [0, 0], fromEnvironment: "no error" });
  });
});

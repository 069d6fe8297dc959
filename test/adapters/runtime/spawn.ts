/**
 * Node side of the out-of-process runs: where the `deno` and `bun` binaries are (devDependencies,
 * never assumed on PATH), and a spawner that collects the JSON result lines `run-cases.ts` prints.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CaseResult } from "../cases";
import { RESULT_LINE_TYPE } from "./run-cases";

/** The repository root. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** Absolute path of a file in this folder (an entry script). */
export function runtimeEntry(file: string): string {
  return fileURLToPath(new URL(`./${file}`, import.meta.url));
}

/** Path of a binary installed by `npm ci` into `node_modules/.bin`; throws (never skips) if missing. */
export function localBinary(name: "deno" | "bun"): string {
  const path = fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url));
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: run \`npm ci\` (${name} is a devDependency; its binary comes from an optional dependency)`,
    );
  }
  return path;
}

/** Options of {@link runCaseProcess}. */
export interface RunCaseProcessOptions {
  readonly env?: Record<string, string>;
  /** Kill the process after this many ms. Default 50,000. */
  readonly timeoutMs?: number;
}

/**
 * Spawns `command args` in the repository root, waits for it to exit and returns the case
 * results it printed. Throws with its output if it timed out, or exited without any result.
 */
export function runCaseProcess(
  command: string,
  args: readonly string[],
  options: RunCaseProcessOptions = {},
): Promise<CaseResult[]> {
  const timeoutMs = options.timeoutMs ?? 50_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${command}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const results = parseResults(stdout);
      const output = `exit code ${String(code)}, signal ${String(signal)}\n--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`;
      if (timedOut)
        reject(
          new Error(`${command} ${args.join(" ")} timed out after ${timeoutMs} ms\n${output}`),
        );
      else if (results.length === 0 || code !== 0)
        reject(new Error(`${command} ${args.join(" ")} failed\n${output}`));
      else resolve(results);
    });
  });
}

function parseResults(stdout: string): CaseResult[] {
  const results: CaseResult[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const parsed = JSON.parse(line) as Partial<CaseResult> & { type?: unknown };
      if (
        parsed.type === RESULT_LINE_TYPE &&
        typeof parsed.name === "string" &&
        typeof parsed.ok === "boolean"
      ) {
        results.push({
          name: parsed.name,
          ok: parsed.ok,
          ms: Number(parsed.ms),
          ...(parsed.error === undefined ? {} : { error: parsed.error }),
        });
      }
    } catch {
      // not one of ours
    }
  }
  return results;
}

function tail(text: string): string {
  return text.length > 4000 ? `…${text.slice(-4000)}` : text;
}

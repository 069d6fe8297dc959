/**
 * Runs the conformance cases inside a non-Node runtime (Deno, Bun) and prints one JSON line per
 * result, which `spawn.ts` on the vitest side reads back. Runtime-neutral (no `node:` imports).
 *
 * @module
 */

import {
  adapterCases,
  runCase,
  type AdapterCapabilities,
  type AdapterHarness,
  type CaseResult,
} from "../cases";

/** A runtime-specific case, run after the shared ones. */
export interface ExtraCase {
  readonly name: string;
  run(): Promise<void>;
}

/** Marks the lines this runner prints, so stray output from the runtime is ignored. */
export const RESULT_LINE_TYPE = "entra-edge-adapter-case";

/**
 * Runs every shared case (fresh harness each) and then each extra case, printing each result as
 * `{"type":"entra-edge-adapter-case", name, ok, ms, error?}`.
 */
export async function runAdapterCases(
  create: () => Promise<AdapterHarness>,
  capabilities: AdapterCapabilities,
  extraCases: readonly ExtraCase[] = [],
  print: (line: string) => void = (line) => console.log(line),
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const report = (result: CaseResult): void => {
    results.push(result);
    print(JSON.stringify({ type: RESULT_LINE_TYPE, ...result }));
  };
  for (const testCase of adapterCases(capabilities)) report(await runCase(testCase, create));
  for (const extra of extraCases) {
    report(await runCase({ name: extra.name, run: () => extra.run() }, create));
  }
  return results;
}

// The fault matrix again with an L2 store that hangs: the store failure is a reported miss
// (onCacheError) and changes nothing else: same result, same number of token requests. (A 20 ms
// store timeout keeps the many timed-out calls of this file quick.)
import { describe, it } from "vitest";
import { brokenStore, l2Reason, useEmulator } from "./helpers";
import { faultCases, runCase } from "./matrix";

const env = useEmulator();

describe("fault matrix with an L2 that hangs", () => {
  it.each(faultCases.map((testCase) => [testCase.name, testCase] as const))(
    "%s",
    async (_name, testCase) => {
      await runCase(env.entra, testCase, {
        adapter: brokenStore("hangs"),
        reason: l2Reason["hangs"],
        timeoutMs: 20,
      });
    },
  );
});

// The fault matrix (matrix.ts) against the emulator, without an L2: each case checks the result (a
// token or the exact typed error), the number of token requests, and that nothing was lost.
import { describe, it } from "vitest";
import { faultCases, runCase } from "./matrix";
import { useEmulator } from "./helpers";

const env = useEmulator();

describe("fault matrix", () => {
  it.each(faultCases.map((testCase) => [testCase.name, testCase] as const))(
    "%s",
    async (_name, testCase) => {
      await runCase(env.entra, testCase);
    },
  );
});

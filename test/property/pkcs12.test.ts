// Fuzzing the PKCS#12 (.pfx) parser on mutated fixtures (their MAC recomputed, so that the
// mutants reach the bags) and random bytes: contents or a ClientError only, and never a hang.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClientError } from "../../src/errors";
import { decodePkcs12 } from "../../src/keys/pkcs12";
import { importDecoded, pfxFiles } from "./credential-fixtures";
import {
  derTree,
  expectNoChunkOf,
  mutatedDer,
  onlyClientError,
  runs,
  withFreshMac,
} from "./support";

describe("PKCS#12", () => {
  it("decodePkcs12: mutated .pfx fixtures give contents or a ClientError, and never hang", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...pfxFiles)
          .chain((file) =>
            fc
              .tuple(
                mutatedDer(file.bytes),
                fc.oneof(
                  { weight: 9, arbitrary: fc.constant(true) },
                  { weight: 1, arbitrary: fc.constant(false) },
                ),
              )
              .map(([bytes, remac]) => ({ file, bytes, remac })),
          ),
        fc.constantFrom("secret", "secret", "", "wrong"),
        async ({ file, bytes: mutant, remac }, password) => {
          // Most mutants get a valid MAC again, so that the parser is exercised past the integrity check.
          const bytes = remac ? withFreshMac(mutant, password) : mutant;
          const outcome = await onlyClientError(() => decodePkcs12(bytes, password), 5000);
          if (outcome instanceof ClientError)
            expectNoChunkOf(
              outcome.message,
              Buffer.from(file.bytes).toString("base64"),
              16,
              "pfx bytes in the error",
            );
          else await importDecoded(outcome.key);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("decodePkcs12: random DER trees and random bytes give a ClientError", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(derTree, fc.uint8Array({ maxLength: 300 })),
        fc.constantFrom("secret", ""),
        async (bytes, password) => {
          expect(await onlyClientError(() => decodePkcs12(bytes, password))).toBeInstanceOf(
            ClientError,
          );
        },
      ),
      { numRuns: runs.medium },
    );
  });
});

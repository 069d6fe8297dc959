// Fuzzing the X.509 parser and what is computed from a certificate (thumbprints, validity, key
// match, chain order): results or ClientErrors only, on random and mutated certificates.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClientError } from "../../src/errors";
import { decodePrivateKey } from "../../src/keys/private-key";
import {
  assertCertificateMatchesKey,
  certificateThumbprints,
  certificateValidity,
  decodeCertificateChain,
  orderLeafFirst,
} from "../../src/keys/x509";
import { certificates, rsaKey } from "./credential-fixtures";
import {
  anyCodeUnits,
  derTree,
  mutatedDer,
  mutatedText,
  onlyClientError,
  runs,
  toPem,
} from "./support";

describe("certificates", () => {
  const mutatedCertificatePem = fc.oneof(
    fc.constantFrom(...certificates).chain((c) => mutatedText(c.pem)),
    fc
      .constantFrom(...certificates)
      .chain((c) => mutatedDer(c.der).map((der) => toPem("CERTIFICATE", der))),
    derTree.map((der) => toPem("CERTIFICATE", der)),
    anyCodeUnits(100),
  );

  it("decodeCertificateChain and what is computed from a certificate give results or ClientErrors", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedCertificatePem, async (pem) => {
        const chain = await onlyClientError(() => decodeCertificateChain(pem));
        if (chain instanceof ClientError) {
          expect(["invalid_pem", "invalid_certificate"]).toContain(chain.code);
          return;
        }
        const leaf = chain[0] as Uint8Array<ArrayBuffer>;
        await onlyClientError(() => certificateThumbprints(leaf));
        await onlyClientError(() => certificateValidity(leaf));
        const material = await decodePrivateKey(rsaKey.pem);
        await onlyClientError(() => assertCertificateMatchesKey(leaf, material));
        await onlyClientError(() => orderLeafFirst(chain, material));
      }),
      { numRuns: runs.medium },
    );
  });
});

// The key-derivation work a PKCS#12 file may ask for is bounded per file, not only per part: a
// crafted file with many encrypted parts, each within the per-part cap, is refused before it holds
// the CPU for minutes, while a file laid out as writers lay it out, at every per-part cap, opens.
import { afterEach, describe, expect, it, vi } from "vitest";
import { decodePkcs12 } from "../../src/keys/pkcs12";
import {
  certBag,
  dataSafe,
  encryptedSafe,
  pbes2Encrypt,
  pbes2Key,
  pfx,
  pfxWithMac,
  pkcs8Der,
  safeContents,
  shroudedKeyBag,
} from "./_builders";
import { certificateDer, clientError, PASSWORD, text } from "./_fixtures";

/** Records the PBKDF2 iterations of every `crypto.subtle.deriveBits` call. */
function countDerivations(): number[] {
  const iterations: number[] = [];
  const original = crypto.subtle.deriveBits.bind(crypto.subtle);
  vi.spyOn(crypto.subtle, "deriveBits").mockImplementation((algorithm, key, length) => {
    iterations.push((algorithm as Pbkdf2Params).iterations);
    return original(algorithm, key, length);
  });
  return iterations;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** `count` encrypted safes under one derivation of `iterations` (the reader derives each). */
function encryptedSafes(count: number, iterations: number): Uint8Array[] {
  const derived = pbes2Key(PASSWORD, iterations);
  return Array.from({ length: count }, () =>
    encryptedSafe(pbes2Encrypt(safeContents(), PASSWORD, iterations, derived)),
  );
}

describe("PKCS#12 key-derivation budget per file", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("refuses a file whose parts together ask for too many iterations", async () => {
    const file = pfx(...encryptedSafes(3, 2_000_000));
    const derived = countDerivations();
    const error = await clientError(() => decodePkcs12(file, PASSWORD), "invalid_pkcs12");
    expect(error.message).toMatch(/4,100,000 key-derivation iterations/);
    expect(error.message).toMatch(/openssl pkcs12 -export/);
    // The third part was refused before its key was derived.
    expect(derived).toEqual([2_000_000, 2_000_000]);
  }, 60_000);

  it("charges every derivation at least 1,000 iterations, so cheap parts cannot add up", async () => {
    const file = pfx(...encryptedSafes(5_000, 1));
    const derived = countDerivations();
    const error = await clientError(() => decodePkcs12(file, PASSWORD), "invalid_pkcs12");
    expect(error.message).toMatch(/4,100,000 key-derivation iterations/);
    expect(derived.length).toBe(4_100);
  }, 60_000);

  it("opens a file with a MAC, a key bag and a certificate safe, each at its cap", async () => {
    const certificates = pbes2Encrypt(
      safeContents(certBag(certificateDer("rsa.crt.pem"))),
      PASSWORD,
      2_000_000,
    );
    const file = pfxWithMac(
      PASSWORD,
      50_000,
      encryptedSafe(certificates),
      dataSafe(shroudedKeyBag(pkcs8Der(text("rsa.pkcs8.pem")), PASSWORD, 2_000_000)),
    );
    const derived = countDerivations();
    const contents = await decodePkcs12(file, PASSWORD);
    expect(contents.key.keyType).toBe("RSA");
    expect(contents.certificates).toHaveLength(1);
    expect(sum(derived)).toBe(4_000_000);
  }, 120_000);
});

// The certificate's SubjectPublicKeyInfo, and its one user: the check that a CryptoKey belongs to
// its certificate. The SPKI equals what OpenSSL extracts, and importing it for each algorithm
// succeeds and fails exactly where jose's importX509 (which it replaced) did.
import { X509Certificate } from "node:crypto";
import { importX509 } from "jose";
import { describe, expect, it } from "vitest";
import { certificateCredential } from "../../src/credentials/certificate-credential";
import { webCryptoKeyParams, type SigningAlgorithm } from "../../src/keys/private-key";
import { certificateSpki } from "../../src/keys/x509";
import { certificateDer, clientError, expected, text } from "./_fixtures";

const CERTIFICATES = Object.keys(expected);
const ALGORITHMS: SigningAlgorithm[] = ["RS256", "PS256", "ES256", "ES384", "ES512"];

/** A non-extractable signing key from a PKCS#8 PEM fixture. */
async function cryptoKey(name: string, algorithm: RsaHashedImportParams | EcKeyImportParams) {
  const der = new Uint8Array(Buffer.from(text(name).replace(/-----[^-]+-----|\s/g, ""), "base64"));
  return crypto.subtle.importKey("pkcs8", der, algorithm, false, ["sign"]);
}

describe("certificateSpki", () => {
  it.each(CERTIFICATES)("of %s equals OpenSSL's public key DER", (name) => {
    const openssl = new X509Certificate(text(name)).publicKey.export({
      type: "spki",
      format: "der",
    });
    expect(certificateSpki(certificateDer(name))).toEqual(new Uint8Array(openssl));
  });

  it.each(CERTIFICATES)(
    "of %s imports for the algorithms jose's importX509 accepted",
    async (name) => {
      const spki = certificateSpki(certificateDer(name));
      for (const alg of ALGORITHMS) {
        const ours = await crypto.subtle
          .importKey("spki", spki, webCryptoKeyParams(alg), true, ["verify"])
          .then(
            (key) => key.algorithm,
            () => "refused",
          );
        const jose = await importX509(text(name), alg).then(
          (key) => (key as CryptoKey).algorithm,
          () => "refused",
        );
        expect(ours, alg).toEqual(jose);
      }
    },
  );
});

describe("a CryptoKey with its certificate", () => {
  const ready = (privateKey: CryptoKey, certificate: string) =>
    certificateCredential({ privateKey, certificate: text(certificate) }).ready;

  it("is accepted when the certificate holds its public key", async () => {
    const pss = { name: "RSA-PSS", hash: "SHA-256" };
    await expect(
      ready(await cryptoKey("rsa.pkcs8.pem", pss), "rsa.crt.pem"),
    ).resolves.toBeUndefined();
    const rs = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    await expect(
      ready(await cryptoKey("leaf.pkcs8.pem", rs), "chain.pem"),
    ).resolves.toBeUndefined();
    for (const [curve, name] of [
      ["P-256", "ec256"],
      ["P-384", "ec384"],
      ["P-521", "ec521"],
    ] as const) {
      const key = await cryptoKey(`${name}.pkcs8.pem`, { name: "ECDSA", namedCurve: curve });
      await expect(ready(key, `${name}.crt.pem`)).resolves.toBeUndefined();
    }
  });

  it("is refused with certificate_key_mismatch for another key, type or curve", async () => {
    const rsa = await cryptoKey("rsa.pkcs8.pem", { name: "RSA-PSS", hash: "SHA-256" });
    const ec256 = await cryptoKey("ec256.pkcs8.pem", { name: "ECDSA", namedCurve: "P-256" });
    for (const [key, certificate] of [
      [rsa, "other-rsa.crt.pem"],
      [rsa, "ec256.crt.pem"],
      [ec256, "rsa.crt.pem"],
      [ec256, "other-ec256.crt.pem"],
      [ec256, "ec384.crt.pem"],
    ] as const) {
      await clientError(() => ready(key, certificate), "certificate_key_mismatch");
    }
  });
});

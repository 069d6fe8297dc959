import { describe, expect, it } from "vitest";
import { decodePrivateKey } from "../../src/keys/private-key";
import {
  assertCertificateMatchesKey,
  certificateThumbprints,
  certificateValidity,
  checkCertificate,
  decodeCertificateChain,
  orderLeafFirst,
} from "../../src/keys/x509";
import { certificateDer, clientError, expected, expectNoLeak, text, toPem } from "./_fixtures";

const CERTIFICATES = Object.keys(expected);

describe("decodeCertificateChain", () => {
  it("returns the DER of each certificate, in file order", () => {
    const chain = decodeCertificateChain(text("chain.pem"));
    expect(chain).toEqual([certificateDer("leaf.crt.pem"), certificateDer("ca.crt.pem")]);
  });

  it("ignores other blocks, such as the key in a combined file", () => {
    const combined = text("rsa.pkcs8.pem") + text("rsa.crt.pem");
    expect(decodeCertificateChain(combined)).toEqual([certificateDer("rsa.crt.pem")]);
    expect(decodeCertificateChain(text("rsa.crt.pem").replace(/\n/g, "\r\n"))).toHaveLength(1);
  });

  it("rejects a PEM without certificates", async () => {
    const error = await clientError(
      () => decodeCertificateChain(text("rsa.pkcs8.pem")),
      "invalid_certificate",
    );
    expect(error.message).toContain("PRIVATE KEY");
    expectNoLeak(error, [], [text("rsa.pkcs8.pem")]);
    await clientError(() => decodeCertificateChain("no pem here"), "invalid_pem");
  });

  it("rejects a CERTIFICATE block that is not a certificate", async () => {
    const notACertificate = text("rsa.pkcs8.pem").replace(/PRIVATE KEY/g, "CERTIFICATE");
    const error = await clientError(
      () => decodeCertificateChain(notACertificate),
      "invalid_certificate",
    );
    expectNoLeak(error, [], [notACertificate]);
    const second = text("rsa.crt.pem") + toPem(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01));
    const secondError = await clientError(
      () => decodeCertificateChain(second),
      "invalid_certificate",
    );
    expect(secondError.message).toMatch(/^Certificate 2 of the PEM/);
  });

  it("rejects every truncation of a certificate", async () => {
    const der = certificateDer("ec256.crt.pem");
    for (let length = 0; length < der.length; length++) {
      await clientError(() => checkCertificate(der.slice(0, length)), "invalid_certificate");
    }
  });
});

describe("certificateThumbprints", () => {
  it.each(CERTIFICATES)("matches openssl's fingerprints for %s", async (name) => {
    const thumbprints = await certificateThumbprints(certificateDer(name));
    expect(thumbprints).toEqual({ x5t: expected[name]?.x5t, x5tS256: expected[name]?.x5tS256 });
  });
});

describe("certificateValidity", () => {
  it.each(CERTIFICATES)("matches openssl's dates for %s", (name) => {
    const { notBefore, notAfter } = certificateValidity(certificateDer(name));
    expect(notBefore.toISOString()).toBe(expected[name]?.notBefore);
    expect(notAfter.toISOString()).toBe(expected[name]?.notAfter);
  });

  it("reads GeneralizedTime after 2049", () => {
    expect(
      certificateValidity(certificateDer("ca.crt.pem")).notAfter.getUTCFullYear(),
    ).toBeGreaterThan(2049);
  });
});

describe("assertCertificateMatchesKey", () => {
  it.each([
    ["rsa.pkcs8.pem", "rsa.crt.pem"],
    ["rsa.pkcs1.pem", "rsa.crt.pem"],
    ["rsa-pss.pkcs8.pem", "rsa-pss.crt.pem"],
    ["leaf.pkcs8.pem", "leaf.crt.pem"],
    ["ec256.pkcs8.pem", "ec256.crt.pem"],
    ["ec256.sec1.pem", "ec256.crt.pem"],
    ["ec256.sec1-nopub.pem", "ec256.crt.pem"],
    ["ec384.pkcs8.pem", "ec384.crt.pem"],
    ["ec521.sec1.pem", "ec521.crt.pem"],
  ])("accepts %s with %s", async (key, certificate) => {
    await assertCertificateMatchesKey(
      certificateDer(certificate),
      await decodePrivateKey(text(key)),
    );
  });

  it.each([
    ["rsa.pkcs8.pem", "other-rsa.crt.pem", /different RSA public keys/],
    ["ec256.pkcs8.pem", "other-ec256.crt.pem", /different EC P-256 public keys/],
    ["ec256.sec1-nopub.pem", "other-ec256.crt.pem", /different EC P-256 public keys/],
    ["ec256.pkcs8.pem", "ec384.crt.pem", /key is EC P-384 but the private key is EC P-256/],
    ["rsa.pkcs8.pem", "ec256.crt.pem", /key is EC P-256 but the private key is RSA/],
  ])("rejects %s with %s", async (key, certificate, reason) => {
    const material = await decodePrivateKey(text(key));
    const error = await clientError(
      () => assertCertificateMatchesKey(certificateDer(certificate), material),
      "certificate_key_mismatch",
    );
    expect(error.message).toMatch(reason);
    expectNoLeak(error, [], [text(key), text(certificate)]);
  });

  it("reports a corrupt key as invalid_private_key", async () => {
    const corrupt = { keyType: "RSA", pkcs8: Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00) } as const;
    await clientError(
      () => assertCertificateMatchesKey(certificateDer("rsa.crt.pem"), corrupt),
      "invalid_private_key",
    );
  });
});

describe("orderLeafFirst", () => {
  it("puts the key's certificate first", async () => {
    const leaf = certificateDer("leaf.crt.pem");
    const ca = certificateDer("ca.crt.pem");
    const key = await decodePrivateKey(text("leaf.pkcs8.pem"));
    expect(await orderLeafFirst([ca, leaf], key)).toEqual([leaf, ca]);
    expect(await orderLeafFirst([leaf, ca], key)).toEqual([leaf, ca]);
  });

  it("fails when no certificate belongs to the key", async () => {
    const key = await decodePrivateKey(text("rsa.pkcs8.pem"));
    const certificates = decodeCertificateChain(text("chain.pem"));
    await clientError(() => orderLeafFirst(certificates, key), "certificate_key_mismatch");
  });
});

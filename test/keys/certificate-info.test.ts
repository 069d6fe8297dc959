// The public certificate API (readCertificates, readPkcs12): every value is checked against
// node:crypto's X509Certificate / KeyObject (OpenSSL) or the openssl-made expected.json, and every
// error is a ClientError that leaks neither a password nor key material.
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as publicEntry from "../../src/index";
import { readCertificates, readPkcs12 } from "../../src/keys/certificate-info";
import { decodePrivateKey, importSigningKey } from "../../src/keys/private-key";
import {
  bytes,
  certificateDer,
  clientError,
  expected,
  expectNoLeak,
  PASSWORD,
  signParameters,
  text,
  verifiesWithCertificate,
} from "./_fixtures";

const CERTIFICATES = Object.keys(expected);
const hexOf = (fingerprint: string) => fingerprint.replaceAll(":", "").toUpperCase();
const spkiOf = (key: Parameters<typeof createPublicKey>[0]) =>
  createPublicKey(key).export({ type: "spki", format: "der" });

describe("readCertificates", () => {
  it("is exported from the package's core entry", () => {
    expect(publicEntry.readCertificates).toBe(readCertificates);
    expect(publicEntry.readPkcs12).toBe(readPkcs12);
  });

  it.each(CERTIFICATES)("reads %s as OpenSSL does", async (name) => {
    const [info, ...others] = await readCertificates(text(name));
    const x509 = new X509Certificate(text(name));
    expect(others).toEqual([]);
    expect(info?.thumbprints).toEqual({
      x5t: expected[name]?.x5t,
      x5tS256: expected[name]?.x5tS256,
      sha1Hex: hexOf(x509.fingerprint),
      sha256Hex: hexOf(x509.fingerprint256),
    });
    expect(info?.subject).toBe(x509.subject);
    expect(info?.issuer).toBe(x509.issuer);
    expect(info?.notBefore.toISOString()).toBe(expected[name]?.notBefore);
    expect(info?.notAfter.toISOString()).toBe(expected[name]?.notAfter);
    expect(info?.der).toEqual(certificateDer(name));
    expect(new Uint8Array(new X509Certificate(info?.pem ?? "").raw)).toEqual(certificateDer(name));
  });

  it("reads a chain in file order, leaf first", async () => {
    const chain = await readCertificates(text("chain.pem"));
    expect(chain.map((info) => info.subject)).toEqual([
      "CN=entra-edge-leaf",
      "CN=entra-edge-test-ca",
    ]);
    expect(chain[0]?.issuer).toBe(chain[1]?.subject);
    expect(chain[1]?.thumbprints.x5t).toBe(expected["ca.crt.pem"]?.x5t);
  });

  it("takes PEM text, PEM bytes, DER bytes and an ArrayBuffer alike", async () => {
    const fromText = await readCertificates(text("ec256.crt.pem"));
    const der = certificateDer("ec256.crt.pem");
    for (const input of [bytes("ec256.crt.pem"), der, der.slice().buffer]) {
      expect(await readCertificates(input)).toEqual(fromText);
    }
  });

  it("ignores the private key of a combined key + certificate file", async () => {
    const combined = text("rsa.pkcs8.pem") + text("rsa.crt.pem");
    const certificates = await readCertificates(combined);
    expect(certificates.map((info) => info.thumbprints.x5t)).toEqual([
      expected["rsa.crt.pem"]?.x5t,
    ]);
  });

  it("refuses input without a certificate, with a ClientError that leaks no key", async () => {
    const keyOnly = await clientError(
      () => readCertificates(text("rsa.pkcs8.pem")),
      "invalid_certificate",
    );
    expectNoLeak(keyOnly, [], [text("rsa.pkcs8.pem")]);
    await clientError(() => readCertificates("hello"), "invalid_pem");
    await clientError(() => readCertificates(new Uint8Array()), "invalid_pem");
    const der = certificateDer("rsa.crt.pem");
    await clientError(() => readCertificates(der.slice(0, 100)), "invalid_certificate");
    const notInput = 42 as unknown as string;
    const wrongType = await clientError(() => readCertificates(notInput), "invalid_certificate");
    expect(wrongType.message).toContain("PEM text");
  });
});

describe("readPkcs12", () => {
  it("returns the private key as PKCS#8 PEM that belongs to the leaf certificate", async () => {
    const bundle = await readPkcs12(bytes("rsa.pfx"), PASSWORD);
    expect(bundle.keyType).toBe("RSA");
    expect(bundle.namedCurve).toBeUndefined();
    expect(bundle.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(spkiOf(createPrivateKey(bundle.privateKeyPem))).toEqual(spkiOf(text("rsa.crt.pem")));
    expect(bundle.certificates.map((info) => info.thumbprints.x5t)).toEqual([
      expected["rsa.crt.pem"]?.x5t,
    ]);
  });

  it("gives PEM that signs, verified with the certificate by node:crypto", async () => {
    const bundle = await readPkcs12(bytes("ec256.pfx"), PASSWORD);
    expect([bundle.keyType, bundle.namedCurve]).toEqual(["EC", "P-256"]);
    const key = await importSigningKey(await decodePrivateKey(bundle.privateKeyPem), "ES256");
    const data = new TextEncoder().encode("probe");
    const signature = await crypto.subtle.sign(signParameters("ES256"), key, data);
    const certificate = bundle.certificates[0]?.pem ?? "";
    expect(verifiesWithCertificate(certificate, "ES256", data, signature)).toBe(true);
  });

  it("puts the key's own certificate first, whatever the file order", async () => {
    const bundle = await readPkcs12(bytes("chain.pfx").buffer, PASSWORD);
    expect(bundle.certificates.map((info) => info.subject)).toEqual([
      "CN=entra-edge-leaf",
      "CN=entra-edge-test-ca",
    ]);
    expect(spkiOf(bundle.privateKeyPem)).toEqual(spkiOf(bundle.certificates[0]?.pem ?? ""));
  });

  it('opens a file without a password with ""', async () => {
    const bundle = await readPkcs12(bytes("rsa.empty-password.pfx"), "");
    expect(bundle.certificates[0]?.thumbprints.x5t).toBe(expected["rsa.crt.pem"]?.x5t);
  });

  it("refuses a wrong password, a legacy file and non-bytes with ClientErrors", async () => {
    const wrong = await clientError(
      () => readPkcs12(bytes("rsa.pfx"), "not-the-password"),
      "invalid_password",
    );
    expectNoLeak(wrong, ["not-the-password", PASSWORD], [text("rsa.pkcs8.pem")]);
    await clientError(
      () => readPkcs12(bytes("rsa.legacy.pfx"), PASSWORD),
      "legacy_pkcs12_encryption",
    );
    const pem = new TextEncoder().encode(text("rsa.crt.pem"));
    await clientError(() => readPkcs12(pem, PASSWORD), "invalid_pkcs12");
    await clientError(() => readPkcs12(new Uint8Array(), PASSWORD), "invalid_pkcs12");
    const notBytes = "rsa.pfx" as unknown as Uint8Array;
    await clientError(() => readPkcs12(notBytes, PASSWORD), "invalid_pkcs12");
    const noPassword = undefined as unknown as string;
    await clientError(() => readPkcs12(bytes("rsa.pfx"), noPassword), "invalid_password");
  });
});

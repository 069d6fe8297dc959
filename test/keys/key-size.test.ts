// RSA keys under 2048 bits are refused wherever a key comes from: PEM (PKCS#8, PKCS#1, encrypted
// PKCS#8), PKCS#12 (plain and shrouded key bags), a CryptoKey, and a certificate that is the only
// key material (a remote signer). Microsoft Entra ID refuses such keys at the first request.
import { describe, expect, it } from "vitest";
import { cryptoKeyCertificate } from "../../src/credentials/crypto-key-certificate";
import { certificateKeyKind } from "../../src/keys/certificate-key";
import { bitLength, MIN_RSA_BITS } from "../../src/keys/key-algorithms";
import { decodePkcs12 } from "../../src/keys/pkcs12";
import { decodePlainPrivateKey, decodePrivateKey } from "../../src/keys/private-key";
import { certBag, dataSafe, keyBag, pfx, pkcs8Der, rsaKey, shroudedKeyBag } from "./_builders";
import { certificateDer, clientError, expectNoLeak, PASSWORD, text } from "./_fixtures";

const short = rsaKey(1024);

function expectShortKeyError(error: { message: string; code: string }, bits = 1024) {
  expect(error.code).toBe("unsupported_key_type");
  expect(error.message).toContain(`${bits} bits`);
  expect(error.message).toContain("2048 bits or more");
  expect(error.message).toMatch(/openssl req -x509 -newkey rsa:2048/);
}

describe("RSA key size", () => {
  it("measures bit lengths of unsigned integers", () => {
    expect(MIN_RSA_BITS).toBe(2048);
    expect(bitLength(Uint8Array.of(0))).toBe(0);
    expect(bitLength(Uint8Array.of(1))).toBe(1);
    expect(bitLength(Uint8Array.of(0, 0x80, 0))).toBe(16);
    expect(bitLength(Uint8Array.of(0x7f, 0xff))).toBe(15);
  });

  it.each([
    ["PKCS#8", () => short.pkcs8Pem, undefined],
    ["PKCS#1", () => short.pkcs1Pem, undefined],
    ["encrypted PKCS#8", () => short.encryptedPem(PASSWORD), PASSWORD],
  ])("refuses a 1024-bit %s key", async (_name, pem, password) => {
    const error = await clientError(
      () => decodePrivateKey(pem(), password),
      "unsupported_key_type",
    );
    expectShortKeyError(error);
    expectNoLeak(error, [PASSWORD], [pem(), short.pkcs8Pem]);
  });

  it("refuses an unencrypted short key synchronously, and leaves an encrypted one for later", () => {
    expect(() => decodePlainPrivateKey(short.pkcs8Pem)).toThrow(/1024 bits/);
    expect(() => decodePlainPrivateKey(short.pkcs1Pem)).toThrow(/1024 bits/);
    expect(decodePlainPrivateKey(short.encryptedPem(PASSWORD))).toBeUndefined();
    expect(decodePlainPrivateKey(text("rsa.pkcs8.pem"))?.keyType).toBe("RSA");
  });

  it("accepts 2048-bit and longer keys", async () => {
    for (const bits of [2048, 3072]) {
      const key = rsaKey(bits);
      expect((await decodePrivateKey(key.pkcs8Pem)).keyType).toBe("RSA");
      expect(certificateKeyKind(key.certificateDer)).toEqual({
        keyType: "RSA",
        namedCurve: undefined,
      });
    }
  });

  it.each([
    ["plain", () => keyBag(short.pkcs8Der)],
    ["shrouded", () => shroudedKeyBag(short.pkcs8Der, PASSWORD, 2048)],
  ])("refuses a 1024-bit key in a %s PKCS#12 key bag", async (_name, bag) => {
    const file = pfx(dataSafe(bag(), certBag(short.certificateDer)));
    const error = await clientError(() => decodePkcs12(file, PASSWORD), "unsupported_key_type");
    expectShortKeyError(error);
    expectNoLeak(error, [PASSWORD], [short.pkcs8Pem]);
  });

  it("opens the same PKCS#12 file with a 2048-bit key", async () => {
    const file = pfx(
      dataSafe(
        shroudedKeyBag(pkcs8Der(text("rsa.pkcs8.pem")), PASSWORD, 2048),
        certBag(certificateDer("rsa.crt.pem")),
      ),
    );
    expect((await decodePkcs12(file, PASSWORD)).key.keyType).toBe("RSA");
  });

  it("refuses a 1024-bit CryptoKey as soon as it is given", async () => {
    for (const algorithm of [
      { name: "RSA-PSS", hash: "SHA-256" },
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    ]) {
      const key = await crypto.subtle.importKey("pkcs8", short.pkcs8Der, algorithm, false, [
        "sign",
      ]);
      let thrown: unknown;
      try {
        void cryptoKeyCertificate(key, [short.certificateDer]);
      } catch (error) {
        thrown = error;
      }
      expectShortKeyError(thrown as { message: string; code: string });
    }
  });

  it("refuses a certificate whose only key material is a 1024-bit RSA key", () => {
    let thrown: unknown;
    try {
      certificateKeyKind(short.certificateDer);
    } catch (error) {
      thrown = error;
    }
    expectShortKeyError(thrown as { message: string; code: string });
  });

  it("reads the kind of a certificate's key: RSA, or EC by curve", () => {
    expect(certificateKeyKind(certificateDer("rsa.crt.pem"))).toMatchObject({ keyType: "RSA" });
    expect(certificateKeyKind(certificateDer("rsa-pss.crt.pem"))).toMatchObject({
      keyType: "RSA",
    });
    expect(certificateKeyKind(certificateDer("ec256.crt.pem"))).toEqual({
      keyType: "EC",
      namedCurve: "P-256",
    });
    expect(certificateKeyKind(certificateDer("ec384.crt.pem"))).toEqual({
      keyType: "EC",
      namedCurve: "P-384",
    });
    expect(certificateKeyKind(certificateDer("ec521.crt.pem"))).toEqual({
      keyType: "EC",
      namedCurve: "P-521",
    });
  });
});

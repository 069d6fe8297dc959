import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodePkcs12 } from "../../src/keys/pkcs12";
import {
  decodePrivateKey,
  importSigningKey,
  type SigningAlgorithm,
} from "../../src/keys/private-key";
import { certificateThumbprints } from "../../src/keys/x509";
import {
  at,
  childrenOf,
  concat,
  decodeDer,
  encodeOctetString,
  encodeSequence,
  encodeSmallInteger,
  readOctetString,
} from "../../src/keys/der";
import {
  bytes,
  certificateDer,
  clientError,
  expected,
  expectNoLeak,
  PASSWORD,
  signParameters,
  text,
  toPem,
  UNICODE_PASSWORD,
  verifiesWithCertificate,
} from "./_fixtures";

const DATA = new TextEncoder().encode("header.payload");
const REEXPORT =
  "openssl pkcs12 -in old.pfx -nodes -legacy -out tmp.pem && openssl pkcs12 -export -in tmp.pem -out new.pfx";

/**
 * Re-signs a SHA-256-MAC PKCS#12 file with node:crypto: the MAC key from the RFC 7292 KDF over
 * the raw password bytes `p` (no BMPString conversion) and `iterations`; the file then declares
 * `declared` iterations.
 */
function remac(
  file: Uint8Array<ArrayBuffer>,
  p: Uint8Array,
  iterations: number,
  declared = iterations,
) {
  const pfx = childrenOf(decodeDer(file));
  const macData = childrenOf(at(pfx, 2));
  const algorithm = at(childrenOf(at(macData, 0)), 0);
  const salt = readOctetString(at(macData, 1));
  const fill = (bytes: Uint8Array) =>
    Uint8Array.from(
      { length: Math.ceil(bytes.length / 64) * 64 },
      (_, i) => bytes[i % bytes.length] ?? 0,
    );
  let key = createHash("sha256")
    .update(concat([new Uint8Array(64).fill(3), fill(salt), fill(p)]))
    .digest();
  for (let i = 1; i < iterations; i++) key = createHash("sha256").update(key).digest();
  const content = readOctetString(at(childrenOf(at(childrenOf(at(pfx, 1)), 1)), 0));
  const mac = new Uint8Array(createHmac("sha256", key).update(content).digest());
  return encodeSequence(
    at(pfx, 0).encoded,
    at(pfx, 1).encoded,
    encodeSequence(
      encodeSequence(algorithm.encoded, encodeOctetString(mac)),
      encodeOctetString(salt),
      encodeSmallInteger(declared),
    ),
  );
}

describe("decodePkcs12", () => {
  const cases: [
    file: string,
    password: string,
    key: string,
    certificates: string[],
    alg: SigningAlgorithm,
  ][] = [
    ["rsa.pfx", PASSWORD, "rsa.pkcs8.pem", ["rsa.crt.pem"], "PS256"],
    ["ec256.pfx", PASSWORD, "ec256.pkcs8.pem", ["ec256.crt.pem"], "ES256"],
    ["ec384.sha512mac.pfx", PASSWORD, "ec384.pkcs8.pem", ["ec384.crt.pem"], "ES384"],
    ["rsa.aes128-sha1mac.pfx", PASSWORD, "rsa.pkcs8.pem", ["rsa.crt.pem"], "RS256"],
    ["rsa.nocrypt.pfx", PASSWORD, "rsa.pkcs8.pem", ["rsa.crt.pem"], "PS256"],
    ["rsa.nomac.pfx", PASSWORD, "rsa.pkcs8.pem", ["rsa.crt.pem"], "PS256"],
    ["rsa.unicode.pfx", UNICODE_PASSWORD, "rsa.pkcs8.pem", ["rsa.crt.pem"], "PS256"],
    ["rsa.empty-password.pfx", "", "rsa.pkcs8.pem", ["rsa.crt.pem"], "PS256"],
    ["chain.pfx", PASSWORD, "leaf.pkcs8.pem", ["leaf.crt.pem", "ca.crt.pem"], "PS256"],
  ];

  it.each(cases)("opens %s", async (file, password, keyFile, certificateFiles, alg) => {
    const { key, certificates } = await decodePkcs12(bytes(file), password);
    expect(key).toEqual(await decodePrivateKey(text(keyFile)));
    expect(certificates).toEqual(certificateFiles.map(certificateDer));

    const leaf = certificates[0] ?? new Uint8Array();
    const signature = await crypto.subtle.sign(
      signParameters(alg),
      await importSigningKey(key, alg),
      DATA,
    );
    expect(verifiesWithCertificate(toPem(leaf), alg, DATA, signature)).toBe(true);
    const { x5t, x5tS256 } = expected[certificateFiles[0] ?? ""] ?? {};
    expect(await certificateThumbprints(leaf)).toEqual({ x5t, x5tS256 });
  });

  it.each([
    "rsa.pfx",
    "rsa.nocrypt.pfx",
    "rsa.nomac.pfx",
    "rsa.unicode.pfx",
    "rsa.empty-password.pfx",
  ])("rejects a wrong password for %s", async (file) => {
    for (const wrong of ["wrong", "Secret", "pässwörd"]) {
      const error = await clientError(() => decodePkcs12(bytes(file), wrong), "invalid_password");
      expectNoLeak(error, [wrong, PASSWORD, UNICODE_PASSWORD], [text("rsa.pkcs8.pem")]);
    }
  });

  it("rejects a wrong password for a file written with an empty one... and the reverse", async () => {
    await clientError(() => decodePkcs12(bytes("rsa.pfx"), ""), "invalid_password");
    await clientError(
      () => decodePkcs12(bytes("rsa.empty-password.pfx"), PASSWORD),
      "invalid_password",
    );
  });

  it("accepts an empty password written without the BMPString terminator", async () => {
    const file = remac(bytes("rsa.nocrypt.pfx"), new Uint8Array(0), 2048);
    expect((await decodePkcs12(file, "")).certificates).toEqual([certificateDer("rsa.crt.pem")]);
    await clientError(() => decodePkcs12(file, PASSWORD), "invalid_password");
  });

  it("checks the MAC with the password as a NUL-terminated BMPString", async () => {
    const bmp = Uint8Array.from([..."secret"].flatMap((c) => [0, c.charCodeAt(0)]).concat([0, 0]));
    const file = remac(bytes("rsa.nocrypt.pfx"), bmp, 3);
    expect((await decodePkcs12(file, PASSWORD)).certificates).toHaveLength(1);
  });

  it("refuses MAC iteration counts that would take minutes", async () => {
    const file = remac(bytes("rsa.nocrypt.pfx"), new Uint8Array(0), 1, 1_000_000);
    const error = await clientError(() => decodePkcs12(file, ""), "invalid_pkcs12");
    expect(error.message).toMatch(/1000000 iterations/);
  });

  it("fails the MAC when a byte of the content changes", async () => {
    const file = bytes("rsa.pfx");
    file[200] = (file[200] ?? 0) ^ 1;
    await clientError(() => decodePkcs12(file, PASSWORD), "invalid_password");
  });

  it.each([
    ["rsa.legacy.pfx", /RC2-40/],
    ["rsa.3des.pfx", /3DES/],
  ])("explains how to re-export %s", async (file, algorithm) => {
    const error = await clientError(
      () => decodePkcs12(bytes(file), PASSWORD),
      "legacy_pkcs12_encryption",
    );
    expect(error.message).toMatch(algorithm);
    expect(error.message).toContain(REEXPORT);
    expect(error.message).toMatch(/delete tmp\.pem/);
    expectNoLeak(error, [PASSWORD], [text("rsa.pkcs8.pem")]);
  });

  it("rejects a file without a private key", async () => {
    const error = await clientError(
      () => decodePkcs12(bytes("rsa.nokey.pfx"), PASSWORD),
      "invalid_pkcs12",
    );
    expect(error.message).toMatch(/no private key/);
  });

  it("says what the input is when it is not a PKCS#12 file", async () => {
    const pem = new TextEncoder().encode(text("rsa.pkcs8.pem"));
    expect(
      (await clientError(() => decodePkcs12(pem, PASSWORD), "invalid_pkcs12")).message,
    ).toMatch(/PEM text/);
    const base64 = new TextEncoder().encode(Buffer.from(bytes("rsa.pfx")).toString("base64"));
    expect(
      (await clientError(() => decodePkcs12(base64, PASSWORD), "invalid_pkcs12")).message,
    ).toMatch(/base64/);
    await clientError(() => decodePkcs12(new Uint8Array(0), PASSWORD), "invalid_pkcs12");
    await clientError(
      () => decodePkcs12(Uint8Array.of(0x30, 0x80, 0, 0), PASSWORD),
      "invalid_pkcs12",
    );
    await clientError(
      () => decodePkcs12(certificateDer("rsa.crt.pem"), PASSWORD),
      "invalid_pkcs12",
    );
  });

  it("rejects truncated files with invalid_pkcs12 only", async () => {
    const file = bytes("rsa.nocrypt.pfx");
    for (let length = 0; length < file.length; length += 7) {
      const error = await clientError(
        () => decodePkcs12(file.slice(0, length), PASSWORD),
        "invalid_pkcs12",
      );
      expectNoLeak(error, [PASSWORD], [text("rsa.pkcs8.pem")]);
    }
  });
});

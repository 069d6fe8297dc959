import { describe, expect, it } from "vitest";
import {
  decodePrivateKey,
  defaultAlgorithmFor,
  importSigningKey,
  type PrivateKeyMaterial,
  type SigningAlgorithm,
} from "../../src/keys/private-key";
import {
  clientError,
  expectNoLeak,
  PASSWORD,
  signParameters,
  text,
  UNICODE_PASSWORD,
  verifiesWithCertificate,
} from "./_fixtures";

const DATA = new TextEncoder().encode("header.payload");

async function signAndVerify(
  material: PrivateKeyMaterial,
  alg: SigningAlgorithm,
  certificate: string,
) {
  const key = await importSigningKey(material, alg);
  expect(key.extractable).toBe(false);
  expect(key.usages).toEqual(["sign"]);
  const signature = await crypto.subtle.sign(signParameters(alg), key, DATA);
  expect(verifiesWithCertificate(text(certificate), alg, DATA, signature)).toBe(true);
}

describe("decodePrivateKey", () => {
  const cases: [
    file: string,
    password: string | undefined,
    certificate: string,
    algs: SigningAlgorithm[],
  ][] = [
    ["rsa.pkcs8.pem", undefined, "rsa.crt.pem", ["RS256", "PS256"]],
    ["rsa.pkcs1.pem", undefined, "rsa.crt.pem", ["RS256", "PS256"]],
    ["rsa.enc-default.pem", PASSWORD, "rsa.crt.pem", ["PS256"]],
    ["rsa.enc-sha1.pem", PASSWORD, "rsa.crt.pem", ["PS256"]],
    ["rsa.enc-aes128-sha384.pem", PASSWORD, "rsa.crt.pem", ["PS256"]],
    ["rsa.enc-aes192-sha512.pem", PASSWORD, "rsa.crt.pem", ["PS256"]],
    ["rsa.enc-unicode.pem", UNICODE_PASSWORD, "rsa.crt.pem", ["PS256"]],
    ["rsa-pss.pkcs8.pem", undefined, "rsa-pss.crt.pem", ["PS256"]],
    ["leaf.pkcs8.pem", undefined, "leaf.crt.pem", ["PS256"]],
    ["ec256.pkcs8.pem", undefined, "ec256.crt.pem", ["ES256"]],
    ["ec256.sec1.pem", undefined, "ec256.crt.pem", ["ES256"]],
    ["ec256.sec1-nopub.pem", undefined, "ec256.crt.pem", ["ES256"]],
    ["ec384.pkcs8.pem", undefined, "ec384.crt.pem", ["ES384"]],
    ["ec521.pkcs8.pem", undefined, "ec521.crt.pem", ["ES512"]],
    ["ec521.sec1.pem", undefined, "ec521.crt.pem", ["ES512"]],
  ];

  it.each(cases)(
    "decodes %s and signs what its certificate verifies",
    async (file, password, certificate, algs) => {
      const material = await decodePrivateKey(text(file), password);
      for (const alg of algs) await signAndVerify(material, alg, certificate);
    },
  );

  it("gives PKCS#1 and PKCS#8 of one key the same PKCS#8", async () => {
    const pkcs8 = await decodePrivateKey(text("rsa.pkcs8.pem"));
    const pkcs1 = await decodePrivateKey(text("rsa.pkcs1.pem"));
    expect(pkcs1).toEqual(pkcs8);
    expect(pkcs8.keyType).toBe("RSA");
    expect(pkcs8.namedCurve).toBeUndefined();
  });

  it("reports the curve of EC keys", async () => {
    expect((await decodePrivateKey(text("ec256.sec1.pem"))).namedCurve).toBe("P-256");
    expect((await decodePrivateKey(text("ec384.pkcs8.pem"))).namedCurve).toBe("P-384");
    expect((await decodePrivateKey(text("ec521.sec1.pem"))).namedCurve).toBe("P-521");
  });

  it("tolerates CRLF, surrounding text, a certificate in the same file and literal \\n escapes", async () => {
    const key = text("ec256.pkcs8.pem");
    const reference = await decodePrivateKey(key);
    const variants = [
      key.replace(/\n/g, "\r\n"),
      `Bag Attributes\n    friendlyName: test\n${text("ec256.crt.pem")}${key}trailing words\n`,
      key.trim().replace(/\n/g, "\\n"),
      key.replace(/\n/g, "\n   "),
    ];
    for (const variant of variants) expect(await decodePrivateKey(variant)).toEqual(reference);
  });

  it("needs a password for an encrypted key", async () => {
    const error = await clientError(
      () => decodePrivateKey(text("rsa.enc-default.pem")),
      "invalid_password",
    );
    expect(error.message).toMatch(/no password/);
  });

  it.each(["rsa.enc-default.pem", "rsa.enc-sha1.pem", "rsa.enc-unicode.pem"])(
    "rejects a wrong password for %s",
    async (file) => {
      for (const wrong of ["wrong", "", PASSWORD.toUpperCase(), "pässwörd"]) {
        const error = await clientError(
          () => decodePrivateKey(text(file), wrong),
          "invalid_password",
        );
        expectNoLeak(error, [wrong, PASSWORD, UNICODE_PASSWORD].filter(Boolean), [
          text(file),
          text("rsa.pkcs8.pem"),
        ]);
      }
    },
  );

  it.each([
    ["rsa.enc-des3.pem", /3DES/],
    ["rsa.enc-pbes1.pem", /3DES/],
    ["rsa.enc-scrypt.pem", /scrypt/],
    ["rsa.legacy-enc.pem", /Proc-Type/],
  ])("explains how to re-encrypt %s", async (file, algorithm) => {
    const error = await clientError(
      () => decodePrivateKey(text(file), PASSWORD),
      "unsupported_encryption",
    );
    expect(error.message).toMatch(algorithm);
    expect(error.message).toContain(
      "openssl pkcs8 -topk8 -v2 aes-256-cbc -in old.pem -out new.pem",
    );
    expectNoLeak(error, [PASSWORD], [text(file)]);
  });

  it("does not echo the IV of a legacy encrypted key", async () => {
    const file = text("rsa.legacy-enc.pem");
    const iv = /DEK-Info: [^,]+,([0-9A-F]+)/.exec(file)?.[1] ?? "missing";
    const error = await clientError(
      () => decodePrivateKey(file, PASSWORD),
      "unsupported_encryption",
    );
    expect(error.message).toContain("AES-256-CBC");
    expect(error.message).not.toContain(iv);
  });

  it.each([
    ["ed25519.pkcs8.pem", /Ed25519/],
    ["x25519.pkcs8.pem", /X25519/],
    ["secp256k1.pkcs8.pem", /secp256k1/],
    ["ec256.explicit.pem", /explicit/],
  ])("rejects the key type of %s", async (file, name) => {
    const error = await clientError(() => decodePrivateKey(text(file)), "unsupported_key_type");
    expect(error.message).toMatch(name);
    expectNoLeak(error, [], [text(file)]);
  });

  it("rejects PEM labels of unsupported key formats", async () => {
    const body = "\nMIIBCgKCAQEA\n";
    await clientError(
      () => decodePrivateKey(`-----BEGIN DSA PRIVATE KEY-----${body}-----END DSA PRIVATE KEY-----`),
      "unsupported_key_type",
    );
    const ssh = await clientError(
      () =>
        decodePrivateKey(
          `-----BEGIN OPENSSH PRIVATE KEY-----${body}-----END OPENSSH PRIVATE KEY-----`,
        ),
      "unsupported_key_type",
    );
    expect(ssh.message).toContain("ssh-keygen");
  });

  it("rejects text that is not PEM", async () => {
    await clientError(() => decodePrivateKey("not a key"), "invalid_pem");
    await clientError(() => decodePrivateKey(""), "invalid_pem");
    const noEnd = text("rsa.pkcs8.pem").replace(/-----END[^\n]*\n/, "");
    expectNoLeak(await clientError(() => decodePrivateKey(noEnd), "invalid_pem"), [], [noEnd]);
    const badBase64 = text("rsa.pkcs8.pem").replace(/\n(.)/, "\n!$1");
    expectNoLeak(
      await clientError(() => decodePrivateKey(badBase64), "invalid_pem"),
      [],
      [badBase64],
    );
  });

  it("rejects a PEM with no key, or two keys", async () => {
    const onlyCertificate = await clientError(
      () => decodePrivateKey(text("rsa.crt.pem")),
      "invalid_private_key",
    );
    expect(onlyCertificate.message).toContain("CERTIFICATE");
    const twoKeys = text("rsa.pkcs8.pem") + text("ec256.pkcs8.pem");
    await clientError(() => decodePrivateKey(twoKeys), "invalid_private_key");
  });

  it("rejects garbage and truncated keys as invalid_private_key", async () => {
    const garbage =
      "-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAAAAAAAA==\n-----END PRIVATE KEY-----\n";
    await clientError(() => decodePrivateKey(garbage), "invalid_private_key");
    for (const file of ["rsa.pkcs8.pem", "rsa.pkcs1.pem", "ec256.sec1.pem", "ec256.pkcs8.pem"]) {
      const pem = text(file);
      const lines = pem.trim().split("\n");
      // Drop the last two body lines: the base64 stays valid, the DER is cut short.
      const truncated = [...lines.slice(0, -3), lines.at(-1)].join("\n");
      const error = await clientError(() => decodePrivateKey(truncated), "invalid_private_key");
      expectNoLeak(error, [], [pem]);
    }
  });

  it("treats non-DER after decryption as a wrong password, never as a crash", async () => {
    const file = text("rsa.enc-default.pem");
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => decodePrivateKey(file, `wrong-${i}`)),
    );
    for (const result of results) {
      expect(result.status).toBe("rejected");
      if (result.status === "rejected")
        expect(result.reason).toMatchObject({ code: "invalid_password" });
    }
  });
});

describe("importSigningKey", () => {
  it("refuses an algorithm that does not fit the key", async () => {
    const rsa = await decodePrivateKey(text("rsa.pkcs8.pem"));
    const ec256 = await decodePrivateKey(text("ec256.pkcs8.pem"));
    const rsaAsEc = await clientError(
      () => importSigningKey(rsa, "ES256"),
      "invalid_configuration",
    );
    expect(rsaAsEc.message).toMatch(/ES256 needs an EC P-256 key, but the key is RSA; use PS256/);
    const wrongCurve = await clientError(
      () => importSigningKey(ec256, "ES384"),
      "invalid_configuration",
    );
    expect(wrongCurve.message).toMatch(/use ES256/);
    await clientError(() => importSigningKey(ec256, "RS256"), "invalid_configuration");
  });

  it("turns a WebCrypto import failure into invalid_private_key", async () => {
    const rsa = await decodePrivateKey(text("rsa.pkcs8.pem"));
    const broken = { ...rsa, pkcs8: rsa.pkcs8.slice(0, 40) };
    const error = await clientError(() => importSigningKey(broken, "RS256"), "invalid_private_key");
    expectNoLeak(error, [], [text("rsa.pkcs8.pem")]);
  });
});

describe("defaultAlgorithmFor", () => {
  it("picks PS256 for RSA and the curve's ES algorithm for EC", async () => {
    expect(defaultAlgorithmFor(await decodePrivateKey(text("rsa.pkcs8.pem")))).toBe("PS256");
    expect(defaultAlgorithmFor(await decodePrivateKey(text("ec256.pkcs8.pem")))).toBe("ES256");
    expect(defaultAlgorithmFor(await decodePrivateKey(text("ec384.pkcs8.pem")))).toBe("ES384");
    expect(defaultAlgorithmFor(await decodePrivateKey(text("ec521.pkcs8.pem")))).toBe("ES512");
  });
});

// Fuzzing the PEM and private-key parsers (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8): on random
// and mutated inputs (real fixtures, edited at the text, byte and DER-structure level) they return
// a key or throw a ClientError, nothing else, never hang, and never echo key material.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClientError } from "../../src/errors";
import { decodePemBlocks } from "../../src/keys/pem";
import { decodePrivateKey } from "../../src/keys/private-key";
import {
  certificates,
  expectNoKeyMaterial,
  importDecoded,
  keys,
  labels,
  mutatedKeyPem,
  passwords,
} from "./credential-fixtures";
import {
  anyCodeUnits,
  derTree,
  fixtureText,
  mutatedText,
  onlyClientError,
  pemBody,
  replacePrimitive,
  runs,
  toPem,
} from "./support";

describe("PEM", () => {
  it("decodePemBlocks: random text, PEM-looking fragments and mutated fixtures give blocks or ClientError invalid_pem", () => {
    const fragments = fc.array(
      fc.oneof(
        fc.constantFrom(
          "-----BEGIN ",
          "-----END ",
          "-----",
          "PRIVATE KEY",
          "CERTIFICATE",
          "\n",
          "\r\n",
          "\\n",
          "Proc-Type: 4,ENCRYPTED",
          "DEK-Info: AES-128-CBC,00",
          "MIIB",
          "==",
        ),
        fc.string({ maxLength: 12 }),
      ),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          anyCodeUnits(200),
          fragments.map((parts) => parts.join("")),
          fc.constantFrom(...keys, ...certificates).chain((f) => mutatedText(f.pem)),
        ),
        (text) => {
          try {
            const blocks = decodePemBlocks(text);
            expect(blocks.length).toBeGreaterThan(0);
            for (const block of blocks) expect(block.der.length).toBeGreaterThan(0);
          } catch (error) {
            expect(error).toBeInstanceOf(ClientError);
            expect((error as ClientError).code).toBe("invalid_pem");
          }
        },
      ),
      { numRuns: runs.cheap },
    );
  });

  it("decodePemBlocks stays linear on large inputs", () => {
    const started = performance.now();
    const big =
      "-----BEGIN PRIVATE KEY-----\n" + "A".repeat(2_000_000) + "\n-----END PRIVATE KEY-----";
    expect(decodePemBlocks(big)[0]?.der.length).toBe(1_500_000);
    for (const text of [
      "-----BEGIN ".repeat(200_000),
      `-----BEGIN ${"A".repeat(1_000_000)}`,
      "-----BEGIN X-----\n".repeat(100_000),
    ]) {
      expect(() => decodePemBlocks(text)).toThrow(ClientError);
    }
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe("private keys", () => {
  it("decodePrivateKey: mutated PKCS#8 / PKCS#1 / SEC1 / encrypted fixtures give a key or a ClientError, without echoing key material", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedKeyPem, passwords, async ({ key, pem }, password) => {
        const outcome = await onlyClientError(() => decodePrivateKey(pem, password));
        expectNoKeyMaterial(outcome, key.base64);
        await importDecoded(outcome);
      }),
      { numRuns: runs.medium },
    );
  });

  it("decodePrivateKey: random DER trees under every label give a key or a ClientError", async () => {
    await fc.assert(
      fc.asyncProperty(
        derTree,
        fc.constantFrom(...labels),
        passwords,
        async (der, label, password) => {
          await importDecoded(
            await onlyClientError(() => decodePrivateKey(toPem(label, der), password)),
          );
        },
      ),
      { numRuns: runs.medium },
    );
  });

  it("decodePrivateKey: random strings (lone surrogates included) and random passwords give a ClientError", async () => {
    await fc.assert(
      fc.asyncProperty(
        anyCodeUnits(120),
        fc.option(anyCodeUnits(20), { nil: undefined }),
        async (text, password) => {
          const outcome = await onlyClientError(() => decodePrivateKey(text, password));
          expect(outcome).toBeInstanceOf(ClientError);
        },
      ),
      { numRuns: runs.cheap },
    );
  });

  it("decodePrivateKey: the encrypted fixture with random passwords (lone surrogates included) is a key or invalid_password", async () => {
    const encrypted = fixtureText("rsa.enc-default.pem");
    await fc.assert(
      fc.asyncProperty(anyCodeUnits(12), async (password) => {
        const outcome = await onlyClientError(() => decodePrivateKey(encrypted, password));
        if (outcome instanceof ClientError) expect(outcome.code).toBe("invalid_password");
        if (outcome instanceof ClientError)
          expect(outcome.message).not.toContain(password.length >= 4 ? password : "\u0000never");
      }),
      { numRuns: 60 },
    );
  });
});

describe("bounded work", () => {
  it("an encrypted key asking for the most PBKDF2 work the parser accepts settles within 5 s", async () => {
    // rsa.enc-aes192-sha512.pem (PBKDF2 with hmacWithSHA512) with its 2048 iterations raised to
    // 10,000,000, the highest count decryptPbes2 accepts.
    const { der } = pemBody(fixtureText("rsa.enc-aes192-sha512.pem"));
    const costly = toPem(
      "ENCRYPTED PRIVATE KEY",
      replacePrimitive(der, 0x02, [0x08, 0x00], [0x00, 0x98, 0x96, 0x80]),
    );
    // (Measured here: about 8-13 s of PBKDF2 for this one key, off the main thread.)
    const outcome = await onlyClientError(() => decodePrivateKey(costly, "secret"), 5000);
    expect(outcome).toBeDefined();
  });
});

/** Shared helpers of the credential tests: fixture files, error checks and leak checks. */
import { createPublicKey, verify as nodeVerify, constants, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { ClientError, type ClientErrorCode } from "../../src/errors";

const DIR = new URL("../fixtures/keys/", import.meta.url);

/** The password of every fixture unless its name says otherwise. */
export const PASSWORD = "secret";
/** The password of the `*unicode*` fixtures. */
export const UNICODE_PASSWORD = "pässwörd€";

/** A fixture file as text. */
export function text(name: string): string {
  return readFileSync(new URL(name, DIR), "utf8");
}

/** A fixture file as bytes. */
export function bytes(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(new URL(name, DIR)));
}

/** The DER of a certificate fixture, decoded independently of the code under test. */
export function certificateDer(name: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(new X509Certificate(text(name)).raw);
}

/** Thumbprints and dates computed by `openssl x509` in make-keys.sh. */
export const expected: Record<
  string,
  { x5t: string; x5tS256: string; notBefore: string; notAfter: string }
> = JSON.parse(text("expected.json"));

/** Awaits `action` and returns the `ClientError` it must throw, checking its code. */
export async function clientError(
  action: () => unknown,
  code: ClientErrorCode,
): Promise<ClientError> {
  let thrown: unknown;
  try {
    await action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ClientError);
  const error = thrown as ClientError;
  expect(error.code, error.message).toBe(code);
  return error;
}

/**
 * Checks that neither the message nor the JSON of `error` holds a password or any 16-character
 * piece of the base64 bodies of `pemTexts` (keys, certificates).
 */
export function expectNoLeak(
  error: ClientError,
  passwords: string[],
  pemTexts: string[] = [],
): void {
  const surfaces = [error.message, JSON.stringify(error), String(error)];
  for (const surface of surfaces) {
    for (const password of passwords) expect(surface).not.toContain(password);
    for (const pem of pemTexts) {
      for (const line of pem.split(/\r?\n/)) {
        if (!/^[A-Za-z0-9+/=]{16,}$/.test(line)) continue;
        for (let i = 0; i + 16 <= line.length; i += 16)
          expect(surface).not.toContain(line.slice(i, i + 16));
      }
    }
  }
}

/**
 * Verifies a WebCrypto signature with the certificate's public key through node:crypto, an
 * implementation independent of the code under test.
 */
export function verifiesWithCertificate(
  certificatePem: string,
  alg: string,
  data: Uint8Array,
  signature: ArrayBuffer,
): boolean {
  const key = createPublicKey(certificatePem);
  const sig = new Uint8Array(signature);
  if (alg === "RS256") return nodeVerify("sha256", data, key, sig);
  if (alg === "PS256") {
    return nodeVerify(
      "sha256",
      data,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      sig,
    );
  }
  const hash = { ES256: "sha256", ES384: "sha384", ES512: "sha512" }[alg];
  return nodeVerify(hash ?? "", data, { key, dsaEncoding: "ieee-p1363" }, sig);
}

/** The WebCrypto sign parameters for a JWS algorithm. */
export function signParameters(alg: string): AlgorithmIdentifier | RsaPssParams | EcdsaParams {
  if (alg === "RS256") return "RSASSA-PKCS1-v1_5";
  if (alg === "PS256") return { name: "RSA-PSS", saltLength: 32 };
  return {
    name: "ECDSA",
    hash: { ES256: "SHA-256", ES384: "SHA-384", ES512: "SHA-512" }[alg] ?? "",
  };
}

/** A PEM text from DER, for tools that want PEM. */
export function toPem(der: Uint8Array, label = "CERTIFICATE"): string {
  const body = (
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? []
  ).join("\n");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

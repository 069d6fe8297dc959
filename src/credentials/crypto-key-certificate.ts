/**
 * A certificate whose private key is a WebCrypto `CryptoKey`, possibly non-extractable: the key
 * fixes the algorithm it signs with, and it is matched to the certificate by signing a probe and
 * verifying it with the certificate's public key, the one check that needs nothing from the key.
 *
 * @module
 */

import { ClientError } from "../errors";
import { assertRsaKeySize } from "../keys/key-algorithms";
import { webCryptoKeyParams, type SigningAlgorithm } from "../keys/private-key";
import { certificateSpki } from "../keys/x509";
import { cryptoKeySigner, webCryptoSignParams } from "./jws";
import { signingCertificate, type SigningCertificate } from "./signing-certificate";

/** Whether `value` looks like a `CryptoKey` (checked by shape: runtimes differ in the class). */
export function isCryptoKey(value: unknown): value is CryptoKey {
  return (
    typeof value === "object" &&
    value !== null &&
    "algorithm" in value &&
    "type" in value &&
    "usages" in value
  );
}

/**
 * Prepares a `CryptoKey` and its certificate chain (leaf first) for signing. What the key itself
 * tells (its type, usages, algorithm and RSA modulus length) is checked at once; the match with
 * the certificate finishes in the returned promise.
 *
 * @throws ClientError `invalid_private_key` (not a private signing key), `unsupported_key_type`
 *   (RSA under 2048 bits among them) or `invalid_certificate` (no certificate); the promise
 *   rejects with `certificate_key_mismatch`.
 */
export function cryptoKeyCertificate(
  key: CryptoKey,
  chain: readonly Uint8Array<ArrayBuffer>[],
): Promise<SigningCertificate> {
  if (key.type !== "private" || !key.usages.includes("sign")) {
    throw new ClientError(
      "invalid_private_key",
      'The CryptoKey must be a private key with the "sign" usage.',
    );
  }
  const algorithm = key.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  const alg = cryptoKeyAlgorithm(algorithm);
  if (typeof algorithm.modulusLength === "number")
    assertRsaKeySize(algorithm.modulusLength, "The CryptoKey");
  const leaf = chain[0];
  if (leaf === undefined)
    throw new ClientError("invalid_certificate", "No certificate was given with the private key.");
  return matchedCertificate(key, algorithm, alg, chain, leaf);
}

async function matchedCertificate(
  key: CryptoKey,
  algorithm: { name: string; namedCurve?: string },
  alg: SigningAlgorithm,
  chain: readonly Uint8Array<ArrayBuffer>[],
  leaf: Uint8Array<ArrayBuffer>,
): Promise<SigningCertificate> {
  await assertCryptoKeyMatches(key, alg, leaf);
  const signer = cryptoKeySigner(key, alg);
  const keyType = algorithm.name === "ECDSA" ? "EC" : "RSA";
  return signingCertificate(chain, keyType, algorithm.namedCurve, async (requested) => {
    if (requested !== alg) {
      throw new ClientError(
        "unsupported_key_type",
        `The CryptoKey was imported for ${alg} but ${requested} is needed: import it as ${requested === "PS256" ? "RSA-PSS" : "RSASSA-PKCS1-v1_5"}, or set algorithm: "${alg}".`,
      );
    }
    return signer;
  });
}

function cryptoKeyAlgorithm(algorithm: { name: string; namedCurve?: string }): SigningAlgorithm {
  switch (algorithm.name) {
    case "RSASSA-PKCS1-v1_5":
      return "RS256";
    case "RSA-PSS":
      return "PS256";
    case "ECDSA":
      if (algorithm.namedCurve === "P-384") return "ES384";
      if (algorithm.namedCurve === "P-521") return "ES512";
      return "ES256";
    default:
      throw new ClientError(
        "unsupported_key_type",
        `A ${algorithm.name} CryptoKey cannot sign client assertions: use an RSA (RSASSA-PKCS1-v1_5 or RSA-PSS) or ECDSA key.`,
      );
  }
}

/**
 * Signs a probe with the key and verifies it with the certificate's public key: works for
 * non-extractable keys too. The certificate's SPKI is imported for `alg`, so a certificate of
 * another key type or curve fails at the import.
 */
async function assertCryptoKeyMatches(
  key: CryptoKey,
  alg: SigningAlgorithm,
  leaf: Uint8Array<ArrayBuffer>,
): Promise<void> {
  const spki = certificateSpki(leaf);
  let publicKey: CryptoKey;
  try {
    publicKey = await crypto.subtle.importKey("spki", spki, webCryptoKeyParams(alg), true, [
      "verify",
    ]);
  } catch {
    throw new ClientError(
      "certificate_key_mismatch",
      `The certificate's public key cannot verify ${alg} signatures: the certificate does not belong to this key.`,
    );
  }
  const probe = new TextEncoder().encode("entra-edge key check");
  const params = webCryptoSignParams(alg);
  const signature = await crypto.subtle.sign(params, key, probe);
  if (!(await crypto.subtle.verify(params, publicKey, signature, probe))) {
    throw new ClientError(
      "certificate_key_mismatch",
      "The certificate does not belong to this private key: pass the certificate issued for this key (leaf first).",
    );
  }
}

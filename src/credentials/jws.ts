/**
 * Compact JWS signing over `crypto.subtle`, or over a caller's own signing function (a key held in
 * Key Vault, a KMS or an HSM). One code path for both, so a remote signer gets exactly the bytes a
 * local key would sign.
 *
 * @module
 */

import { encodeBase64Url, encodeBase64UrlText } from "../internal/base64";
import type { SigningAlgorithm } from "../keys/private-key";

/** Signs the JWS signing input and returns the raw JWS signature (for ECDSA: r‖s). */
export type Signer = (data: Uint8Array<ArrayBuffer>) => Promise<Uint8Array>;

/** The WebCrypto parameters of `crypto.subtle.sign` for each JWS algorithm. */
export function webCryptoSignParams(
  alg: SigningAlgorithm,
): AlgorithmIdentifier | RsaPssParams | EcdsaParams {
  switch (alg) {
    case "RS256":
      return { name: "RSASSA-PKCS1-v1_5" };
    case "PS256":
      return { name: "RSA-PSS", saltLength: 32 };
    case "ES256":
      return { name: "ECDSA", hash: "SHA-256" };
    case "ES384":
      return { name: "ECDSA", hash: "SHA-384" };
    case "ES512":
      return { name: "ECDSA", hash: "SHA-512" };
  }
}

/** A {@link Signer} over a WebCrypto private key imported for `alg`. */
export function cryptoKeySigner(key: CryptoKey, alg: SigningAlgorithm): Signer {
  const params = webCryptoSignParams(alg);
  return async (data) => new Uint8Array(await crypto.subtle.sign(params, key, data));
}

/** Builds and signs a compact JWS (`header.payload.signature`). */
export async function signCompactJws(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sign: Signer,
): Promise<string> {
  const signingInput = `${encodeBase64UrlText(JSON.stringify(header))}.${encodeBase64UrlText(JSON.stringify(payload))}`;
  const signature = await sign(new TextEncoder().encode(signingInput));
  return `${signingInput}.${encodeBase64Url(signature)}`;
}

/**
 * The key algorithms and named curves of private keys and certificates, by OID: those a client
 * assertion can be signed with, and those it cannot (named in errors, so the message says what the
 * key is instead of printing an OID), and the shortest RSA key accepted.
 *
 * @module
 */

import { ClientError } from "../errors";

/** The curves WebCrypto signs with, by their WebCrypto names. */
export type NamedCurve = "P-256" | "P-384" | "P-521";

/** `rsaEncryption`: the algorithm OID of an RSA key. */
export const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
/** `id-RSASSA-PSS`: an RSA key restricted to PSS (read as a plain RSA key). */
export const RSASSA_PSS = "1.2.840.113549.1.1.10";
/** `id-ecPublicKey`: the algorithm OID of an EC key; its parameters name the curve. */
export const EC_PUBLIC_KEY = "1.2.840.10045.2.1";

/** Named-curve OIDs to WebCrypto curve names: the curves WebCrypto signs with. */
export const CURVES: Readonly<Record<string, NamedCurve>> = {
  "1.2.840.10045.3.1.7": "P-256",
  "1.3.132.0.34": "P-384",
  "1.3.132.0.35": "P-521",
};

/** WebCrypto curve names to their OIDs (the inverse of {@link CURVES}). */
export const CURVE_OIDS: Readonly<Record<NamedCurve, string>> = {
  "P-256": "1.2.840.10045.3.1.7",
  "P-384": "1.3.132.0.34",
  "P-521": "1.3.132.0.35",
};

/** Private scalar length in bytes for each curve. */
export const CURVE_BYTES: Readonly<Record<NamedCurve, number>> = {
  "P-256": 32,
  "P-384": 48,
  "P-521": 66,
};

/** Key types a client assertion cannot use, by algorithm or curve OID, with a readable name. */
export const UNSUPPORTED_KEYS: Readonly<Record<string, string>> = {
  "1.3.101.112": "Ed25519",
  "1.3.101.113": "Ed448",
  "1.3.101.110": "X25519",
  "1.3.101.111": "X448",
  "1.2.840.10040.4.1": "DSA",
  "1.2.840.113549.1.3.1": "Diffie-Hellman",
  "1.2.840.10046.2.1": "Diffie-Hellman (X9.42)",
  "1.2.156.10197.1.301": "SM2",
  "1.3.132.0.10": "EC secp256k1 (P-256K)",
  "1.3.36.3.3.2.8.1.1.7": "EC brainpoolP256r1",
  "1.3.36.3.3.2.8.1.1.11": "EC brainpoolP384r1",
  "1.3.36.3.3.2.8.1.1.13": "EC brainpoolP512r1",
};

/** The keys that can sign, as error messages suggest them. */
export const SUPPORTED_KEYS = "RSA (2048 bits or more) or EC P-256, P-384 or P-521";

/**
 * The shortest RSA modulus a client assertion may be signed with, in bits: Microsoft Entra ID
 * refuses shorter keys, and NIST has disallowed them since 2013.
 */
export const MIN_RSA_BITS = 2048;

/** The number of significant bits of an unsigned big-endian integer. */
export function bitLength(magnitude: Uint8Array): number {
  const first = magnitude.findIndex((octet) => octet !== 0);
  if (first < 0) return 0;
  return (magnitude.length - first - 1) * 8 + (32 - Math.clz32(magnitude[first] ?? 0));
}

/**
 * Refuses an RSA key shorter than {@link MIN_RSA_BITS}.
 *
 * @param bits - The modulus length in bits.
 * @param what - Names the key in the message, e.g. `"The private key"`.
 * @throws ClientError `unsupported_key_type`, naming the length and how to make a new key.
 */
export function assertRsaKeySize(bits: number, what: string): void {
  if (bits >= MIN_RSA_BITS) return;
  throw new ClientError(
    "unsupported_key_type",
    `${what} is an RSA key of ${bits} bits; Microsoft Entra ID accepts only RSA keys of ` +
      `${MIN_RSA_BITS} bits or more. Create a new key and certificate (e.g. \`openssl req -x509 ` +
      "-newkey rsa:2048 -sha256 -days 365 -nodes -keyout key.pem -out cert.pem -subj /CN=my-app`) " +
      "and register the new certificate on the app.",
  );
}

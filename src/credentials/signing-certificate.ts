/**
 * A certificate made ready to sign client assertions, whatever form it was given in: a signer per
 * JWS algorithm, the key family that picks the default algorithm, and the certificate's
 * thumbprints and chain for the `x5t`, `x5t#S256` and `x5c` headers.
 *
 * @module
 */

import { ClientError } from "../errors";
import { encodeBase64 } from "../internal/base64";
import {
  importSigningKey,
  type PrivateKeyMaterial,
  type SigningAlgorithm,
} from "../keys/private-key";
import { certificateThumbprints } from "../keys/x509";
import { cryptoKeySigner, type Signer } from "./jws";

/** The prepared key and certificate. */
export interface SigningCertificate {
  /** The signer for `alg`; rejects when the key cannot sign with it. */
  readonly signerFor: (alg: SigningAlgorithm) => Promise<Signer>;
  /** The key family, which picks the default algorithm. */
  readonly keyType: "RSA" | "EC";
  /** The WebCrypto curve name of an EC key. */
  readonly namedCurve: string | undefined;
  /** base64url SHA-1 of the certificate, when known. */
  readonly x5t: string | undefined;
  /** base64url SHA-256 of the certificate, when known. */
  readonly x5tS256: string | undefined;
  /** The chain as standard base64 DER, leaf first (empty when only thumbprints were given). */
  readonly x5c: readonly string[];
}

/**
 * A {@link SigningCertificate} for the chain `chain` (leaf first), with thumbprints computed from
 * the leaf.
 *
 * @throws ClientError `invalid_certificate` when the chain is empty.
 */
export async function signingCertificate(
  chain: readonly Uint8Array<ArrayBuffer>[],
  keyType: "RSA" | "EC",
  namedCurve: string | undefined,
  signerFor: (alg: SigningAlgorithm) => Promise<Signer>,
): Promise<SigningCertificate> {
  const leaf = chain[0];
  if (leaf === undefined) throw new ClientError("invalid_certificate", "No certificate was found.");
  const { x5t, x5tS256 } = await certificateThumbprints(leaf);
  return { signerFor, keyType, namedCurve, x5t, x5tS256, x5c: chain.map(encodeBase64) };
}

/** Signers over `material`, imported once per algorithm (non-extractable, `sign` only). */
export function materialSigners(
  material: PrivateKeyMaterial,
): (alg: SigningAlgorithm) => Promise<Signer> {
  const imported = new Map<SigningAlgorithm, Promise<Signer>>();
  return (alg) => {
    let signer = imported.get(alg);
    if (signer === undefined) {
      signer = importSigningKey(material, alg).then((key) => cryptoKeySigner(key, alg));
      imported.set(alg, signer);
    }
    return signer;
  };
}

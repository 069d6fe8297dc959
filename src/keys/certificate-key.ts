/**
 * The kind of key a certificate holds, for a key that signs elsewhere (Key Vault, a KMS, an HSM):
 * the certificate is then the only key material, and its public key decides the assertion's
 * algorithm and must be one a client assertion can be signed with.
 *
 * @module
 */

import { ClientError } from "../errors";
import {
  at,
  childrenOf,
  decodeDer,
  DerError,
  type DerNode,
  readBitString,
  readOid,
  readUnsignedInteger,
  Tag,
} from "./der";
import {
  assertRsaKeySize,
  bitLength,
  CURVES,
  EC_PUBLIC_KEY,
  RSA_ENCRYPTION,
  RSASSA_PSS,
  SUPPORTED_KEYS,
  UNSUPPORTED_KEYS,
} from "./key-algorithms";
import type { KeyKind } from "./private-key";
import { certificateSpki } from "./x509";

/**
 * The family and curve of a certificate's key: RSA of 2048 bits or more, or EC on P-256, P-384 or
 * P-521.
 *
 * @param der - The certificate's DER.
 * @throws ClientError `unsupported_key_type` (another algorithm or curve, or RSA under 2048
 *   bits), or `invalid_certificate`.
 */
export function certificateKeyKind(der: Uint8Array<ArrayBuffer>): KeyKind {
  const spki = certificateSpki(der);
  let found: (KeyKind & { bits: number }) | string;
  try {
    const fields = childrenOf(decodeDer(spki), Tag.SEQUENCE);
    found = readKeyKind(childrenOf(at(fields, 0), Tag.SEQUENCE), at(fields, 1, Tag.BIT_STRING));
  } catch (cause) {
    if (!(cause instanceof DerError)) throw cause;
    throw new ClientError(
      "invalid_certificate",
      `The certificate's public key is malformed (${cause.message}). Pass the PEM of the certificate registered on the app.`,
    );
  }
  if (typeof found === "string") {
    throw new ClientError(
      "unsupported_key_type",
      `The certificate's key is ${found}, which cannot sign client assertions here; use a certificate with an ${SUPPORTED_KEYS} key.`,
    );
  }
  if (found.keyType === "RSA") assertRsaKeySize(found.bits, "The certificate's key");
  return { keyType: found.keyType, namedCurve: found.namedCurve };
}

/** The kind of an SPKI's key (with an RSA modulus's length), or the name of an unusable one. */
function readKeyKind(
  algorithm: readonly DerNode[],
  publicKey: DerNode,
): (KeyKind & { bits: number }) | string {
  const oid = readOid(at(algorithm, 0));
  if (oid === RSA_ENCRYPTION || oid === RSASSA_PSS) {
    const fields = childrenOf(decodeDer(readBitString(publicKey)), Tag.SEQUENCE);
    const bits = bitLength(readUnsignedInteger(at(fields, 0)));
    return { keyType: "RSA", namedCurve: undefined, bits };
  }
  if (oid !== EC_PUBLIC_KEY) return UNSUPPORTED_KEYS[oid] ?? `algorithm ${oid}`;
  const parameters = at(algorithm, 1);
  if (parameters.tag !== Tag.OID) return "EC with explicit curve parameters";
  const curveOid = readOid(parameters);
  const namedCurve = CURVES[curveOid];
  if (namedCurve === undefined) return UNSUPPORTED_KEYS[curveOid] ?? `EC curve ${curveOid}`;
  return { keyType: "EC", namedCurve, bits: 0 };
}

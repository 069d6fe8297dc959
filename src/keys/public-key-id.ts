/**
 * A comparable form of a public key, read from a certificate's `SubjectPublicKeyInfo` or from a
 * private key: how a certificate is matched to its key without importing either into WebCrypto.
 *
 * @module
 */

import { ClientError } from "../errors";
import { decodeBase64 } from "../internal/base64";
import {
  at,
  childrenOf,
  concat,
  contextTag,
  decodeDer,
  DerError,
  type DerNode,
  readBitString,
  readOctetString,
  readOid,
  readUnsignedInteger,
  Tag,
} from "./der";
import { encodeHex } from "./hex";
import { CURVES, EC_PUBLIC_KEY, RSA_ENCRYPTION, RSASSA_PSS } from "./key-algorithms";
import type { PrivateKeyMaterial } from "./private-key";

/** A public key as its kind (`RSA`, `EC P-256`, ...) and its value in hex: equal ids, equal keys. */
export interface PublicKeyId {
  readonly kind: string;
  readonly value: string;
}

/**
 * The id of the public key of a `SubjectPublicKeyInfo`. A key of another algorithm gets a kind
 * of its own and an empty value, so it matches no private key.
 *
 * @param algorithm - The elements of the SPKI's `AlgorithmIdentifier`.
 * @param publicKey - The `subjectPublicKey` BIT STRING.
 * @throws DerError when the key is malformed.
 */
export function spkiPublicKeyId(algorithm: readonly DerNode[], publicKey: DerNode): PublicKeyId {
  const oid = readOid(at(algorithm, 0));
  const bits = readBitString(publicKey);
  if (oid === RSA_ENCRYPTION || oid === RSASSA_PSS) {
    const fields = childrenOf(decodeDer(bits), Tag.SEQUENCE);
    return rsaId(at(fields, 0), at(fields, 1));
  }
  if (oid === EC_PUBLIC_KEY) {
    const parameters = at(algorithm, 1);
    const curveOid = parameters.tag === Tag.OID ? readOid(parameters) : "with explicit parameters";
    return ecId(CURVES[curveOid] ?? `curve ${curveOid}`, bits);
  }
  return { kind: `algorithm ${oid}`, value: "" };
}

/**
 * The id of the public half of a private key, read from the key itself or, failing that, derived.
 *
 * @throws ClientError `invalid_private_key` when the key is corrupt.
 */
export async function privateKeyPublicKeyId(key: PrivateKeyMaterial): Promise<PublicKeyId> {
  try {
    return await readPublicPart(key);
  } catch (cause) {
    throw new ClientError(
      "invalid_private_key",
      `The ${key.keyType} private key is corrupt: its public key cannot be read (${errorName(cause)}).`,
      { cause },
    );
  }
}

async function readPublicPart(key: PrivateKeyMaterial): Promise<PublicKeyId> {
  const info = childrenOf(decodeDer(key.pkcs8), Tag.SEQUENCE);
  const fields = childrenOf(decodeDer(readOctetString(at(info, 2))), Tag.SEQUENCE);
  if (key.keyType === "RSA") return rsaId(at(fields, 1), at(fields, 2));
  const curve = key.namedCurve ?? "P-256";
  const publicKey = fields.find((field) => field.tag === contextTag(1));
  if (publicKey !== undefined) return ecId(curve, readBitString(at(childrenOf(publicKey), 0)));
  // SEC1 allows leaving the public point out: let WebCrypto compute it.
  const algorithm = { name: "ECDSA", namedCurve: curve };
  const extractable = await crypto.subtle.importKey("pkcs8", key.pkcs8, algorithm, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", extractable);
  const point = concat([Uint8Array.of(4), decodeBase64(jwk.x ?? ""), decodeBase64(jwk.y ?? "")]);
  return ecId(curve, point);
}

function rsaId(modulus: DerNode, exponent: DerNode): PublicKeyId {
  return {
    kind: "RSA",
    value: `${encodeHex(readUnsignedInteger(modulus))}:${encodeHex(readUnsignedInteger(exponent))}`,
  };
}

/**
 * An EC point as the parity of y plus x: the same for its compressed (`02`/`03` ‖ x) and
 * uncompressed (`04` ‖ x ‖ y) encodings, and unique, since a given x has one y of each parity.
 */
function ecId(curve: string, point: Uint8Array<ArrayBuffer>): PublicKeyId {
  const size = Math.ceil((point.length - 1) / 2);
  const prefix = point[0];
  let id: string;
  if (prefix === 4 && point.length % 2 === 1) {
    id = `${(point[point.length - 1] ?? 0) & 1}:${encodeHex(point.subarray(1, 1 + size))}`;
  } else if ((prefix === 2 || prefix === 3) && point.length > 1) {
    id = `${prefix & 1}:${encodeHex(point.subarray(1))}`;
  } else {
    throw new DerError("malformed EC point");
  }
  return { kind: `EC ${curve}`, value: id };
}

function errorName(error: unknown): string {
  return error instanceof DerError
    ? error.message
    : error instanceof Error
      ? error.name
      : "unknown error";
}

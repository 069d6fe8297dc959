/**
 * Private keys from PEM: PKCS#8 (plain or PBES2-encrypted), PKCS#1 `RSA PRIVATE KEY`, SEC1
 * `EC PRIVATE KEY` and `rsassaPss` PKCS#8, all normalised to the plain PKCS#8 that every
 * runtime's `crypto.subtle.importKey("pkcs8", ...)` accepts, then imported for signing.
 *
 * @module
 */

import { ClientError } from "../errors";
import {
  at,
  childrenOf,
  contextTag,
  decodeDer,
  DerError,
  type DerNode,
  encodeNull,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeSmallInteger,
  readOctetString,
  readOid,
  readSmallInteger,
  readUnsignedInteger,
  Tag,
} from "./der";
import { assertNoLegacyEncryption, decryptPrivateKeyInfo } from "./encrypted-private-key";
import {
  assertRsaKeySize,
  bitLength,
  CURVE_BYTES,
  CURVE_OIDS,
  CURVES,
  EC_PUBLIC_KEY,
  type NamedCurve,
  RSA_ENCRYPTION,
  RSASSA_PSS,
  SUPPORTED_KEYS,
  UNSUPPORTED_KEYS,
} from "./key-algorithms";
import { decodePemBlocks, type PemBlock } from "./pem";

/** A private key as plain PKCS#8 DER, with what is needed to pick an algorithm. */
export interface PrivateKeyMaterial {
  /** `PrivateKeyInfo` DER with an `rsaEncryption` or `ecPublicKey` algorithm identifier. */
  readonly pkcs8: Uint8Array<ArrayBuffer>;
  /** The key family. */
  readonly keyType: "RSA" | "EC";
  /** The curve, for EC keys. */
  readonly namedCurve?: NamedCurve;
}

/** The JWS algorithms a client assertion can be signed with. */
export type SigningAlgorithm = "RS256" | "PS256" | "ES256" | "ES384" | "ES512";

/** The curve each ECDSA algorithm signs on. */
const ALGORITHM_CURVES = { ES256: "P-256", ES384: "P-384", ES512: "P-521" } as const;

/**
 * Decodes a PEM private key into plain PKCS#8. Other PEM blocks in the text (certificates, EC
 * parameters) are ignored, so a combined key + certificate file works.
 *
 * @param pem - Text with one `PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY` or
 *   `ENCRYPTED PRIVATE KEY` block.
 * @param password - The password of an `ENCRYPTED PRIVATE KEY` (PBES2 with AES-CBC).
 * @throws ClientError `invalid_pem`, `invalid_private_key`, `unsupported_key_type` (RSA under
 *   2048 bits among them), `invalid_password` or `unsupported_encryption`.
 */
export async function decodePrivateKey(
  pem: string,
  password?: string,
): Promise<PrivateKeyMaterial> {
  const key = readPrivateKeyPem(pem);
  if (!("der" in key)) return key;
  return decryptPrivateKeyInfo(key.der, password, privateKeyFromPkcs8);
}

/**
 * Decodes an unencrypted PEM private key synchronously, so that a malformed, unsupported or short
 * key fails where it is given; `undefined` for an `ENCRYPTED PRIVATE KEY`, which only
 * {@link decodePrivateKey} (asynchronous: WebCrypto decrypts) can read.
 *
 * @throws ClientError as {@link decodePrivateKey} does, decryption aside.
 */
export function decodePlainPrivateKey(pem: string): PrivateKeyMaterial | undefined {
  const key = readPrivateKeyPem(pem);
  return "der" in key ? undefined : key;
}

/** The key of a PEM text, or its `ENCRYPTED PRIVATE KEY` block, still to decrypt. */
function readPrivateKeyPem(pem: string): PrivateKeyMaterial | PemBlock {
  const blocks = decodePemBlocks(pem, "private key");
  const keys = blocks.filter((block) => block.label.endsWith("PRIVATE KEY"));
  const block = keys[0];
  if (block === undefined) {
    const found = [...new Set(blocks.map((b) => b.label))].join(", ");
    throw new ClientError(
      "invalid_private_key",
      `The private key PEM holds no private key (it has: ${found}). ` +
        "Expected a -----BEGIN PRIVATE KEY----- block (or RSA PRIVATE KEY, EC PRIVATE KEY, ENCRYPTED PRIVATE KEY).",
    );
  }
  if (keys.length > 1) {
    throw new ClientError(
      "invalid_private_key",
      `The private key PEM holds ${keys.length} private keys; pass exactly one.`,
    );
  }
  assertNoLegacyEncryption(block);
  switch (block.label) {
    case "PRIVATE KEY":
      return parse(() => privateKeyFromPkcs8(block.der));
    case "RSA PRIVATE KEY":
      return parse(() => privateKeyFromPkcs1(block.der));
    case "EC PRIVATE KEY":
      return parse(() => privateKeyFromSec1(block.der));
    case "ENCRYPTED PRIVATE KEY":
      return block;
    case "OPENSSH PRIVATE KEY":
      throw new ClientError(
        "unsupported_key_type",
        "OpenSSH private keys are not supported. Convert a copy to PKCS#8 PEM with " +
          "`ssh-keygen -p -m PKCS8 -f <copy-of-key>` (RSA or ECDSA keys only).",
      );
    default:
      throw new ClientError(
        "unsupported_key_type",
        `"${block.label}" keys are not supported; use an ${SUPPORTED_KEYS} key in PKCS#8 PEM.`,
      );
  }
}

/**
 * Decodes a plain PKCS#8 `PrivateKeyInfo` (as found in a PKCS#12 key bag), normalised: the
 * `rsassaPss` OID becomes `rsaEncryption` and attributes are dropped.
 *
 * @throws DerError when the structure is malformed; ClientError `unsupported_key_type`.
 */
export function privateKeyFromPkcs8(der: Uint8Array<ArrayBuffer>): PrivateKeyMaterial {
  const info = childrenOf(decodeDer(der), Tag.SEQUENCE);
  const version = readSmallInteger(at(info, 0));
  if (version > 1) throw new DerError(`unknown PrivateKeyInfo version ${version}`);
  const algorithm = childrenOf(at(info, 1), Tag.SEQUENCE);
  const oid = readOid(at(algorithm, 0));
  const inner = readOctetString(at(info, 2));
  switch (oid) {
    case RSA_ENCRYPTION:
    case RSASSA_PSS:
      return privateKeyFromPkcs1(inner);
    case EC_PUBLIC_KEY: {
      const parameters = algorithm[1];
      const curve =
        parameters === undefined || parameters.tag === Tag.NULL ? undefined : curveOf(parameters);
      return privateKeyFromSec1(inner, curve);
    }
    default:
      throw unsupportedKey(UNSUPPORTED_KEYS[oid] ?? `algorithm ${oid}`);
  }
}

/**
 * The WebCrypto `importKey` parameters of a key that signs (private half) or verifies (public
 * half) with `alg`: RSASSA-PKCS1-v1_5 or RSA-PSS with SHA-256, or ECDSA on the algorithm's curve.
 */
export function webCryptoKeyParams(
  alg: SigningAlgorithm,
): RsaHashedImportParams | EcKeyImportParams {
  switch (alg) {
    case "RS256":
      return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    case "PS256":
      return { name: "RSA-PSS", hash: "SHA-256" };
    default:
      return { name: "ECDSA", namedCurve: ALGORITHM_CURVES[alg] };
  }
}

/** A key's family and curve: what decides the algorithms it signs with. */
export interface KeyKind {
  /** The key family. */
  readonly keyType: "RSA" | "EC";
  /** The curve, for EC keys. */
  readonly namedCurve?: NamedCurve | undefined;
}

/**
 * Checks that `alg` signs with a key of this family and curve.
 *
 * @throws ClientError `invalid_configuration`, naming the algorithm that fits.
 */
export function assertAlgorithmFits(key: KeyKind, alg: SigningAlgorithm): void {
  const wanted = alg === "RS256" || alg === "PS256" ? "RSA" : ALGORITHM_CURVES[alg];
  const actual = key.keyType === "RSA" ? "RSA" : key.namedCurve;
  if (wanted !== actual) {
    throw new ClientError(
      "invalid_configuration",
      `${alg} needs ${wanted === "RSA" ? "an RSA" : `an EC ${wanted}`} key, but the key is ` +
        `${actual === "RSA" ? "RSA" : `EC ${actual ?? "of unknown curve"}`}; use ${defaultAlgorithmFor(key)}.`,
    );
  }
}

/**
 * Imports the key for signing with `alg`: non-extractable, usage `sign` only.
 *
 * @throws ClientError `invalid_configuration` when `alg` does not fit the key, or
 *   `invalid_private_key` when WebCrypto rejects the key.
 */
export async function importSigningKey(
  material: PrivateKeyMaterial,
  alg: SigningAlgorithm,
): Promise<CryptoKey> {
  assertAlgorithmFits(material, alg);
  const parameters = webCryptoKeyParams(alg);
  try {
    return await crypto.subtle.importKey("pkcs8", material.pkcs8, parameters, false, ["sign"]);
  } catch (cause) {
    throw new ClientError(
      "invalid_private_key",
      `WebCrypto could not import the ${material.keyType} private key (${errorName(cause)}); ` +
        "the key is corrupt or inconsistent. Check it with `openssl pkey -in key.pem -check -noout`.",
      { cause },
    );
  }
}

/**
 * The algorithm to sign with by default: PS256 for RSA (what Entra ID asks for), ES256, ES384 or
 * ES512 by curve for EC.
 */
export function defaultAlgorithmFor(material: KeyKind): SigningAlgorithm {
  if (material.keyType === "RSA") return "PS256";
  return material.namedCurve === "P-384"
    ? "ES384"
    : material.namedCurve === "P-521"
      ? "ES512"
      : "ES256";
}

/** The named curve of an EC parameters node (an OID), or an `unsupported_key_type` error. */
function curveOf(parameters: DerNode): NamedCurve {
  if (parameters.tag !== Tag.OID) {
    throw unsupportedKey(
      "EC with explicit curve parameters",
      "re-save it with a named curve: `openssl ec -in key.pem -param_enc named_curve -out named.pem`",
    );
  }
  const oid = readOid(parameters);
  const curve = CURVES[oid];
  if (curve === undefined) throw unsupportedKey(UNSUPPORTED_KEYS[oid] ?? `EC curve ${oid}`);
  return curve;
}

function privateKeyFromPkcs1(der: Uint8Array<ArrayBuffer>): PrivateKeyMaterial {
  const fields = childrenOf(decodeDer(der), Tag.SEQUENCE);
  // version, n, e, d, p, q, dP, dQ, qInv (multi-prime keys add otherPrimeInfos)
  if (fields.length < 9 || !fields.slice(0, 9).every((field) => field.tag === Tag.INTEGER)) {
    throw new DerError("not an RSAPrivateKey");
  }
  assertRsaKeySize(bitLength(readUnsignedInteger(at(fields, 1))), "The private key");
  const algorithm = encodeSequence(encodeOid(RSA_ENCRYPTION), encodeNull());
  return { pkcs8: wrapPkcs8(algorithm, der), keyType: "RSA" };
}

function privateKeyFromSec1(
  der: Uint8Array<ArrayBuffer>,
  outerCurve?: NamedCurve,
): PrivateKeyMaterial {
  const fields = childrenOf(decodeDer(der), Tag.SEQUENCE);
  if (readSmallInteger(at(fields, 0)) !== 1) throw new DerError("unknown ECPrivateKey version");
  const scalar = readOctetString(at(fields, 1));
  const parameters = fields.find((field) => field.tag === contextTag(0));
  const innerCurve = parameters === undefined ? undefined : curveOf(at(childrenOf(parameters), 0));
  const namedCurve = outerCurve ?? innerCurve;
  if (namedCurve === undefined) throw new DerError("EC private key without a named curve");
  if (innerCurve !== undefined && innerCurve !== namedCurve)
    throw new DerError("EC key with two different curves");
  if (scalar.length !== CURVE_BYTES[namedCurve]) {
    throw new DerError(`EC private key of the wrong size for ${namedCurve}`);
  }
  const algorithm = encodeSequence(encodeOid(EC_PUBLIC_KEY), encodeOid(CURVE_OIDS[namedCurve]));
  return { pkcs8: wrapPkcs8(algorithm, der), keyType: "EC", namedCurve };
}

function wrapPkcs8(
  algorithm: Uint8Array<ArrayBuffer>,
  privateKey: Uint8Array<ArrayBuffer>,
): Uint8Array<ArrayBuffer> {
  return encodeSequence(encodeSmallInteger(0), algorithm, encodeOctetString(privateKey));
}

/** Runs a parser, turning structural errors into `invalid_private_key`. */
function parse(parser: () => PrivateKeyMaterial): PrivateKeyMaterial {
  try {
    return parser();
  } catch (cause) {
    if (!(cause instanceof DerError)) throw cause;
    throw new ClientError(
      "invalid_private_key",
      `The private key is malformed (${cause.message}). Check that it is a complete PEM key, not truncated or edited.`,
    );
  }
}

function unsupportedKey(kind: string, fix = `use an ${SUPPORTED_KEYS} key`): ClientError {
  return new ClientError(
    "unsupported_key_type",
    `The private key is ${kind}, which cannot sign client assertions here; ${fix}.`,
  );
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "unknown error";
}

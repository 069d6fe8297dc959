/**
 * PBES2 decryption (RFC 8018 §6.2) with what WebCrypto has: PBKDF2 with an HMAC-SHA-1/256/384/512
 * PRF, and AES-128/192/256-CBC. Used by encrypted PKCS#8 keys and by PKCS#12 bags. Everything
 * older (PBES1, PKCS#12 PBE with 3DES/RC2/RC4, `des-ede3-cbc`, scrypt) is reported as
 * unsupported, for the caller to explain how to re-encrypt.
 *
 * @module
 */

import {
  at,
  childrenOf,
  DerError,
  type DerNode,
  readOctetString,
  readOid,
  readSmallInteger,
  Tag,
} from "./der";

/** The data is encrypted with an algorithm WebCrypto cannot undo. */
export class UnsupportedEncryptionError extends Error {
  /** A readable name of the algorithm, e.g. `"3DES (pbeWithSHAAnd3-KeyTripleDES-CBC)"`. */
  readonly algorithm: string;

  constructor(algorithm: string) {
    super(`unsupported encryption: ${algorithm}`);
    this.name = "UnsupportedEncryptionError";
    this.algorithm = algorithm;
  }
}

const PBES2 = "1.2.840.113549.1.5.13";
const PBKDF2 = "1.2.840.113549.1.5.12";
const HMAC_WITH_SHA1 = "1.2.840.113549.2.7";

const PRF_HASHES: Readonly<Record<string, string>> = {
  [HMAC_WITH_SHA1]: "SHA-1",
  "1.2.840.113549.2.9": "SHA-256",
  "1.2.840.113549.2.10": "SHA-384",
  "1.2.840.113549.2.11": "SHA-512",
};

/** AES-CBC OIDs and their key lengths in bytes. */
const AES_CBC_KEY_BYTES: Readonly<Record<string, number>> = {
  "2.16.840.1.101.3.4.1.2": 16,
  "2.16.840.1.101.3.4.1.22": 24,
  "2.16.840.1.101.3.4.1.42": 32,
};

const UNSUPPORTED_NAMES: Readonly<Record<string, string>> = {
  "1.2.840.113549.1.12.1.1": "RC4 (pbeWithSHAAnd128BitRC4)",
  "1.2.840.113549.1.12.1.2": "RC4 (pbeWithSHAAnd40BitRC4)",
  "1.2.840.113549.1.12.1.3": "3DES (pbeWithSHAAnd3-KeyTripleDES-CBC)",
  "1.2.840.113549.1.12.1.4": "2-key 3DES (pbeWithSHAAnd2-KeyTripleDES-CBC)",
  "1.2.840.113549.1.12.1.5": "RC2 (pbeWithSHAAnd128BitRC2-CBC)",
  "1.2.840.113549.1.12.1.6": "RC2-40 (pbeWithSHAAnd40BitRC2-CBC)",
  "1.2.840.113549.1.5.1": "PBES1 (pbeWithMD2AndDES-CBC)",
  "1.2.840.113549.1.5.3": "PBES1 (pbeWithMD5AndDES-CBC)",
  "1.2.840.113549.1.5.4": "PBES1 (pbeWithMD2AndRC2-CBC)",
  "1.2.840.113549.1.5.6": "PBES1 (pbeWithMD5AndRC2-CBC)",
  "1.2.840.113549.1.5.10": "PBES1 (pbeWithSHA1AndDES-CBC)",
  "1.2.840.113549.1.5.11": "PBES1 (pbeWithSHA1AndRC2-CBC)",
  "1.2.840.113549.3.7": "3DES (des-ede3-cbc)",
  "1.3.14.3.2.7": "DES (des-cbc)",
  "1.2.840.113549.3.2": "RC2 (rc2-cbc)",
  "1.3.6.1.4.1.11591.4.11": "scrypt",
  "1.2.840.113549.2.8": "PBKDF2 with hmacWithSHA224",
};

// OpenSSL writes 2048, Windows 2000, password managers up to ~1.3 million. Far beyond that is a
// hostile file that would keep the CPU busy for many seconds per key.
const MAX_ITERATIONS = 2_000_000;
const AES_BLOCK = 16;

/**
 * Decrypts `ciphertext` encrypted under the PBES2 `AlgorithmIdentifier` node `algorithm`, with the
 * password's UTF-8 bytes (as OpenSSL does, in PKCS#8 and in PKCS#12 alike).
 *
 * @param charge - Told the PBKDF2 iteration count before the key is derived; may throw to refuse
 *   the work (a PKCS#12 file's budget across all its parts).
 * @returns The plaintext, or `undefined` when AES-CBC decryption fails (bad padding): the
 *   password is wrong.
 * @throws UnsupportedEncryptionError for a scheme other than PBES2 + PBKDF2 + AES-CBC.
 * @throws DerError when the parameters are malformed; whatever `charge` throws.
 */
export async function decryptPbes2(
  algorithm: DerNode,
  ciphertext: Uint8Array<ArrayBuffer>,
  password: string,
  charge?: (iterations: number) => void,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const identifier = childrenOf(algorithm, Tag.SEQUENCE);
  const scheme = readOid(at(identifier, 0));
  if (scheme !== PBES2) throw unsupported(scheme);
  const parameters = childrenOf(at(identifier, 1), Tag.SEQUENCE);
  const kdf = childrenOf(at(parameters, 0), Tag.SEQUENCE);
  const cipher = childrenOf(at(parameters, 1), Tag.SEQUENCE);

  const kdfOid = readOid(at(kdf, 0));
  if (kdfOid !== PBKDF2) throw unsupported(kdfOid);
  const cipherOid = readOid(at(cipher, 0));
  const keyBytes = AES_CBC_KEY_BYTES[cipherOid];
  if (keyBytes === undefined) throw unsupported(cipherOid);
  const iv = readOctetString(at(cipher, 1));
  if (iv.length !== AES_BLOCK) throw new DerError("AES-CBC IV is not 16 bytes");

  const params = childrenOf(at(kdf, 1), Tag.SEQUENCE);
  const salt = readOctetString(at(params, 0));
  const iterations = readSmallInteger(at(params, 1));
  if (iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new DerError(`PBKDF2 iteration count ${iterations} is outside 1..${MAX_ITERATIONS}`);
  }
  let prfOid = HMAC_WITH_SHA1; // the DEFAULT of PBKDF2-params
  for (const optional of params.slice(2)) {
    if (optional.tag === Tag.INTEGER) {
      if (readSmallInteger(optional) !== keyBytes)
        throw new DerError("PBKDF2 key length does not match AES");
    } else {
      prfOid = readOid(at(childrenOf(optional, Tag.SEQUENCE), 0));
    }
  }
  const hash = PRF_HASHES[prfOid];
  if (hash === undefined) throw unsupported(prfOid);
  if (ciphertext.length === 0 || ciphertext.length % AES_BLOCK !== 0) {
    throw new DerError("AES-CBC ciphertext is not a whole number of blocks");
  }

  charge?.(iterations);
  const secret = new TextEncoder().encode(password);
  const passwordKey = await crypto.subtle.importKey("raw", secret, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", salt, iterations, hash },
    passwordKey,
    keyBytes * 8,
  );
  const aesKey = await crypto.subtle.importKey("raw", bits, "AES-CBC", false, ["decrypt"]);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-CBC", iv }, aesKey, ciphertext));
  } catch {
    return undefined;
  }
}

function unsupported(oid: string): UnsupportedEncryptionError {
  return new UnsupportedEncryptionError(UNSUPPORTED_NAMES[oid] ?? `algorithm ${oid}`);
}

/**
 * PKCS#12 password integrity (RFC 7292): the HMAC over a PFX's AuthenticatedSafe, keyed by the
 * PKCS#12 key derivation (Appendix B) of the password. This is how a wrong password is told apart
 * before anything is decrypted.
 *
 * @module
 */

import { ClientError } from "../errors";
import {
  at,
  childrenOf,
  concat,
  type DerNode,
  readOctetString,
  readOid,
  readSmallInteger,
  Tag,
} from "./der";

/** What a PFX's `MacData` says: the expected MAC and how to derive its key. */
export interface MacParameters {
  /** The MAC value the file carries. */
  readonly digest: Uint8Array<ArrayBuffer>;
  /** The MAC's hash and that hash's block size. */
  readonly algorithm: { readonly hash: string; readonly blockBytes: number };
  /** The KDF salt. */
  readonly salt: Uint8Array<ArrayBuffer>;
  /** The KDF iteration count, within the bound this module accepts. */
  readonly iterations: number;
}

/** PBMAC1 (RFC 9579): named in its error, not supported. */
const PBMAC1 = "1.2.840.113549.1.5.14";

/** MAC digest OIDs: WebCrypto hash name, and the hash's block size in bytes (`v` of the KDF). */
const MAC_DIGESTS: Readonly<Record<string, { hash: string; blockBytes: number }>> = {
  "1.3.14.3.2.26": { hash: "SHA-1", blockBytes: 64 },
  "2.16.840.1.101.3.4.2.1": { hash: "SHA-256", blockBytes: 64 },
  "2.16.840.1.101.3.4.2.2": { hash: "SHA-384", blockBytes: 128 },
  "2.16.840.1.101.3.4.2.3": { hash: "SHA-512", blockBytes: 128 },
};

// The MAC key takes one awaited `crypto.subtle.digest` per iteration (about 25 µs on Node), so
// this bounds the work a hostile file can cause to a few seconds. Writers use 2000 (Windows),
// 2048 (OpenSSL) or 10000 (Java).
const MAX_MAC_ITERATIONS = 50_000;
const MAC_KEY_ID = 3; // RFC 7292 B.3: ID 3 derives integrity (MAC) keys

/**
 * Reads a PFX's `MacData`.
 *
 * @throws DerError when it is malformed; ClientError `invalid_pkcs12` for an unsupported digest
 *   (PBMAC1 among them) or an iteration count out of bounds.
 */
export function readMacData(macData: DerNode): MacParameters {
  const fields = childrenOf(macData, Tag.SEQUENCE);
  const digestInfo = childrenOf(at(fields, 0), Tag.SEQUENCE);
  const digestOid = readOid(at(childrenOf(at(digestInfo, 0), Tag.SEQUENCE), 0));
  const count = fields[2] === undefined ? 1 : readSmallInteger(fields[2]);
  if (count < 1 || count > MAX_MAC_ITERATIONS) {
    throw unsupportedMac(
      `The PKCS#12 file's integrity check (MAC) uses ${count} iterations, outside 1..${MAX_MAC_ITERATIONS}; ` +
        "re-export it with `openssl pkcs12 -export` (2048 by default)",
    );
  }
  const found = MAC_DIGESTS[digestOid];
  if (found === undefined) {
    throw unsupportedMac(
      `The PKCS#12 file's integrity check (MAC) uses ${digestOid === PBMAC1 ? "PBMAC1" : `digest ${digestOid}`}, ` +
        "which is not supported; re-export it with `openssl pkcs12 -export -macalg sha256`",
    );
  }
  return {
    digest: readOctetString(at(digestInfo, 1)),
    algorithm: found,
    salt: readOctetString(at(fields, 1)),
    iterations: count,
  };
}

/**
 * Verifies the HMAC over the AuthenticatedSafe. The password is taken as a NUL-terminated
 * BMPString; an empty password is tried both with and without the terminator, as writers differ
 * there.
 *
 * @param charge - Told the iteration count before each key derivation (one per password form
 *   tried); may throw to refuse the work.
 * @returns Whether `password` is the file's password.
 */
export async function verifyMac(
  mac: MacParameters,
  content: Uint8Array<ArrayBuffer>,
  password: string,
  charge?: (iterations: number) => void,
): Promise<boolean> {
  const { digest, algorithm, salt, iterations } = mac;
  const unicode = bmpString(password);
  const candidates = password === "" ? [unicode, new Uint8Array(0)] : [unicode];
  for (const secret of candidates) {
    charge?.(iterations);
    const keyBytes = await pkcs12Kdf(
      algorithm.hash,
      algorithm.blockBytes,
      secret,
      salt,
      iterations,
    );
    const hmac = { name: "HMAC", hash: algorithm.hash };
    const key = await crypto.subtle.importKey("raw", keyBytes, hmac, false, ["verify"]);
    if (await crypto.subtle.verify("HMAC", key, digest, content)) return true;
  }
  return false;
}

/**
 * The PKCS#12 KDF (RFC 7292 B.2) for a MAC key, whose length is the hash's output length: one
 * block, so only `A = H^iterations(D ‖ S ‖ P)` is needed.
 */
async function pkcs12Kdf(
  hash: string,
  blockBytes: number,
  password: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const diversifier = new Uint8Array(blockBytes).fill(MAC_KEY_ID);
  const input = concat([
    diversifier,
    repeatToBlocks(salt, blockBytes),
    repeatToBlocks(password, blockBytes),
  ]);
  let block = new Uint8Array(await crypto.subtle.digest(hash, input));
  for (let i = 1; i < iterations; i++)
    block = new Uint8Array(await crypto.subtle.digest(hash, block));
  return block;
}

/** `bytes` repeated to fill a whole number of `blockBytes` blocks (empty stays empty). */
function repeatToBlocks(
  bytes: Uint8Array<ArrayBuffer>,
  blockBytes: number,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(Math.ceil(bytes.length / blockBytes) * blockBytes);
  for (let i = 0; i < out.length; i++) out[i] = bytes[i % bytes.length] ?? 0;
  return out;
}

/** A password as BMPString: UTF-16 big-endian code units and a two-byte NUL terminator. */
function bmpString(password: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) {
    const unit = password.charCodeAt(i);
    out[2 * i] = unit >> 8;
    out[2 * i + 1] = unit & 0xff;
  }
  return out;
}

function unsupportedMac(message: string): ClientError {
  return new ClientError("invalid_pkcs12", `${message}.`);
}

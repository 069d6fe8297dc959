/**
 * The two ways a PEM private key can be encrypted: PKCS#8 `ENCRYPTED PRIVATE KEY` (PBES2, which
 * WebCrypto can undo) and OpenSSL's legacy `Proc-Type: 4,ENCRYPTED` headers (an MD5-based key
 * derivation WebCrypto lacks, refused with the command that re-encrypts the key).
 *
 * @module
 */

import { ClientError } from "../errors";
import { at, childrenOf, decodeDer, DerError, readOctetString, Tag } from "./der";
import { decryptPbes2, UnsupportedEncryptionError } from "./pbes2";
import type { PemBlock } from "./pem";

const REENCRYPT =
  "Re-encrypt it with AES: `openssl pkcs8 -topk8 -v2 aes-256-cbc -in old.pem -out new.pem`";

/**
 * Refuses a PEM block with legacy OpenSSL encryption headers (`Proc-Type: 4,ENCRYPTED`).
 *
 * @throws ClientError `unsupported_encryption`, naming the cipher of `DEK-Info` (never its IV).
 */
export function assertNoLegacyEncryption(block: PemBlock): void {
  if (!/ENCRYPTED/i.test(block.headers["Proc-Type"] ?? "")) return;
  // DEK-Info is "CIPHER,IV": name the cipher only, and only if it looks like one.
  const cipher =
    /^[A-Za-z0-9-]{1,32}(?=,)/.exec(block.headers["DEK-Info"] ?? "")?.[0] ?? "an unknown cipher";
  throw new ClientError(
    "unsupported_encryption",
    `The private key uses legacy PEM encryption (Proc-Type: 4,ENCRYPTED with ${cipher}), whose ` +
      `MD5-based key derivation WebCrypto lacks. ${REENCRYPT}.`,
  );
}

/**
 * Decrypts an `EncryptedPrivateKeyInfo` (PBES2 with AES-CBC) and reads the `PrivateKeyInfo` inside
 * with `readPkcs8`. A structural error of the plaintext means the password is wrong: AES-CBC
 * padding happens to check out about once in 256 wrong passwords; the DER does not.
 *
 * @param readPkcs8 - Reads the decrypted `PrivateKeyInfo` DER; throws `DerError` when malformed.
 * @throws ClientError `invalid_password` (none given, or wrong), `unsupported_encryption`, or
 *   `invalid_private_key` when the encrypted structure is malformed.
 */
export async function decryptPrivateKeyInfo<T>(
  der: Uint8Array<ArrayBuffer>,
  password: string | undefined,
  readPkcs8: (pkcs8: Uint8Array<ArrayBuffer>) => T,
): Promise<T> {
  if (password === undefined) {
    throw new ClientError(
      "invalid_password",
      "The private key is encrypted (BEGIN ENCRYPTED PRIVATE KEY) and no password was given: pass the key's password.",
    );
  }
  let plaintext: Uint8Array<ArrayBuffer> | undefined;
  try {
    const info = childrenOf(decodeDer(der), Tag.SEQUENCE);
    plaintext = await decryptPbes2(
      at(info, 0, Tag.SEQUENCE),
      readOctetString(at(info, 1)),
      password,
    );
  } catch (cause) {
    if (cause instanceof UnsupportedEncryptionError) {
      throw new ClientError(
        "unsupported_encryption",
        `The private key is encrypted with ${cause.algorithm}, which WebCrypto cannot decrypt. ${REENCRYPT}.`,
      );
    }
    if (!(cause instanceof DerError)) throw cause;
    throw new ClientError(
      "invalid_private_key",
      `The encrypted private key is malformed (${cause.message}). Check that it is a complete PEM key, not truncated or edited.`,
    );
  }
  const wrongPassword = new ClientError(
    "invalid_password",
    "The password does not decrypt the private key: check that it is the password the key was encrypted with.",
  );
  if (plaintext === undefined) throw wrongPassword;
  try {
    return readPkcs8(plaintext);
  } catch (cause) {
    if (cause instanceof DerError) throw wrongPassword;
    throw cause;
  }
}

/**
 * Encryption at rest for L2 values: AES-256-GCM under a key the user provides, with a key id so
 * keys can rotate (the first key seals, every listed key opens). The store key is the additional
 * authenticated data, so a sealed value moved under another key does not open.
 *
 * Format: `e1.{key id}.{iv}.{ciphertext}`, each part base64url.
 *
 * @module
 */

import { ClientError } from "../errors";
import { decodeBase64, encodeBase64Url, encodeBase64UrlText } from "../internal/base64";

/** One encryption key. */
export interface CacheEncryptionKey {
  /** A short, stable name of the key, stored with each value (not secret). */
  id: string;
  /** A 256-bit AES key: a `CryptoKey` (AES-GCM), raw bytes, or base64 text of 32 bytes. */
  key: CryptoKey | Uint8Array | string;
}

/** Encryption of L2 values. */
export interface CacheEncryptionOptions {
  /** Keys, newest first: the first seals new values; all of them open values sealed with them. */
  keys: readonly CacheEncryptionKey[];
}

const sealedPrefix = "e1.";

/** Seals and opens L2 values. */
export class ValueSealer {
  readonly #keys: Map<string, Promise<CryptoKey>>;
  readonly #sealingKeyId: string;

  /** @throws ClientError `invalid_configuration` for no keys, a bad key id or a key of the wrong size. */
  constructor(options: CacheEncryptionOptions) {
    const first = options.keys[0];
    if (first === undefined)
      throw new ClientError(
        "invalid_configuration",
        "Cache encryption needs at least one key: { keys: [{ id, key }] }.",
      );
    this.#keys = new Map();
    for (const { id, key } of options.keys) {
      if (typeof id !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
        throw new ClientError(
          "invalid_configuration",
          "Each cache encryption key needs an id of 1-64 letters, digits, '-' or '_'.",
        );
      }
      const imported = importAesKey(key);
      imported.catch(() => undefined); // reported when used
      this.#keys.set(id, imported);
    }
    this.#sealingKeyId = first.id;
  }

  /** Encrypts `value` for storage under `storeKey`. */
  async seal(storeKey: string, value: string): Promise<string> {
    const key = await (this.#keys.get(this.#sealingKeyId) as Promise<CryptoKey>);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(storeKey) },
      key,
      new TextEncoder().encode(value),
    );
    return `${sealedPrefix}${encodeBase64UrlText(this.#sealingKeyId)}.${encodeBase64Url(iv)}.${encodeBase64Url(new Uint8Array(ciphertext))}`;
  }

  /** Decrypts a value read from `storeKey`; `undefined` when it is not sealed, or not by a known key. */
  async open(storeKey: string, sealed: string): Promise<string | undefined> {
    if (!sealed.startsWith(sealedPrefix)) return undefined;
    const parts = sealed.slice(sealedPrefix.length).split(".");
    if (parts.length !== 3) return undefined;
    try {
      const id = new TextDecoder().decode(decodeBase64(parts[0] as string));
      const key = this.#keys.get(id);
      if (key === undefined) return undefined;
      const plain = await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: decodeBase64(parts[1] as string),
          additionalData: new TextEncoder().encode(storeKey),
        },
        await key,
        decodeBase64(parts[2] as string),
      );
      return new TextDecoder().decode(plain);
    } catch {
      return undefined;
    }
  }
}

async function importAesKey(key: CryptoKey | Uint8Array | string): Promise<CryptoKey> {
  if (typeof key === "object" && "algorithm" in key) return key;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = typeof key === "string" ? decodeBase64(key) : new Uint8Array(key);
  } catch {
    throw new ClientError(
      "invalid_configuration",
      "A cache encryption key given as text must be base64 of 32 random bytes.",
    );
  }
  if (bytes.length !== 32)
    throw new ClientError(
      "invalid_configuration",
      "A cache encryption key must be 32 bytes (AES-256): generate one with crypto.getRandomValues(new Uint8Array(32)).",
    );
  return crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]);
}

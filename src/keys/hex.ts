/**
 * Hex encoding, for comparable key values, RFC 4514 `#hex` values and certificate thumbprints.
 *
 * @module
 */

/** The bytes as lower-case hex, two digits each. */
export function encodeHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/**
 * Base64 and base64url without `Buffer` (absent in workerd) and without
 * `Uint8Array.prototype.toBase64` (absent in Node 20).
 *
 * @module
 */

/** Encodes bytes as standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    // apply, not spread: spreading a typed array walks an iterator, several times slower.
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk) as unknown as number[]);
  }
  return btoa(binary);
}

/** Encodes bytes as unpadded base64url (RFC 4648 §5), as JOSE uses it. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Decodes standard base64 or base64url, padded or not, ignoring ASCII white space.
 * Throws a `SyntaxError` on any other character; callers turn it into their own typed error.
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const compact = text
    .replace(/[\s]/g, "")
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/]*$/.test(compact) || compact.length % 4 === 1) {
    throw new SyntaxError("not base64");
  }
  const binary = atob(compact + "===".slice((compact.length + 3) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Encodes a string as UTF-8 and then as unpadded base64url. */
export function encodeBase64UrlText(text: string): string {
  return encodeBase64Url(new TextEncoder().encode(text));
}

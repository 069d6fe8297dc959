/**
 * The SHA-256 of an access token as `withAccessTokenSha256ToRefresh` takes it: lowercase hex
 * over the token's UTF-8 bytes.
 *
 * @module
 */

import { encodeHex } from "../keys/hex";

const encoder = new TextEncoder();

/** 64 lowercase hex digits: SHA-256 of `accessToken`'s UTF-8 bytes. */
export async function accessTokenSha256(accessToken: string): Promise<string> {
  return encodeHex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(accessToken))),
  );
}

/**
 * What the helpers read of an external token: that it is a compact JWT, and its `exp`. The
 * payload is decoded only; its signature and `aud` are Entra's to check.
 *
 * @module
 */

import { ClientError } from "../src/errors";
import { decodeBase64 } from "../src/internal/base64";

/**
 * The expiry of `token` in milliseconds since the epoch, or `undefined` when it has no numeric
 * `exp`.
 * @throws ClientError `invalid_client_assertion` when `token` is not a compact JWT with a JSON
 *   payload; the message names `source` and never quotes the token.
 */
export function expiryOf(token: string, source: string): number | undefined {
  const parts = token.split(".");
  let payload: unknown;
  try {
    if (parts.length !== 3 || parts.some((part) => part === "")) throw new TypeError();
    payload = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64(parts[1] as string)),
    );
  } catch {
    throw new ClientError(
      "invalid_client_assertion",
      `${source} gave a value that is not a JWT (three base64url parts with a JSON payload): check that it is the identity token itself.`,
    );
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new ClientError(
      "invalid_client_assertion",
      `${source} gave a JWT whose payload is not a JSON object: check that it is the identity token itself.`,
    );
  }
  const exp = (payload as Record<string, unknown>)["exp"];
  return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : undefined;
}

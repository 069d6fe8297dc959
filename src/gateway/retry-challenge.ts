/**
 * What a resource's 401 asks for, read from its `WWW-Authenticate` header: a token with more
 * claims (a claims challenge, as Continuous Access Evaluation and authentication contexts send),
 * a new token in place of a rejected one (`error="invalid_token"`), or nothing we can give.
 *
 * @module
 */

import type { AcquireTokenForClientOptions } from "../options";
import { claimsOfChallenge } from "../request/claims";
import { parseWwwAuthenticate } from "../request/www-authenticate";
import { accessTokenSha256 } from "../internal/token-hash";

/** The acquisition options of the one retry a 401 earns, or `undefined` when it earns none. */
export async function retryOptionsOf401(
  response: Response,
  rejectedToken: string,
): Promise<
  Pick<AcquireTokenForClientOptions, "claims" | "accessTokenSha256ToRefresh"> | undefined
> {
  const header = response.headers.get("www-authenticate");
  if (header === null) return undefined;
  const bearer = parseWwwAuthenticate(header).find(
    (challenge) => challenge.scheme.toLowerCase() === "bearer",
  );
  if (bearer === undefined) return undefined;
  const claims = claimsOfChallenge(bearer);
  if (claims !== undefined) return { claims };
  if (bearer.parameters.get("error") === "invalid_token")
    return { accessTokenSha256ToRefresh: await accessTokenSha256(rejectedToken) };
  return undefined;
}

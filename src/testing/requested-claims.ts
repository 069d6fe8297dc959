/**
 * The authentication contexts a token request's `claims` parameter asks for
 * (`access_token.acrs`, what a resource's claims challenge names), which the emulator grants: a
 * resource that challenged for one accepts the new token because it carries `acrs`. (Declared
 * client capabilities, `xms_cc`, are added by the token endpoint.)
 *
 * @module
 */

/** The claims to add to the issued token; empty when the request asked for none of these. */
export function grantedClaimsOf(claims: string | undefined): Record<string, string[]> {
  if (claims === undefined) return {};
  const accessToken = (JSON.parse(claims) as Record<string, unknown>)["access_token"];
  if (typeof accessToken !== "object" || accessToken === null) return {};
  const acrs = valuesOf((accessToken as Record<string, unknown>)["acrs"]);
  return acrs.length === 0 ? {} : { acrs };
}

/** `{ value }` or `{ values }` of one requested claim, as strings. */
function valuesOf(request: unknown): string[] {
  if (typeof request !== "object" || request === null) return [];
  const { value, values } = request as { value?: unknown; values?: unknown };
  const all = Array.isArray(values) ? values : value === undefined ? [] : [value];
  return all.filter((item): item is string => typeof item === "string");
}

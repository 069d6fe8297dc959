/**
 * The access-token claims a token request's `claims` parameter asks for that the emulator grants:
 * authentication contexts (`access_token.acrs`, what a resource's claims challenge names) and
 * client capabilities (`access_token.xms_cc`, e.g. `cp1`). A resource that challenged for an
 * authentication context accepts the new token because it carries `acrs`.
 *
 * @module
 */

/** The claims to add to the issued token; empty when the request asked for none of these. */
export function grantedClaimsOf(claims: string | undefined): Record<string, string[]> {
  if (claims === undefined) return {};
  const accessToken = (JSON.parse(claims) as Record<string, unknown>)["access_token"];
  if (typeof accessToken !== "object" || accessToken === null) return {};
  const granted: Record<string, string[]> = {};
  for (const name of ["acrs", "xms_cc"]) {
    const values = valuesOf((accessToken as Record<string, unknown>)[name]);
    if (values.length > 0) granted[name] = values;
  }
  return granted;
}

/** `{ value }` or `{ values }` of one requested claim, as strings. */
function valuesOf(request: unknown): string[] {
  if (typeof request !== "object" || request === null) return [];
  const { value, values } = request as { value?: unknown; values?: unknown };
  const all = Array.isArray(values) ? values : value === undefined ? [] : [value];
  return all.filter((item): item is string => typeof item === "string");
}

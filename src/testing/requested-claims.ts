/**
 * What a token request's `claims` parameter asks of the issued token, as the emulator grants it:
 * the authentication contexts of `access_token.acrs` (what a resource's claims challenge names:
 * a resource that challenged for one accepts the new token because it carries `acrs`), and the
 * client capabilities of `access_token.xms_cc.values` (`cp1`), which Entra puts in the tokens of
 * CAE-capable clients as `xms_cc`.
 *
 * @module
 */

/** The requested claims the issued token carries; a field is absent when nothing was asked. */
export interface RequestedClaims {
  /** `acrs`: the authentication contexts asked for (`value` or `values`). */
  readonly acrs?: readonly string[];
  /** `xms_cc`: the client capabilities declared (`values`). */
  readonly capabilities?: readonly string[];
}

/** Reads `claims` (already checked to be a JSON object) once. */
export function requestedClaimsOf(claims: string | undefined): RequestedClaims {
  if (claims === undefined) return {};
  const accessToken = (JSON.parse(claims) as Record<string, unknown>)["access_token"];
  if (typeof accessToken !== "object" || accessToken === null) return {};
  const { acrs, xms_cc } = accessToken as { acrs?: unknown; xms_cc?: unknown };
  const contexts = strings(valueOrValues(acrs));
  const capabilities = strings(
    typeof xms_cc === "object" && xms_cc !== null ? (xms_cc as { values?: unknown }).values : [],
  );
  return {
    ...(contexts.length === 0 ? {} : { acrs: contexts }),
    ...(capabilities.length === 0 ? {} : { capabilities }),
  };
}

/** `{ value }` or `{ values }` of one requested claim. */
function valueOrValues(request: unknown): unknown {
  if (typeof request !== "object" || request === null) return [];
  const { value, values } = request as { value?: unknown; values?: unknown };
  return Array.isArray(values) ? values : value === undefined ? [] : [value];
}

/** The strings of `list` when it is an array; none otherwise. */
function strings(list: unknown): string[] {
  return Array.isArray(list) ? list.filter((item): item is string => typeof item === "string") : [];
}

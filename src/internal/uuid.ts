/** A random RFC 4122 v4 id, for correlation ids and `jti`. */
export function randomId(): string {
  return crypto.randomUUID();
}

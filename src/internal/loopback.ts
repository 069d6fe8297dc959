/** Whether a URL's hostname is a loopback one (the only hosts plain `http:` is allowed for). */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

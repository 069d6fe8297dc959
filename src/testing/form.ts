/**
 * `application/x-www-form-urlencoded` parsing as lenient as Entra ID's: `+` and `%20` are both a
 * space, raw `|`, `,` and spaces (msal-node's telemetry values) pass through, a `%` that does not
 * start a valid escape is kept literally, and the first occurrence of a repeated key wins.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Decodes one form component: `+` to space, `%XX` to bytes (UTF-8), anything else as is. */
export function decodeFormComponent(text: string): string {
  const spaced = text.replace(/\+/g, " ");
  if (!spaced.includes("%")) return spaced;
  const bytes: number[] = [];
  for (let i = 0; i < spaced.length;) {
    const hex = spaced.slice(i + 1, i + 3);
    if (spaced[i] === "%" && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const char = String.fromCodePoint(spaced.codePointAt(i) as number);
      bytes.push(...encoder.encode(char));
      i += char.length;
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

/**
 * Parses a form body into a prototype-free record. Pairs without a key are skipped; a key
 * without `=` has the empty value; the first value of a repeated key wins.
 */
export function parseForm(body: string): Record<string, string> {
  const form: Record<string, string> = Object.create(null);
  for (const pair of body.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = decodeFormComponent(eq === -1 ? pair : pair.slice(0, eq));
    if (key === "" || Object.hasOwn(form, key)) continue;
    form[key] = eq === -1 ? "" : decodeFormComponent(pair.slice(eq + 1));
  }
  return form;
}

/** Whether a `Content-Type` header value announces a form body (parameters such as `charset` allowed). */
export function isFormContentType(contentType: string | null): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/**
 * Reads a `WWW-Authenticate` header (RFC 9110 §11.6.1) into its challenges. A header may hold
 * several challenges (`Bearer …, PoP …`), and the commas that separate challenges are the same
 * commas that separate a challenge's parameters, so a regular expression cannot tell them apart.
 *
 * @module
 */

/** One challenge: its scheme as sent, and its parameters by lower-cased name. */
export interface AuthenticationChallenge {
  readonly scheme: string;
  readonly parameters: ReadonlyMap<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/**
 * Parses a `WWW-Authenticate` value. Unreadable trailing text ends the parse: the challenges
 * read so far are returned, never an exception (a resource's header is not ours to reject).
 */
export function parseWwwAuthenticate(header: string): AuthenticationChallenge[] {
  const scanner = new Scanner(header);
  const challenges: AuthenticationChallenge[] = [];
  for (;;) {
    scanner.skip(/[\s,]/);
    const scheme = scanner.token();
    if (scheme === "") break;
    const parameters = new Map<string, string>();
    challenges.push({ scheme, parameters });
    scanner.skip(/\s/);
    if (scanner.token68Ahead()) {
      scanner.skipToken68();
      continue;
    }
    for (;;) {
      const start = scanner.position;
      const name = scanner.token();
      scanner.skip(/\s/);
      if (name === "" || !scanner.consume("=")) {
        // Not a parameter: the next challenge's scheme (or the end).
        scanner.position = start;
        break;
      }
      scanner.skip(/\s/);
      const value = scanner.peek() === '"' ? scanner.quotedString() : scanner.token();
      if (value === undefined) return challenges;
      if (!parameters.has(name.toLowerCase())) parameters.set(name.toLowerCase(), value);
      scanner.skip(/\s/);
      if (!scanner.consume(",")) break;
      scanner.skip(/[\s,]/);
    }
  }
  return challenges;
}

/** A cursor over the header text. */
class Scanner {
  position = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  peek(): string | undefined {
    return this.#text[this.position];
  }

  skip(pattern: RegExp): void {
    while (this.position < this.#text.length && pattern.test(this.#text[this.position] as string))
      this.position++;
  }

  consume(char: string): boolean {
    if (this.#text[this.position] !== char) return false;
    this.position++;
    return true;
  }

  token(): string {
    const start = this.position;
    this.skip(TOKEN_CHAR);
    return this.#text.slice(start, this.position);
  }

  /** A `token68` (e.g. `Negotiate YII…==`): token68 characters, then `=` padding, then a comma or the end. */
  token68Ahead(): boolean {
    return /^[A-Za-z0-9\-._~+/]+=*\s*(?:,|$)/.test(this.#text.slice(this.position));
  }

  skipToken68(): void {
    this.skip(TOKEN68_CHAR);
    this.skip(/=/);
  }

  /** A quoted string with `\` escapes; `undefined` when it never ends. */
  quotedString(): string | undefined {
    let value = "";
    for (let index = this.position + 1; index < this.#text.length; index++) {
      const char = this.#text[index] as string;
      if (char === "\\") {
        value += this.#text[++index] ?? "";
      } else if (char === '"') {
        this.position = index + 1;
        return value;
      } else {
        value += char;
      }
    }
    return undefined;
  }
}

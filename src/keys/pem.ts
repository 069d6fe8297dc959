/**
 * PEM (RFC 7468): the `-----BEGIN LABEL-----` blocks of a text as DER bytes, and DER as PEM.
 *
 * @module
 */

import { ClientError } from "../errors";
import { decodeBase64, encodeBase64 } from "../internal/base64";

/** One PEM block. */
export interface PemBlock {
  /** The label of the BEGIN line, e.g. `"PRIVATE KEY"` or `"CERTIFICATE"`. */
  readonly label: string;
  /** The decoded body. */
  readonly der: Uint8Array<ArrayBuffer>;
  /** RFC 1421 headers before the body, e.g. `Proc-Type` of legacy encrypted keys (usually none). */
  readonly headers: Readonly<Record<string, string>>;
}

// Labels echoed in messages; anything else is not repeated back (it could be key material).
const PRINTABLE_LABEL = /^[A-Z0-9][A-Z0-9 ]{0,39}$/;

/**
 * Decodes every PEM block of `text`, in order. Tolerates CRLF line ends, text before, between and
 * after blocks, indentation, and `\n` written as two characters (as PEM often arrives through
 * environment variables).
 *
 * @param text - The PEM text.
 * @param subject - What the text should hold, for error messages, e.g. `"private key"`.
 * @throws ClientError `invalid_pem` when there is no block, a block has no matching END line, or
 *   a body is not base64.
 */
export function decodePemBlocks(text: string, subject = "PEM input"): PemBlock[] {
  const blocks: PemBlock[] = [];
  const begin = /-----BEGIN ([^\r\n]*?)-----/g;
  for (let match = begin.exec(text); match !== null; match = begin.exec(text)) {
    const label = (match[1] ?? "").trim();
    if (!PRINTABLE_LABEL.test(label)) {
      throw invalidPem(`The ${subject} has a "-----BEGIN" line without a valid label`);
    }
    const where = `the "-----BEGIN ${label}-----" block of the ${subject}`;
    const endLine = `-----END ${label}-----`;
    const bodyStart = match.index + match[0].length;
    const end = text.indexOf(endLine, bodyStart);
    const nextBegin = text.indexOf("-----BEGIN ", bodyStart);
    if (end < 0 || (nextBegin >= 0 && nextBegin < end)) {
      throw invalidPem(`${where} has no matching "${endLine}" line`);
    }
    blocks.push(decodeBody(text.slice(bodyStart, end), label, where));
    begin.lastIndex = end + endLine.length;
  }
  if (blocks.length === 0) {
    throw invalidPem(`The ${subject} is not PEM: no "-----BEGIN ...-----" line was found`);
  }
  return blocks;
}

/**
 * Encodes DER as one PEM block: base64 in lines of 64 characters, as OpenSSL writes it.
 *
 * @param label - The label of the BEGIN and END lines, e.g. `"CERTIFICATE"`.
 */
export function encodePem(label: string, der: Uint8Array): string {
  const lines = encodeBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

function decodeBody(body: string, label: string, where: string): PemBlock {
  const lines = body
    .replace(/\\r|\\n/g, "\n")
    .split(/\r?\n|\r/)
    .map((line) => line.trim());
  const headers: Record<string, string> = {};
  let first = lines.findIndex((line) => line !== "");
  if (first >= 0 && lines[first]?.includes(":")) {
    // RFC 1421 headers: "Name: value" lines up to a blank line.
    for (; first < lines.length && lines[first] !== ""; first++) {
      const line = lines[first] ?? "";
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
  }
  let der: Uint8Array<ArrayBuffer>;
  try {
    der = new Uint8Array(decodeBase64(lines.slice(Math.max(first, 0)).join("")));
  } catch {
    throw invalidPem(`The body of ${where} is not base64`);
  }
  if (der.length === 0) throw invalidPem(`${where} is empty`);
  return { label, der, headers };
}

function invalidPem(message: string): ClientError {
  return new ClientError("invalid_pem", `${capitalize(message)}.`);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

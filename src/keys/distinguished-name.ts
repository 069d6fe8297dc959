/**
 * X.509 distinguished names (a certificate's subject and issuer) as RFC 4514 strings, e.g.
 * `CN=app.contoso.com,O=Contoso,C=US`: the last RDN first, as `openssl x509 -nameopt RFC2253`
 * and .NET print them.
 *
 * @module
 */

import { at, childrenOf, readOid, Tag, type DerNode } from "./der";
import { encodeHex } from "./hex";

/** Attribute type OIDs with a short name: RFC 4514's table, plus two OpenSSL prints by name. */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  "2.5.4.3": "CN",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.6": "C",
  "2.5.4.9": "STREET",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
  "2.5.4.5": "serialNumber",
  "1.2.840.113549.1.9.1": "emailAddress",
};

/** String types whose octets are single-byte characters (ASCII subsets, or Latin-1 for T61). */
const SINGLE_BYTE_STRINGS: ReadonlySet<number> = new Set([
  0x12, // NumericString
  0x13, // PrintableString
  0x14, // TeletexString (T61String), read as Latin-1 as most tools do
  0x16, // IA5String
  0x1a, // VisibleString
]);
const UTF8_STRING = 0x0c;
const BMP_STRING = 0x1e;

/** Characters RFC 4514 §2.4 escapes wherever they appear. */
const SPECIAL = new Set(['"', "+", ",", ";", "<", ">", "\\"]);

/**
 * Formats a `Name` (a SEQUENCE of RDN SETs) as an RFC 4514 string. Attribute types without a
 * short name, and values that are not strings, use the `1.2.3=#hex` form.
 *
 * @throws DerError when `name` is not a `Name`.
 */
export function formatDistinguishedName(name: DerNode): string {
  const rdns = childrenOf(name, Tag.SEQUENCE).map((rdn) =>
    childrenOf(rdn, Tag.SET)
      .map((attribute) => formatAttribute(childrenOf(attribute, Tag.SEQUENCE)))
      .join("+"),
  );
  return rdns.reverse().join(",");
}

function formatAttribute(fields: readonly DerNode[]): string {
  const oid = readOid(at(fields, 0));
  const value = at(fields, 1);
  const shortName = ATTRIBUTE_NAMES[oid];
  const text = shortName === undefined ? undefined : stringValue(value);
  return text === undefined
    ? `${oid}=#${encodeHex(value.encoded)}`
    : `${shortName}=${escapeValue(text)}`;
}

/** The text of a directory string, or `undefined` for another type. */
function stringValue(node: DerNode): string | undefined {
  if (node.tag === UTF8_STRING) return new TextDecoder().decode(node.value);
  if (SINGLE_BYTE_STRINGS.has(node.tag))
    return Array.from(node.value, (byte) => String.fromCharCode(byte)).join("");
  if (node.tag === BMP_STRING && node.value.length % 2 === 0) {
    let text = "";
    for (let i = 0; i < node.value.length; i += 2)
      text += String.fromCharCode(((node.value[i] ?? 0) << 8) | (node.value[i + 1] ?? 0));
    return text;
  }
  return undefined;
}

/**
 * RFC 4514 §2.4 escaping; control characters become `\XX` too, so a name never breaks a line of
 * output or a log.
 */
function escapeValue(text: string): string {
  const chars = [...text];
  return chars
    .map((char, index) => {
      const code = char.charCodeAt(0);
      if (code < 0x20 || code === 0x7f) return `\\${code.toString(16).padStart(2, "0")}`;
      const edge =
        (index === 0 && (char === " " || char === "#")) ||
        (index === chars.length - 1 && char === " ");
      return SPECIAL.has(char) || edge ? `\\${char}` : char;
    })
    .join("");
}

/**
 * Registered app certificates: what the emulator keeps of a PEM certificate to check client
 * assertions against it (the thumbprints the `x5t` / `x5t#S256` headers name, the validity period
 * of the key credential, and the public key imported for RS256 and PS256).
 *
 * @module
 */

import { importX509 } from "jose";
import { decodeBase64, encodeBase64 } from "../internal/base64";

/** A certificate registered on an app, ready to verify assertions. */
export interface RegisteredCertificate {
  /** SHA-1 of the DER certificate: what `x5t` carries (base64url). */
  readonly sha1: Uint8Array;
  /** SHA-256 of the DER certificate: what `x5t#S256` carries (base64url). */
  readonly sha256: Uint8Array;
  /** `notBefore` of the certificate (ms since the epoch). */
  readonly notBefore: number;
  /** `notAfter` of the certificate (ms since the epoch). */
  readonly notAfter: number;
  /** The public key imported for `RS256` (RSASSA-PKCS1-v1_5 with SHA-256). */
  readonly rs256: CryptoKey;
  /** The public key imported for `PS256` (RSASSA-PSS with SHA-256). */
  readonly ps256: CryptoKey;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/;

/**
 * Registers the first certificate of `pem`. Throws a `TypeError` naming `label` when the text
 * holds no certificate, or when its key is not RSA of at least 2048 bits (Entra ID app
 * credentials are RSA certificates; an EC certificate cannot be registered).
 */
export async function registerCertificate(
  pem: string,
  label: string,
): Promise<RegisteredCertificate> {
  const body = PEM_BLOCK.exec(pem)?.[1];
  if (body === undefined)
    throw new TypeError(`${label}: no "-----BEGIN CERTIFICATE-----" block found`);
  let der: Uint8Array;
  let validity: { notBefore: number; notAfter: number };
  try {
    der = decodeBase64(body);
    validity = readValidity(der);
  } catch (cause) {
    throw new TypeError(`${label}: not a DER X.509 certificate`, { cause });
  }
  const canonical = `-----BEGIN CERTIFICATE-----\n${encodeBase64(der)}\n-----END CERTIFICATE-----`;
  let rs256: CryptoKey;
  let ps256: CryptoKey;
  try {
    rs256 = await importX509(canonical, "RS256");
    ps256 = await importX509(canonical, "PS256");
  } catch (cause) {
    throw new TypeError(`${label}: Entra ID app credentials must be RSA certificates`, { cause });
  }
  const bits = (rs256.algorithm as RsaHashedKeyAlgorithm).modulusLength;
  if (bits < 2048)
    throw new TypeError(
      `${label}: RSA keys shorter than 2048 bits are refused (this one has ${bits})`,
    );
  const [sha1, sha256] = await Promise.all([
    crypto.subtle.digest("SHA-1", der as Uint8Array<ArrayBuffer>),
    crypto.subtle.digest("SHA-256", der as Uint8Array<ArrayBuffer>),
  ]);
  return { sha1: new Uint8Array(sha1), sha256: new Uint8Array(sha256), ...validity, rs256, ps256 };
}

/** One DER element: its tag, and where its content starts and ends in the buffer. */
interface DerElement {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

function readElement(der: Uint8Array, at: number): DerElement {
  const tag = der[at];
  let length = der[at + 1];
  if (tag === undefined || length === undefined) throw new RangeError("truncated DER");
  let start = at + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4) throw new RangeError("unsupported DER length");
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + (der[start + i] ?? NaN);
    start += octets;
  }
  const end = start + length;
  if (!(end <= der.length)) throw new RangeError("truncated DER");
  return { tag, start, end };
}

function readTime(der: Uint8Array, element: DerElement): number {
  const text = String.fromCharCode(...der.subarray(element.start, element.end));
  const match = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match || (element.tag !== 0x17 && element.tag !== 0x18))
    throw new RangeError("unsupported X.509 time");
  const [, y = "", mo = "", d = "", h = "", mi = "", s = ""] = match;
  // RFC 5280 §4.1.2.5.1: a two-digit UTCTime year below 50 is 20YY.
  const year = y.length === 4 ? Number(y) : Number(y) + (Number(y) < 50 ? 2000 : 1900);
  return Date.UTC(year, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

/** Reads `tbsCertificate.validity` (RFC 5280 §4.1): version?, serial, signature, issuer, validity. */
function readValidity(der: Uint8Array): { notBefore: number; notAfter: number } {
  const certificate = readElement(der, 0);
  const tbs = readElement(der, certificate.start);
  let element = readElement(der, tbs.start);
  const skip = element.tag === 0xa0 ? 4 : 3;
  for (let i = 0; i < skip; i++) element = readElement(der, element.end);
  const notBefore = readElement(der, element.start);
  const notAfter = readElement(der, notBefore.end);
  return { notBefore: readTime(der, notBefore), notAfter: readTime(der, notAfter) };
}

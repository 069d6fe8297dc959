/**
 * Certificate and PKCS#12 inspection for scripts and tools, without OpenSSL: the thumbprints,
 * names and validity of the certificates in a PEM or DER file, and the key and certificates of a
 * `.pfx`, as PEM that `withCertificate` takes.
 *
 * @module
 */

import { ClientError } from "../errors";
import { encodeBase64Url } from "../internal/base64";
import { encodeHex } from "./hex";
import { encodePem } from "./pem";
import { decodePkcs12, pfxBytes } from "./pkcs12";
import {
  certificateNames,
  certificateValidity,
  checkCertificate,
  decodeCertificateChain,
} from "./x509";

/** The thumbprints of a certificate (hashes of its DER), in the forms tools show them. */
export interface CertificateThumbprints {
  /** base64url SHA-1: the `x5t` header of a client assertion. */
  readonly x5t: string;
  /** base64url SHA-256: the `x5t#S256` header of a client assertion. */
  readonly x5tS256: string;
  /** Upper-case hex SHA-1: the Azure portal's "Thumbprint", and `withCertificate`'s `thumbprint`. */
  readonly sha1Hex: string;
  /** Upper-case hex SHA-256: `withCertificate`'s `thumbprintSha256`. */
  readonly sha256Hex: string;
}

/** One X.509 certificate, read. Nothing here says it is trusted: no signature is verified. */
export interface CertificateInfo {
  /** The subject as an RFC 4514 string, e.g. `CN=app.contoso.com,O=Contoso,C=US`. */
  readonly subject: string;
  /** The issuer as an RFC 4514 string (the subject, for a self-signed certificate). */
  readonly issuer: string;
  /** Start of the validity period. */
  readonly notBefore: Date;
  /** End of the validity period. */
  readonly notAfter: Date;
  /** The thumbprints. */
  readonly thumbprints: CertificateThumbprints;
  /** The certificate as one PEM `CERTIFICATE` block. */
  readonly pem: string;
  /** The certificate's DER. */
  readonly der: Uint8Array;
}

/**
 * What a PKCS#12 (`.pfx` / `.p12`) file holds. It carries the private key unencrypted: keep it out
 * of logs and error reports.
 */
export interface Pkcs12Bundle {
  /**
   * The private key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as
   * `withCertificate({ privateKey })` takes it. Normalised: an RSA-PSS key comes out as a plain
   * RSA key, and key attributes are dropped.
   */
  readonly privateKeyPem: string;
  /** The key family. */
  readonly keyType: "RSA" | "EC";
  /** The curve, for an EC key. */
  readonly namedCurve: "P-256" | "P-384" | "P-521" | undefined;
  /** The certificates: the one that belongs to the private key first, then the others in file order. */
  readonly certificates: CertificateInfo[];
}

/**
 * Reads the certificates of a PEM text or file (every `CERTIFICATE` block, in order: by
 * convention the leaf first), or of a DER (`.cer`) file, which holds one. Other PEM blocks, such
 * as a private key in the same file, are ignored.
 *
 * @example
 * ```ts
 * import { readCertificates } from "entra-edge";
 *
 * const [leaf] = await readCertificates(await Deno.readTextFile("cert.pem"));
 * console.log(leaf.subject, leaf.thumbprints.sha1Hex, leaf.notAfter.toISOString());
 * ```
 *
 * @param input - PEM text, or a file's bytes (PEM or DER).
 * @returns At least one certificate, in file order.
 * @throws ClientError `invalid_pem`, or `invalid_certificate` when there is no certificate or one
 *   is malformed.
 */
export async function readCertificates(
  input: string | Uint8Array | ArrayBuffer,
): Promise<CertificateInfo[]> {
  return Promise.all(certificateDers(input).map(describeCertificate));
}

/**
 * Opens a PKCS#12 (`.pfx` / `.p12`) file with its password: checks its integrity, decrypts it,
 * and returns its private key as PEM and its certificates. Files encrypted with AES (OpenSSL 3,
 * current Windows) open; legacy RC2/3DES files get an error that says how to re-export them.
 *
 * @example
 * ```ts
 * import { readPkcs12 } from "entra-edge";
 *
 * const { privateKeyPem, certificates } = await readPkcs12(pfxBytes, password);
 * const certificate = certificates.map((c) => c.pem).join("");
 * builder.withCertificate({ privateKey: privateKeyPem, certificate });
 * ```
 *
 * @param pfx - The file's bytes.
 * @param password - The file's password (`""` for none).
 * @throws ClientError `invalid_pkcs12`, `invalid_password`, `legacy_pkcs12_encryption`,
 *   `invalid_certificate`, `certificate_key_mismatch` or `unsupported_key_type`.
 */
export async function readPkcs12(
  pfx: Uint8Array | ArrayBuffer,
  password: string,
): Promise<Pkcs12Bundle> {
  const bytes = pfxBytes(pfx);
  if (typeof password !== "string") {
    throw new ClientError(
      "invalid_password",
      'The PKCS#12 password must be a string ("" when the file has none).',
    );
  }
  const { key, certificates } = await decodePkcs12(bytes, password);
  return {
    privateKeyPem: encodePem("PRIVATE KEY", key.pkcs8),
    keyType: key.keyType,
    namedCurve: key.namedCurve,
    certificates: await Promise.all(certificates.map(describeCertificate)),
  };
}

/** The certificate DER of `input`: a DER file as is (it starts with a SEQUENCE), else PEM. */
function certificateDers(input: unknown): Uint8Array<ArrayBuffer>[] {
  if (typeof input === "string") return decodeCertificateChain(input);
  if (!(input instanceof Uint8Array || input instanceof ArrayBuffer)) {
    throw new ClientError(
      "invalid_certificate",
      "readCertificates takes PEM text, or the bytes of a .pem, .crt or .cer file.",
    );
  }
  const bytes = new Uint8Array(input);
  if (bytes[0] === 0x30) {
    checkCertificate(bytes);
    return [bytes];
  }
  return decodeCertificateChain(new TextDecoder().decode(bytes));
}

async function describeCertificate(der: Uint8Array<ArrayBuffer>): Promise<CertificateInfo> {
  const { notBefore, notAfter } = certificateValidity(der);
  const { subject, issuer } = certificateNames(der);
  const [sha1, sha256] = await Promise.all([
    crypto.subtle.digest("SHA-1", der),
    crypto.subtle.digest("SHA-256", der),
  ]);
  const thumbprints = {
    x5t: encodeBase64Url(new Uint8Array(sha1)),
    x5tS256: encodeBase64Url(new Uint8Array(sha256)),
    sha1Hex: encodeHex(new Uint8Array(sha1)).toUpperCase(),
    sha256Hex: encodeHex(new Uint8Array(sha256)).toUpperCase(),
  };
  return {
    subject,
    issuer,
    notBefore,
    notAfter,
    thumbprints,
    pem: encodePem("CERTIFICATE", der),
    der,
  };
}

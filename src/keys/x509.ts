/**
 * The little of X.509 a client assertion needs: certificate DER from PEM, thumbprints for the
 * `x5t` / `x5t#S256` headers, validity dates, subject and issuer, the public key (SPKI), and a
 * check that a certificate belongs to a key. Certificates are parsed only as far as these need;
 * nothing here verifies a signature or a chain.
 *
 * @module
 */

import { ClientError } from "../errors";
import { encodeBase64Url } from "../internal/base64";
import { at, childrenOf, contextTag, decodeDer, DerError, type DerNode, Tag } from "./der";
import { formatDistinguishedName } from "./distinguished-name";
import { decodePemBlocks } from "./pem";
import type { PrivateKeyMaterial } from "./private-key";
import { privateKeyPublicKeyId, spkiPublicKeyId, type PublicKeyId } from "./public-key-id";

/** The parts of a certificate this module reads. */
interface CertificateParts {
  /** The issuer `Name`. */
  readonly issuer: DerNode;
  /** The subject `Name`. */
  readonly subject: DerNode;
  /** `notBefore` and `notAfter`. */
  readonly validity: readonly DerNode[];
  /** The whole `SubjectPublicKeyInfo`. */
  readonly subjectPublicKeyInfo: DerNode;
  /** The elements of the public key's `AlgorithmIdentifier`. */
  readonly publicKeyAlgorithm: readonly DerNode[];
  /** The `subjectPublicKey` BIT STRING. */
  readonly publicKey: DerNode;
}

const CERTIFICATE_LABELS = new Set(["CERTIFICATE", "X509 CERTIFICATE"]);
const COMPARE_HINT =
  "Use the certificate issued for this key: compare `openssl x509 -in cert.pem -noout -pubkey` " +
  "with `openssl pkey -in key.pem -pubout`.";

/**
 * The DER of every `CERTIFICATE` block of `pem`, in file order (by convention the leaf first,
 * then its issuers). Other blocks, such as a private key in the same file, are ignored.
 *
 * @throws ClientError `invalid_pem`, or `invalid_certificate` when there is no certificate or one
 *   is not an X.509 certificate.
 */
export function decodeCertificateChain(pem: string): Uint8Array<ArrayBuffer>[] {
  const blocks = decodePemBlocks(pem, "certificate");
  const certificates = blocks
    .filter((block) => CERTIFICATE_LABELS.has(block.label))
    .map((block) => block.der);
  if (certificates.length === 0) {
    const found = [...new Set(blocks.map((block) => block.label))].join(", ");
    throw new ClientError(
      "invalid_certificate",
      `The certificate PEM holds no -----BEGIN CERTIFICATE----- block (it has: ${found}).`,
    );
  }
  certificates.forEach((der, index) =>
    checkCertificate(der, `Certificate ${index + 1} of the PEM`),
  );
  return certificates;
}

/**
 * Checks that `der` is an X.509 certificate (a `Certificate` SEQUENCE with a `tbsCertificate`,
 * validity and public key where they belong).
 *
 * @param description - Names the certificate in the error message, e.g. `"Certificate 2 of the PEM"`.
 * @throws ClientError `invalid_certificate`.
 */
export function checkCertificate(
  der: Uint8Array<ArrayBuffer>,
  description = "The certificate",
): void {
  certificateParts(der, description);
}

/**
 * The thumbprints of a certificate, as JOSE headers carry them: `x5t` is the base64url SHA-1 of
 * the DER, `x5t#S256` the base64url SHA-256.
 */
export async function certificateThumbprints(
  der: Uint8Array<ArrayBuffer>,
): Promise<{ x5t: string; x5tS256: string }> {
  const [sha1, sha256] = await Promise.all([
    crypto.subtle.digest("SHA-1", der),
    crypto.subtle.digest("SHA-256", der),
  ]);
  return {
    x5t: encodeBase64Url(new Uint8Array(sha1)),
    x5tS256: encodeBase64Url(new Uint8Array(sha256)),
  };
}

/**
 * The validity period of a certificate (UTCTime or GeneralizedTime).
 *
 * @throws ClientError `invalid_certificate`.
 */
export function certificateValidity(der: Uint8Array<ArrayBuffer>): {
  notBefore: Date;
  notAfter: Date;
} {
  const { validity } = certificateParts(der, "The certificate");
  try {
    return { notBefore: readTime(at(validity, 0)), notAfter: readTime(at(validity, 1)) };
  } catch (cause) {
    throw invalidCertificate("The certificate", cause);
  }
}

/**
 * The subject and issuer of a certificate as RFC 4514 strings, e.g. `CN=app.contoso.com,O=Contoso`.
 *
 * @throws ClientError `invalid_certificate`.
 */
export function certificateNames(der: Uint8Array<ArrayBuffer>): {
  subject: string;
  issuer: string;
} {
  const { subject, issuer } = certificateParts(der, "The certificate");
  try {
    return { subject: formatDistinguishedName(subject), issuer: formatDistinguishedName(issuer) };
  } catch (cause) {
    throw invalidCertificate("The certificate", cause);
  }
}

/**
 * The certificate's `SubjectPublicKeyInfo` DER, as `crypto.subtle.importKey("spki", ...)` takes it.
 *
 * @throws ClientError `invalid_certificate`.
 */
export function certificateSpki(der: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  return certificateParts(der, "The certificate").subjectPublicKeyInfo.encoded;
}

/**
 * Checks that the certificate's public key is the public half of `key`: the same RSA modulus and
 * exponent, or the same EC curve and point.
 *
 * @throws ClientError `certificate_key_mismatch`, or `invalid_certificate`.
 */
export async function assertCertificateMatchesKey(
  certDer: Uint8Array<ArrayBuffer>,
  key: PrivateKeyMaterial,
): Promise<void> {
  const certificateKey = certificatePublicKey(certDer);
  const privateKey = await privateKeyPublicKeyId(key);
  if (certificateKey.kind !== privateKey.kind) {
    throw mismatch(
      `the certificate's key is ${certificateKey.kind} but the private key is ${privateKey.kind}`,
    );
  }
  if (certificateKey.value !== privateKey.value) {
    throw mismatch(`they hold different ${privateKey.kind} public keys`);
  }
}

/**
 * Puts the certificate that belongs to `key` first, the others after it in their order.
 *
 * @throws ClientError `certificate_key_mismatch` when no certificate belongs to the key.
 */
export async function orderLeafFirst(
  certificates: readonly Uint8Array<ArrayBuffer>[],
  key: PrivateKeyMaterial,
): Promise<Uint8Array<ArrayBuffer>[]> {
  const privateKey = await privateKeyPublicKeyId(key);
  const leaf = certificates.findIndex((der) => {
    const id = certificatePublicKey(der);
    return id.kind === privateKey.kind && id.value === privateKey.value;
  });
  const first = certificates[leaf];
  if (first === undefined) {
    const count = certificates.length;
    throw mismatch(
      `none of the ${count} certificates holds the private key's ${privateKey.kind} public key`,
    );
  }
  return [first, ...certificates.filter((_, index) => index !== leaf)];
}

function certificateParts(der: Uint8Array<ArrayBuffer>, description: string): CertificateParts {
  try {
    const certificate = childrenOf(decodeDer(der), Tag.SEQUENCE);
    if (certificate.length !== 3) throw new DerError("a Certificate has 3 elements");
    at(certificate, 1, Tag.SEQUENCE); // signatureAlgorithm
    at(certificate, 2, Tag.BIT_STRING); // signatureValue
    const tbs = childrenOf(at(certificate, 0), Tag.SEQUENCE);
    const v = tbs[0]?.tag === contextTag(0) ? 1 : 0; // the version is optional (v1)
    at(tbs, v, Tag.INTEGER); // serialNumber
    at(tbs, v + 1, Tag.SEQUENCE); // signature
    const issuer = at(tbs, v + 2, Tag.SEQUENCE);
    const subject = at(tbs, v + 4, Tag.SEQUENCE);
    const validity = childrenOf(at(tbs, v + 3), Tag.SEQUENCE);
    if (validity.length !== 2) throw new DerError("a Validity has 2 elements");
    const subjectPublicKeyInfo = at(tbs, v + 5);
    const spki = childrenOf(subjectPublicKeyInfo, Tag.SEQUENCE);
    const publicKeyAlgorithm = childrenOf(at(spki, 0), Tag.SEQUENCE);
    const publicKey = at(spki, 1, Tag.BIT_STRING);
    return { issuer, subject, validity, subjectPublicKeyInfo, publicKeyAlgorithm, publicKey };
  } catch (cause) {
    throw invalidCertificate(description, cause);
  }
}

function certificatePublicKey(der: Uint8Array<ArrayBuffer>): PublicKeyId {
  const { publicKeyAlgorithm, publicKey } = certificateParts(der, "The certificate");
  try {
    return spkiPublicKeyId(publicKeyAlgorithm, publicKey);
  } catch (cause) {
    throw invalidCertificate("The certificate", cause);
  }
}

function readTime(node: DerNode): Date {
  const text = String.fromCharCode(...node.value);
  const match =
    node.tag === Tag.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : node.tag === Tag.GENERALIZED_TIME
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(text)
        : null;
  if (match === null) throw new DerError("malformed certificate time");
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match
    .slice(1)
    .map(Number);
  // RFC 5280 §4.1.2.5.1: a two-digit year below 50 is 20YY, otherwise 19YY.
  const fullYear = node.tag === Tag.UTC_TIME ? (year < 50 ? 2000 + year : 1900 + year) : year;
  const date = new Date(Date.UTC(fullYear, month - 1, day, hour, minute, second));
  if (
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new DerError("invalid certificate time");
  }
  return date;
}

function invalidCertificate(description: string, cause: unknown): unknown {
  if (!(cause instanceof DerError)) return cause;
  return new ClientError(
    "invalid_certificate",
    `${description} is not a valid X.509 certificate (${cause.message}). Pass the PEM ` +
      "(-----BEGIN CERTIFICATE-----) of the certificate registered on the app.",
  );
}

function mismatch(reason: string): ClientError {
  return new ClientError(
    "certificate_key_mismatch",
    `The certificate does not belong to the private key: ${reason}. ${COMPARE_HINT}`,
  );
}

/**
 * PKCS#12 (`.pfx` / `.p12`, RFC 7292) as OpenSSL 3 and current Windows write it: password
 * integrity (an HMAC whose key comes from the PKCS#12 KDF), bags in plain or PBES2-encrypted
 * content, a shrouded (PBES2) or plain key bag, and X.509 certificate bags. Files protected with
 * RC2, 3DES or RC4 (OpenSSL's `-legacy`, older Windows exports) cannot be opened with WebCrypto and
 * get an error that says how to re-export them.
 *
 * @module
 */

import { ClientError } from "../errors";
import {
  at,
  childrenOf,
  concat,
  contextTag,
  decodeDer,
  DerError,
  type DerNode,
  readOctetString,
  readOid,
  readSmallInteger,
  Tag,
} from "./der";
import { decryptPbes2, UnsupportedEncryptionError } from "./pbes2";
import { readMacData, verifyMac } from "./pkcs12-mac";
import { type PrivateKeyMaterial, privateKeyFromPkcs8 } from "./private-key";
import { checkCertificate, orderLeafFirst } from "./x509";

/** What a PKCS#12 file holds: its private key, and its certificates with the key's own first. */
export interface Pkcs12Contents {
  /** The private key, as plain PKCS#8. */
  readonly key: PrivateKeyMaterial;
  /** Certificate DER: the one that belongs to `key` first, then the others in file order. */
  readonly certificates: Uint8Array<ArrayBuffer>[];
}

const DATA = "1.2.840.113549.1.7.1";
const SIGNED_DATA = "1.2.840.113549.1.7.2";
const ENVELOPED_DATA = "1.2.840.113549.1.7.3";
const ENCRYPTED_DATA = "1.2.840.113549.1.7.6";
const KEY_BAG = "1.2.840.113549.1.12.10.1.1";
const SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG = "1.2.840.113549.1.12.10.1.3";
const X509_CERTIFICATE = "1.2.840.113549.1.9.22.1";

/**
 * The key-derivation work one file may ask for: iterations summed over its MAC (each password form
 * tried) and every PBES2 derivation (encrypted safes and shrouded key bags), each derivation
 * charged at least {@link MIN_DERIVATION_CHARGE}. Writers derive three times per file (the MAC,
 * the certificates' safe, the key bag); 4,100,000 admits such a file with both PBES2 parts at the
 * per-part cap of 2,000,000 and the MAC at its cap of 50,000 tried twice (an empty password), and
 * bounds a crafted file with many parts to that much work (a few seconds of one core) where the
 * per-part caps alone would allow minutes.
 */
const MAX_FILE_ITERATIONS = 4_100_000;
/** A derivation's fixed cost (imports, the decryption) in iterations: cheap parts add up too. */
const MIN_DERIVATION_CHARGE = 1_000;

const REEXPORT =
  "Re-export it with AES: `openssl pkcs12 -in old.pfx -nodes -legacy -out tmp.pem && " +
  "openssl pkcs12 -export -in tmp.pem -out new.pfx`, then delete tmp.pem (it holds the unencrypted key)";

/**
 * The bytes of a `.pfx` given as a `Uint8Array` or an `ArrayBuffer`.
 *
 * @throws ClientError `invalid_pkcs12` for anything else, or no bytes at all.
 */
export function pfxBytes(pfx: unknown): Uint8Array {
  if (!(pfx instanceof Uint8Array || pfx instanceof ArrayBuffer) || pfx.byteLength === 0) {
    throw new ClientError(
      "invalid_pkcs12",
      "The pfx must be the file's bytes as a Uint8Array or ArrayBuffer, e.g. new Uint8Array(await file.arrayBuffer()).",
    );
  }
  return pfx instanceof Uint8Array ? pfx : new Uint8Array(pfx);
}

/**
 * Opens a PKCS#12 file: verifies its MAC with `password`, decrypts its bags and returns the
 * private key and the certificates.
 *
 * @param bytes - The `.pfx` / `.p12` file contents.
 * @param password - The file's password (`""` for none).
 * @throws ClientError `invalid_password` (MAC mismatch or a bag that does not decrypt),
 *   `legacy_pkcs12_encryption` (RC2/3DES/RC4), `invalid_pkcs12` (not a PKCS#12 file, no key, or
 *   more than one), `certificate_key_mismatch`, `invalid_certificate`, `unsupported_key_type`.
 */
export async function decodePkcs12(bytes: Uint8Array, password: string): Promise<Pkcs12Contents> {
  const file = new Uint8Array(bytes);
  const charge = derivationBudget();
  const { authenticatedSafe, macData } = parse(() => readPfx(file), "file");
  if (macData !== undefined) {
    const mac = parse(() => readMacData(macData), "integrity data");
    if (!(await verifyMac(mac, authenticatedSafe, password, charge))) {
      throw wrongPassword("its integrity check (MAC) fails");
    }
  }

  const keys: PrivateKeyMaterial[] = [];
  const certificates: Uint8Array<ArrayBuffer>[] = [];
  const contentInfos = parse(
    () => childrenOf(decodeDer(authenticatedSafe), Tag.SEQUENCE),
    "content list",
  );
  for (const contentInfo of contentInfos) {
    for (const bag of await readSafeContents(contentInfo, password, charge)) {
      const [id, value] = parse(() => readBag(bag), "bag");
      if (id === KEY_BAG) {
        keys.push(parse(() => privateKeyFromPkcs8(value.encoded), "key bag"));
      } else if (id === SHROUDED_KEY_BAG) {
        keys.push(await decryptKeyBag(value, password, charge));
      } else if (id === CERT_BAG) {
        const certificate = parse(() => readCertBag(value), "certificate bag");
        if (certificate !== undefined) certificates.push(certificate);
      }
    }
  }

  const [key, ...otherKeys] = keys;
  if (key === undefined) {
    throw invalidPkcs12(
      "The PKCS#12 file holds no private key: export the certificate together with its key " +
        "(`openssl pkcs12 -export -inkey key.pem -in cert.pem -out new.pfx`)",
    );
  }
  if (otherKeys.length > 0) {
    throw invalidPkcs12(
      `The PKCS#12 file holds ${keys.length} private keys: export one key and its certificate`,
    );
  }
  if (certificates.length === 0) {
    throw invalidPkcs12(
      "The PKCS#12 file holds no certificate: export the key together with its certificate",
    );
  }
  certificates.forEach((der, index) =>
    checkCertificate(der, `Certificate ${index + 1} of the PKCS#12 file`),
  );
  return { key, certificates: await orderLeafFirst(certificates, key) };
}

/** PFX: version 3, the AuthenticatedSafe inside a `data` ContentInfo, and the optional MacData. */
function readPfx(file: Uint8Array<ArrayBuffer>): {
  authenticatedSafe: Uint8Array<ArrayBuffer>;
  macData: DerNode | undefined;
} {
  if (file[0] !== Tag.SEQUENCE) throw invalidPkcs12(notDer(file));
  const pfx = childrenOf(decodeDer(file), Tag.SEQUENCE);
  if (readSmallInteger(at(pfx, 0)) !== 3) throw new DerError("PFX version is not 3");
  const authSafe = childrenOf(at(pfx, 1), Tag.SEQUENCE);
  const type = readOid(at(authSafe, 0));
  if (type === SIGNED_DATA) {
    throw invalidPkcs12(
      "The PKCS#12 file uses public-key integrity (signedData); re-export it with a password",
    );
  }
  if (type !== DATA) throw new DerError("the authenticated safe is not data");
  return { authenticatedSafe: explicitOctetString(at(authSafe, 1)), macData: pfx[2] };
}

/** Told a key derivation's iteration count before it starts; throws to refuse it. */
type Charge = (iterations: number) => void;

/** Charges key derivations to the file's budget; throws `invalid_pkcs12` once it is spent. */
function derivationBudget(): Charge {
  let spent = 0;
  let derivations = 0;
  return (iterations) => {
    spent += Math.max(iterations, MIN_DERIVATION_CHARGE);
    derivations++;
    if (spent <= MAX_FILE_ITERATIONS) return;
    throw invalidPkcs12(
      `The PKCS#12 file asks for more than ${MAX_FILE_ITERATIONS.toLocaleString("en-US")} ` +
        `key-derivation iterations in all (${derivations} derivations so far), more than any ` +
        "exported file needs, so it was not opened. Re-export the key and certificate with " +
        "`openssl pkcs12 -export -inkey key.pem -in cert.pem -out new.pfx` (2048 iterations per part)",
    );
  };
}

/** The bags of one ContentInfo of the AuthenticatedSafe, decrypting `encryptedData`. */
async function readSafeContents(
  contentInfo: DerNode,
  password: string,
  charge: Charge,
): Promise<DerNode[]> {
  const { type, payload } = parse(() => {
    const fields = childrenOf(contentInfo, Tag.SEQUENCE);
    return { type: readOid(at(fields, 0)), payload: at(fields, 1, contextTag(0)) };
  }, "content");
  if (type === DATA) {
    return parse(
      () => childrenOf(decodeDer(explicitOctetString(payload)), Tag.SEQUENCE),
      "content",
    );
  }
  if (type === ENVELOPED_DATA) {
    throw invalidPkcs12(
      "The PKCS#12 file uses public-key privacy (envelopedData); re-export it with a password",
    );
  }
  if (type !== ENCRYPTED_DATA) return [];
  const { algorithm, ciphertext } = parse(() => {
    const encryptedData = childrenOf(at(childrenOf(payload), 0), Tag.SEQUENCE);
    const info = childrenOf(at(encryptedData, 1), Tag.SEQUENCE);
    return { algorithm: at(info, 1, Tag.SEQUENCE), ciphertext: implicitOctetString(at(info, 2)) };
  }, "encrypted content");
  const plaintext = await decrypt(algorithm, ciphertext, password, charge);
  try {
    return childrenOf(decodeDer(plaintext), Tag.SEQUENCE);
  } catch {
    throw wrongPassword("its certificates do not decrypt");
  }
}

async function decryptKeyBag(
  value: DerNode,
  password: string,
  charge: Charge,
): Promise<PrivateKeyMaterial> {
  const { algorithm, ciphertext } = parse(() => {
    const info = childrenOf(value, Tag.SEQUENCE);
    return { algorithm: at(info, 0, Tag.SEQUENCE), ciphertext: readOctetString(at(info, 1)) };
  }, "key bag");
  const plaintext = await decrypt(algorithm, ciphertext, password, charge);
  try {
    return privateKeyFromPkcs8(plaintext);
  } catch (cause) {
    if (cause instanceof DerError) throw wrongPassword("its private key does not decrypt");
    throw cause;
  }
}

async function decrypt(
  algorithm: DerNode,
  ciphertext: Uint8Array<ArrayBuffer>,
  password: string,
  charge: Charge,
): Promise<Uint8Array<ArrayBuffer>> {
  let plaintext: Uint8Array<ArrayBuffer> | undefined;
  try {
    plaintext = await decryptPbes2(algorithm, ciphertext, password, charge);
  } catch (cause) {
    if (cause instanceof UnsupportedEncryptionError) {
      throw new ClientError(
        "legacy_pkcs12_encryption",
        `The PKCS#12 file is encrypted with ${cause.algorithm}, a legacy algorithm WebCrypto cannot ` +
          `decrypt. ${REEXPORT}.`,
      );
    }
    throw cause instanceof DerError ? malformed("encryption parameters", cause) : cause;
  }
  if (plaintext === undefined) throw wrongPassword("its contents do not decrypt");
  return plaintext;
}

/** A SafeBag: its type OID and its value (the inside of `[0] EXPLICIT`). */
function readBag(bag: DerNode): [string, DerNode] {
  const fields = childrenOf(bag, Tag.SEQUENCE);
  return [readOid(at(fields, 0)), at(childrenOf(at(fields, 1, contextTag(0))), 0)];
}

/** The certificate DER of a CertBag, or `undefined` for a non-X.509 certificate type. */
function readCertBag(value: DerNode): Uint8Array<ArrayBuffer> | undefined {
  const fields = childrenOf(value, Tag.SEQUENCE);
  if (readOid(at(fields, 0)) !== X509_CERTIFICATE) return undefined;
  return explicitOctetString(at(fields, 1, contextTag(0)));
}

/** The OCTET STRING inside a `[0] EXPLICIT` wrapper. */
function explicitOctetString(node: DerNode): Uint8Array<ArrayBuffer> {
  return readOctetString(at(childrenOf(node), 0));
}

/** An `[0] IMPLICIT OCTET STRING`: primitive, or constructed from OCTET STRING segments (BER). */
function implicitOctetString(node: DerNode): Uint8Array<ArrayBuffer> {
  if (node.tag === contextTag(0, false)) return node.value;
  return concat(childrenOf(node, contextTag(0)).map((segment) => readOctetString(segment)));
}

/** Runs a parser, turning structural errors into `invalid_pkcs12`. */
function parse<T>(parser: () => T, part: string): T {
  try {
    return parser();
  } catch (cause) {
    throw cause instanceof DerError ? malformed(part, cause) : cause;
  }
}

function malformed(part: string, cause: DerError): ClientError {
  return invalidPkcs12(
    `The PKCS#12 ${part} is malformed (${cause.message}); pass the bytes of a .pfx or .p12 file`,
  );
}

/** Why bytes that do not start like DER are not a PKCS#12 file, with the likely mix-up. */
function notDer(file: Uint8Array<ArrayBuffer>): string {
  const head = String.fromCharCode(...file.subarray(0, 64)).trim();
  if (head.startsWith("-----BEGIN")) {
    return "The PKCS#12 input is PEM text, not a .pfx file: pass PEM as `privateKey` and `certificate` instead";
  }
  if (head.length > 0 && /^[A-Za-z0-9+/=_-]+$/.test(head)) {
    return "The PKCS#12 input is base64 text, not the file's bytes: decode the base64 first";
  }
  return "The PKCS#12 input is not a .pfx or .p12 file (it does not start with a DER SEQUENCE)";
}

function wrongPassword(what: string): ClientError {
  return new ClientError(
    "invalid_password",
    `The password does not open the PKCS#12 file: ${what}. Check that it is the password the file was exported with.`,
  );
}

function invalidPkcs12(message: string): ClientError {
  return new ClientError("invalid_pkcs12", `${message}.`);
}

/**
 * Key material built in the test with node:crypto, for cases no committed fixture covers: RSA keys
 * of any size with a self-signed certificate, and PKCS#12 files assembled from DER pieces (plain
 * or PBES2-encrypted bags, any iteration count, as many as wanted).
 */
import {
  createCipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  pbkdf2Sync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from "node:crypto";
import {
  contextTag,
  encodeNull,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeSmallInteger,
  encodeTlv,
} from "../../src/keys/der";

/** An RSA key of `bits` with a self-signed certificate, as PEM in the usual encodings. */
export interface RsaTestKey {
  readonly bits: number;
  readonly pkcs8Pem: string;
  readonly pkcs1Pem: string;
  readonly pkcs8Der: Uint8Array<ArrayBuffer>;
  readonly certificatePem: string;
  readonly certificateDer: Uint8Array<ArrayBuffer>;
  /** The PKCS#8 key encrypted (PBES2, AES-256-CBC) with `password`. */
  encryptedPem(password: string): string;
}

const generated = new Map<number, RsaTestKey>();

/** An RSA key of `bits` (generated once per size and file) and its self-signed certificate. */
export function rsaKey(bits: number): RsaTestKey {
  const known = generated.get(bits);
  if (known !== undefined) return known;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const certificateDer = selfSigned(privateKey, publicKey, `entra-edge-rsa-${bits}`);
  const key: RsaTestKey = {
    bits,
    pkcs8Pem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    pkcs1Pem: privateKey.export({ type: "pkcs1", format: "pem" }) as string,
    pkcs8Der: new Uint8Array(privateKey.export({ type: "pkcs8", format: "der" })),
    certificatePem: new X509Certificate(Buffer.from(certificateDer)).toString(),
    certificateDer,
    encryptedPem: (password) =>
      privateKey.export({
        type: "pkcs8",
        format: "pem",
        cipher: "aes-256-cbc",
        passphrase: password,
      }) as string,
  };
  generated.set(bits, key);
  return key;
}

/** A minimal self-signed X.509 v3 certificate (sha256WithRSAEncryption) for an RSA key pair. */
export function selfSigned(
  privateKey: KeyObject,
  publicKey: KeyObject,
  commonName: string,
): Uint8Array<ArrayBuffer> {
  const name = encodeSequence(
    encodeTlv(0x31, encodeSequence(encodeOid("2.5.4.3"), encodeTlv(0x0c, utf8(commonName)))),
  );
  const time = (text: string) => encodeTlv(0x17, utf8(text));
  const sha256WithRsa = encodeSequence(encodeOid("1.2.840.113549.1.1.11"), encodeNull());
  const tbs = encodeSequence(
    encodeTlv(contextTag(0), encodeSmallInteger(2)),
    encodeSmallInteger(0x1234),
    sha256WithRsa,
    name,
    encodeSequence(time("250101000000Z"), time("450101000000Z")),
    name,
    new Uint8Array(publicKey.export({ type: "spki", format: "der" })),
  );
  const signature = sign("sha256", tbs, privateKey);
  return encodeSequence(tbs, sha256WithRsa, encodeTlv(0x03, Uint8Array.of(0), signature));
}

const OID = {
  data: "1.2.840.113549.1.7.1",
  encryptedData: "1.2.840.113549.1.7.6",
  keyBag: "1.2.840.113549.1.12.10.1.1",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  hmacWithSha256: "1.2.840.113549.2.9",
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
};

/** What PBES2 encryption with node:crypto produces: the AlgorithmIdentifier and the ciphertext. */
export interface Pbes2Encrypted {
  readonly algorithm: Uint8Array<ArrayBuffer>;
  readonly ciphertext: Uint8Array<ArrayBuffer>;
}

/**
 * Encrypts with PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC) as OpenSSL 3 does. Pass `derived` (from
 * {@link pbes2Key}) to encrypt many parts under one derivation: the file then declares the same
 * salt and iterations for each, and the reader derives the key again for every one.
 */
export function pbes2Encrypt(
  plaintext: Uint8Array,
  password: string,
  iterations: number,
  derived = pbes2Key(password, iterations),
): Pbes2Encrypted {
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", derived.key, iv);
  const ciphertext = new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final()]));
  const algorithm = encodeSequence(
    encodeOid(OID.pbes2),
    encodeSequence(
      encodeSequence(
        encodeOid(OID.pbkdf2),
        encodeSequence(
          encodeOctetString(derived.salt),
          encodeSmallInteger(iterations),
          encodeSequence(encodeOid(OID.hmacWithSha256), encodeNull()),
        ),
      ),
      encodeSequence(encodeOid(OID.aes256Cbc), encodeOctetString(iv)),
    ),
  );
  return { algorithm, ciphertext };
}

/** A PBKDF2 key (and its salt) for {@link pbes2Encrypt}. */
export function pbes2Key(password: string, iterations: number): { salt: Buffer; key: Buffer } {
  const salt = randomBytes(16);
  return { salt, key: pbkdf2Sync(password, salt, iterations, 32, "sha256") };
}

const bag = (type: string, value: Uint8Array) =>
  encodeSequence(encodeOid(type), encodeTlv(contextTag(0), value));

/** A plain key bag holding a PKCS#8 key. */
export const keyBag = (pkcs8: Uint8Array) => bag(OID.keyBag, pkcs8);

/** A shrouded key bag: the PKCS#8 key encrypted with PBES2. */
export function shroudedKeyBag(pkcs8: Uint8Array, password: string, iterations: number) {
  const { algorithm, ciphertext } = pbes2Encrypt(pkcs8, password, iterations);
  return bag(OID.shroudedKeyBag, encodeSequence(algorithm, encodeOctetString(ciphertext)));
}

/** A certificate bag holding an X.509 certificate's DER. */
export const certBag = (der: Uint8Array) =>
  bag(
    OID.certBag,
    encodeSequence(
      encodeOid(OID.x509Certificate),
      encodeTlv(contextTag(0), encodeOctetString(der)),
    ),
  );

/** A plain `data` ContentInfo holding `bags`. */
export const dataSafe = (...bags: Uint8Array[]) =>
  encodeSequence(
    encodeOid(OID.data),
    encodeTlv(contextTag(0), encodeOctetString(encodeSequence(...bags))),
  );

/** An `encryptedData` ContentInfo: `bags` encrypted as {@link pbes2Encrypt} does. */
export function encryptedSafe(encrypted: Pbes2Encrypted): Uint8Array<ArrayBuffer> {
  return encodeSequence(
    encodeOid(OID.encryptedData),
    encodeTlv(
      contextTag(0),
      encodeSequence(
        encodeSmallInteger(0),
        encodeSequence(
          encodeOid(OID.data),
          encrypted.algorithm,
          encodeTlv(contextTag(0, false), encrypted.ciphertext),
        ),
      ),
    ),
  );
}

/** The SafeContents (a SEQUENCE of bags) that {@link encryptedSafe} encrypts. */
export const safeContents = (...bags: Uint8Array[]) => encodeSequence(...bags);

/** A PFX without a MAC (`-nomac`) over `contentInfos`. */
export const pfx = (...contentInfos: Uint8Array[]) =>
  encodeSequence(
    encodeSmallInteger(3),
    encodeSequence(
      encodeOid(OID.data),
      encodeTlv(contextTag(0), encodeOctetString(encodeSequence(...contentInfos))),
    ),
  );

/**
 * A PFX with a SHA-256 MAC over `contentInfos`, keyed by the RFC 7292 KDF of `password` (as a
 * NUL-terminated BMPString) with `iterations`.
 */
export function pfxWithMac(password: string, iterations: number, ...contentInfos: Uint8Array[]) {
  const content = encodeSequence(...contentInfos);
  const salt = randomBytes(8);
  const fill = (bytes: Uint8Array) =>
    Uint8Array.from(
      { length: Math.ceil(bytes.length / 64) * 64 },
      (_, i) => bytes[i % bytes.length] ?? 0,
    );
  const bmp = Uint8Array.from([...password].flatMap((c) => [0, c.charCodeAt(0)]).concat([0, 0]));
  let key = createHash("sha256")
    .update(Buffer.concat([new Uint8Array(64).fill(3), fill(salt), fill(bmp)]))
    .digest();
  for (let i = 1; i < iterations; i++) key = createHash("sha256").update(key).digest();
  const mac = createHmac("sha256", key).update(content).digest();
  return encodeSequence(
    encodeSmallInteger(3),
    encodeSequence(encodeOid(OID.data), encodeTlv(contextTag(0), encodeOctetString(content))),
    encodeSequence(
      encodeSequence(
        encodeSequence(encodeOid("2.16.840.1.101.3.4.2.1"), encodeNull()),
        encodeOctetString(mac),
      ),
      encodeOctetString(salt),
      encodeSmallInteger(iterations),
    ),
  );
}

/** The PKCS#8 DER of a PEM key, for tests that read a key from a fixture. */
export const pkcs8Der = (pem: string) =>
  new Uint8Array(createPrivateKey(pem).export({ type: "pkcs8", format: "der" }));

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * The certificate credential: a client assertion JWT signed with the certificate's private key
 * (`private_key_jwt`). The key comes as PEM (PKCS#8, PKCS#1, SEC1 or encrypted PKCS#8), as a
 * `.pfx`, as a `CryptoKey` (non-extractable allowed), or as a signing function for keys that
 * never leave Key Vault, a KMS or an HSM. The key is imported once; a signed assertion is reused
 * while it has more than a minute left, so most token requests sign nothing.
 *
 * @module
 */

import { importX509 } from "jose";
import { ClientError } from "../errors";
import { encodeBase64, encodeBase64Url } from "../internal/base64";
import { randomId } from "../internal/uuid";
import {
  jwtBearerAssertionType,
  type ClientCredential,
  type CredentialContext,
} from "./client-credential";
import { cryptoKeySigner, signCompactJws, webCryptoSignParams, type Signer } from "./jws";
import { decodePemBlocks } from "../keys/pem";
import { decodePkcs12 } from "../keys/pkcs12";
import {
  decodePrivateKey,
  importSigningKey,
  type PrivateKeyMaterial,
  type SigningAlgorithm,
} from "../keys/private-key";
import {
  assertCertificateMatchesKey,
  certificateThumbprints,
  decodeCertificateChain,
} from "../keys/x509";

/** Options shared by every way of giving a certificate. */
export interface CertificateCommonOptions {
  /** Send the certificate chain in the assertion's `x5c` header (needed for subject name + issuer auth). Default `false`. */
  sendX5c?: boolean;
  /**
   * The JWS algorithm. Default: PS256 for Entra ID, RS256 for ADFS and OIDC issuers with an RSA
   * key; ES256/ES384/ES512 by curve for an EC key.
   */
  algorithm?: SigningAlgorithm;
}

/** A certificate given as PEM: private key and certificate chain (leaf first). */
export interface PemCertificateOptions extends CertificateCommonOptions {
  /** The private key: PEM (PKCS#8, PKCS#1, SEC1, or encrypted PKCS#8 with `password`) or a `CryptoKey`. */
  privateKey: string | CryptoKey;
  /** The certificate, PEM, leaf first; a chain may follow. */
  certificate: string;
  /** Password of an encrypted PKCS#8 key (`BEGIN ENCRYPTED PRIVATE KEY`). */
  password?: string;
}

/** A certificate given as a PKCS#12 (`.pfx`) file, AES-256 as OpenSSL 3 and current Windows export it. */
export interface PfxCertificateOptions extends CertificateCommonOptions {
  /** The file's bytes. */
  pfx: Uint8Array | ArrayBuffer;
  /** The file's password. */
  password: string;
}

/** A certificate whose key signs elsewhere (Key Vault, KMS, HSM). */
export interface RemoteSignerCertificateOptions extends CertificateCommonOptions {
  /** Signs the JWS signing input with the certificate's key; returns the JWS signature bytes (ECDSA: raw r‖s). */
  sign: (data: Uint8Array<ArrayBuffer>) => Promise<Uint8Array>;
  /** The certificate, PEM, leaf first. */
  certificate: string;
}

/**
 * A private key with only the certificate's thumbprint, as msal-node's `clientCertificate` takes
 * it. Prefer {@link PemCertificateOptions}: with the certificate, the key is checked against it.
 */
export interface ThumbprintCertificateOptions extends CertificateCommonOptions {
  /** The private key, PEM. */
  privateKey: string;
  /** Hex SHA-256 thumbprint of the certificate (sent as `x5t#S256`). */
  thumbprintSha256?: string;
  /** Hex SHA-1 thumbprint of the certificate (sent as `x5t`, with RS256), when no SHA-256 one is given. */
  thumbprint?: string;
  /** Password of an encrypted PKCS#8 key. */
  password?: string;
}

/** Every way of giving a certificate to `withCertificate`. */
export type CertificateOptions =
  | PemCertificateOptions
  | PfxCertificateOptions
  | RemoteSignerCertificateOptions
  | ThumbprintCertificateOptions;

/** Extra claims for the assertion (`withClientClaims`). */
export interface ClientClaimsOptions {
  readonly claims: Readonly<Record<string, unknown>>;
  /** Merge with the default claims (`aud`, `iss`, `sub`, `jti`, `nbf`, `iat`, `exp`), yours winning; or send only yours. */
  readonly mergeWithDefaultClaims: boolean;
}

/** The prepared key and certificate. */
interface KeyAndCertificate {
  readonly signerFor: (alg: SigningAlgorithm) => Promise<Signer>;
  readonly keyType: "RSA" | "EC";
  readonly namedCurve: string | undefined;
  readonly x5t: string | undefined;
  readonly x5tS256: string | undefined;
  readonly x5c: readonly string[];
}

/** A signed assertion kept for reuse. */
interface ReusableAssertion {
  readonly jwt: string;
  readonly expiresAtMs: number;
}

const assertionLifetimeSeconds = 600;
/** A kept assertion is reused only while it has more than this left. */
const assertionReuseMarginMs = 60_000;
const maxKeptAssertions = 1000;

/**
 * Creates the certificate credential. Checks the PEM and certificate structure synchronously;
 * decryption, import and the key/certificate match finish in `ready`.
 * @throws ClientError for a malformed PEM, certificate or option.
 */
export function certificateCredential(
  options: CertificateOptions,
  clientClaims?: ClientClaimsOptions,
): ClientCredential {
  if (typeof options !== "object" || options === null) {
    throw new ClientError(
      "invalid_configuration",
      "withCertificate needs { privateKey, certificate }, { pfx, password } or { sign, certificate }.",
    );
  }
  const prepared = prepare(options);
  const ready = prepared.then(() => undefined);
  ready.catch(() => undefined); // surfaced by every acquisition; not an unhandled rejection
  const kept = new Map<string, ReusableAssertion>();
  /** Endpoints that refused a reused assertion: they get a fresh one every time. */
  const noReuse = new Set<string>();
  /** Endpoints whose last request carried a reused assertion. */
  const sentReused = new Set<string>();

  return {
    kind: "certificate",
    ready,
    async addTo(form: URLSearchParams, context: CredentialContext) {
      const key = await prepared;
      const alg = algorithmFor(options.algorithm, key, context);
      const sendX5c = context.sendX5c ?? options.sendX5c ?? false;
      // Generic OIDC servers (oidc-provider among them) refuse a reused jti; Entra and ADFS accept it.
      const reusable = context.authorityKind !== "oidc" && !noReuse.has(context.tokenEndpoint);
      const reuseKey = `${context.tokenEndpoint}\u0000${alg}\u0000${sendX5c}`;
      let assertion = reusable ? kept.get(reuseKey) : undefined;
      if (
        assertion === undefined ||
        assertion.expiresAtMs - context.now <= assertionReuseMarginMs
      ) {
        assertion = await signAssertion(key, alg, sendX5c, context, clientClaims);
        sentReused.delete(context.tokenEndpoint);
        if (reusable) keep(kept, reuseKey, assertion);
      } else {
        sentReused.add(context.tokenEndpoint);
      }
      form.set("client_assertion_type", jwtBearerAssertionType);
      form.set("client_assertion", assertion.jwt);
    },
    rejected(tokenEndpoint: string): boolean {
      if (!sentReused.delete(tokenEndpoint)) return false;
      noReuse.add(tokenEndpoint);
      for (const reuseKey of kept.keys())
        if (reuseKey.startsWith(`${tokenEndpoint}\u0000`)) kept.delete(reuseKey);
      return true;
    },
  };
}

async function signAssertion(
  key: KeyAndCertificate,
  alg: SigningAlgorithm,
  sendX5c: boolean,
  context: CredentialContext,
  clientClaims: ClientClaimsOptions | undefined,
): Promise<ReusableAssertion> {
  const header: Record<string, unknown> = { alg, typ: "JWT" };
  if (context.authorityKind === "entra" && key.x5tS256 !== undefined)
    header["x5t#S256"] = key.x5tS256;
  else header["x5t"] = key.x5t;
  if (sendX5c) header["x5c"] = key.x5c;
  const now = Math.floor(context.now / 1000);
  const exp = now + assertionLifetimeSeconds;
  const defaults = {
    aud: context.tokenEndpoint,
    iss: context.clientId,
    sub: context.clientId,
    jti: randomId(),
    nbf: now,
    iat: now,
    exp,
  };
  const payload =
    clientClaims === undefined
      ? defaults
      : clientClaims.mergeWithDefaultClaims
        ? { ...defaults, ...clientClaims.claims }
        : { ...clientClaims.claims };
  const expiresAtMs = typeof payload["exp"] === "number" ? payload["exp"] * 1000 : context.now;
  return { jwt: await signCompactJws(header, payload, await key.signerFor(alg)), expiresAtMs };
}

function keep(
  kept: Map<string, ReusableAssertion>,
  key: string,
  assertion: ReusableAssertion,
): void {
  if (kept.size >= maxKeptAssertions) {
    const oldest = kept.keys().next();
    if (oldest.done !== true) kept.delete(oldest.value);
  }
  kept.set(key, assertion);
}

function algorithmFor(
  explicit: SigningAlgorithm | undefined,
  key: KeyAndCertificate,
  context: CredentialContext,
): SigningAlgorithm {
  if (explicit !== undefined) return explicit;
  if (key.keyType === "EC") {
    if (key.namedCurve === "P-384") return "ES384";
    if (key.namedCurve === "P-521") return "ES512";
    return "ES256";
  }
  return context.authorityKind === "entra" && key.x5tS256 !== undefined ? "PS256" : "RS256";
}

/** Synchronous structure checks, then the asynchronous preparation. */
function prepare(options: CertificateOptions): Promise<KeyAndCertificate> {
  if ("pfx" in options) {
    const bytes = options.pfx instanceof Uint8Array ? options.pfx : new Uint8Array(options.pfx);
    if (
      !(options.pfx instanceof Uint8Array || options.pfx instanceof ArrayBuffer) ||
      bytes.length === 0
    ) {
      throw new ClientError(
        "invalid_pkcs12",
        "The pfx must be the file's bytes as a Uint8Array or ArrayBuffer, e.g. new Uint8Array(await file.arrayBuffer()).",
      );
    }
    return (async () => {
      const { key, certificates } = await decodePkcs12(bytes, options.password);
      return fromMaterial(key, certificates);
    })();
  }
  if (!("certificate" in options) || options.certificate === undefined) {
    const thumbprints = thumbprintsFromHex(options as ThumbprintCertificateOptions);
    const { privateKey, password } = options as ThumbprintCertificateOptions;
    decodePemBlocks(privateKey);
    return (async () => {
      const material = await decodePrivateKey(privateKey, password);
      return {
        signerFor: importedSigners(material),
        keyType: material.keyType,
        namedCurve: material.namedCurve,
        ...thumbprints,
        x5c: [],
      };
    })();
  }
  const chain = decodeCertificateChain(options.certificate);
  if ("sign" in options) {
    if (typeof options.sign !== "function") {
      throw new ClientError(
        "invalid_configuration",
        "The certificate's sign option must be a function (data: Uint8Array) => Promise<Uint8Array>.",
      );
    }
    const sign = options.sign;
    return withThumbprints(chain, "RSA", undefined, async () => sign);
  }
  const privateKey = options.privateKey;
  if (typeof privateKey === "string") {
    decodePemBlocks(privateKey); // a malformed PEM fails here, at build time
    return (async () =>
      fromMaterial(await decodePrivateKey(privateKey, options.password), chain))();
  }
  if (!isCryptoKey(privateKey)) {
    throw new ClientError(
      "invalid_private_key",
      "The privateKey must be a PEM string or a CryptoKey.",
    );
  }
  return fromCryptoKey(privateKey, chain);
}

async function fromMaterial(
  material: PrivateKeyMaterial,
  chain: readonly Uint8Array<ArrayBuffer>[],
): Promise<KeyAndCertificate> {
  const leaf = chain[0];
  if (leaf === undefined)
    throw new ClientError("invalid_certificate", "No certificate was given with the private key.");
  await assertCertificateMatchesKey(leaf, material);
  return withThumbprints(chain, material.keyType, material.namedCurve, importedSigners(material));
}

/** Signers over `material`, imported once per algorithm. */
function importedSigners(material: PrivateKeyMaterial): (alg: SigningAlgorithm) => Promise<Signer> {
  const imported = new Map<SigningAlgorithm, Promise<Signer>>();
  return (alg) => {
    let signer = imported.get(alg);
    if (signer === undefined) {
      signer = importSigningKey(material, alg).then((key) => cryptoKeySigner(key, alg));
      imported.set(alg, signer);
    }
    return signer;
  };
}

/** `x5t` / `x5t#S256` from hex thumbprints (colons and spaces allowed, as certificate tools print them). */
function thumbprintsFromHex(options: ThumbprintCertificateOptions): {
  x5t: string | undefined;
  x5tS256: string | undefined;
} {
  const convert = (hex: string | undefined, bytes: number): string | undefined => {
    if (hex === undefined) return undefined;
    const clean = hex.replace(/[:\s]/g, "");
    if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(clean)) {
      throw new ClientError(
        "invalid_certificate",
        `The ${bytes === 32 ? "SHA-256" : "SHA-1"} thumbprint must be ${bytes * 2} hex digits.`,
      );
    }
    return encodeBase64Url(
      Uint8Array.from(clean.match(/../g) as string[], (pair) => parseInt(pair, 16)),
    );
  };
  const thumbprints = {
    x5t: convert(options.thumbprint, 20),
    x5tS256: convert(options.thumbprintSha256, 32),
  };
  if (thumbprints.x5t === undefined && thumbprints.x5tS256 === undefined) {
    throw new ClientError(
      "invalid_configuration",
      "withCertificate needs the certificate (PEM), or at least its thumbprintSha256.",
    );
  }
  return thumbprints;
}

async function fromCryptoKey(
  key: CryptoKey,
  chain: readonly Uint8Array<ArrayBuffer>[],
): Promise<KeyAndCertificate> {
  if (key.type !== "private" || !key.usages.includes("sign")) {
    throw new ClientError(
      "invalid_private_key",
      'The CryptoKey must be a private key with the "sign" usage.',
    );
  }
  const algorithm = key.algorithm as { name: string; namedCurve?: string };
  const alg = cryptoKeyAlgorithm(algorithm);
  const leaf = chain[0];
  if (leaf === undefined)
    throw new ClientError("invalid_certificate", "No certificate was given with the private key.");
  await assertCryptoKeyMatches(key, alg, leaf);
  const signer = cryptoKeySigner(key, alg);
  const keyType = algorithm.name === "ECDSA" ? "EC" : "RSA";
  return withThumbprints(chain, keyType, algorithm.namedCurve, async (requested) => {
    if (requested !== alg) {
      throw new ClientError(
        "unsupported_key_type",
        `The CryptoKey was imported for ${alg} but ${requested} is needed: import it as ${requested === "PS256" ? "RSA-PSS" : "RSASSA-PKCS1-v1_5"}, or set algorithm: "${alg}".`,
      );
    }
    return signer;
  });
}

function cryptoKeyAlgorithm(algorithm: { name: string; namedCurve?: string }): SigningAlgorithm {
  switch (algorithm.name) {
    case "RSASSA-PKCS1-v1_5":
      return "RS256";
    case "RSA-PSS":
      return "PS256";
    case "ECDSA":
      if (algorithm.namedCurve === "P-384") return "ES384";
      if (algorithm.namedCurve === "P-521") return "ES512";
      return "ES256";
    default:
      throw new ClientError(
        "unsupported_key_type",
        `A ${algorithm.name} CryptoKey cannot sign client assertions: use an RSA (RSASSA-PKCS1-v1_5 or RSA-PSS) or ECDSA key.`,
      );
  }
}

/** Signs a probe with the key and verifies it with the certificate's public key: works for non-extractable keys too. */
async function assertCryptoKeyMatches(
  key: CryptoKey,
  alg: SigningAlgorithm,
  leaf: Uint8Array<ArrayBuffer>,
): Promise<void> {
  const pem = `-----BEGIN CERTIFICATE-----\n${encodeBase64(leaf)}\n-----END CERTIFICATE-----`;
  let publicKey: CryptoKey;
  try {
    publicKey = (await importX509(pem, alg)) as CryptoKey;
  } catch {
    throw new ClientError(
      "certificate_key_mismatch",
      `The certificate's public key cannot verify ${alg} signatures: the certificate does not belong to this key.`,
    );
  }
  const probe = new TextEncoder().encode("entra-edge key check");
  const params = webCryptoSignParams(alg);
  const signature = await crypto.subtle.sign(params, key, probe);
  if (!(await crypto.subtle.verify(params, publicKey, signature, probe))) {
    throw new ClientError(
      "certificate_key_mismatch",
      "The certificate does not belong to this private key: pass the certificate issued for this key (leaf first).",
    );
  }
}

async function withThumbprints(
  chain: readonly Uint8Array<ArrayBuffer>[],
  keyType: "RSA" | "EC",
  namedCurve: string | undefined,
  signerFor: (alg: SigningAlgorithm) => Promise<Signer>,
): Promise<KeyAndCertificate> {
  const leaf = chain[0];
  if (leaf === undefined) throw new ClientError("invalid_certificate", "No certificate was found.");
  const { x5t, x5tS256 } = await certificateThumbprints(leaf);
  return { signerFor, keyType, namedCurve, x5t, x5tS256, x5c: chain.map(encodeBase64) };
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return (
    typeof value === "object" &&
    value !== null &&
    "algorithm" in value &&
    "type" in value &&
    "usages" in value
  );
}

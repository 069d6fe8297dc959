/**
 * The ways of giving the certificate credential its certificate and key, and how each is loaded:
 * PEM (PKCS#8, PKCS#1, SEC1 or encrypted PKCS#8), a `.pfx`, a `CryptoKey` (non-extractable
 * allowed), a signing function for keys that never leave Key Vault, a KMS or an HSM, or a key
 * with only the certificate's thumbprints.
 *
 * @module
 */

import { ClientError } from "../errors";
import { encodeBase64Url } from "../internal/base64";
import { certificateKeyKind } from "../keys/certificate-key";
import { decodePkcs12, pfxBytes } from "../keys/pkcs12";
import {
  assertAlgorithmFits,
  decodePlainPrivateKey,
  decodePrivateKey,
  type PrivateKeyMaterial,
  type SigningAlgorithm,
} from "../keys/private-key";
import { assertCertificateMatchesKey, decodeCertificateChain } from "../keys/x509";
import { cryptoKeyCertificate, isCryptoKey } from "./crypto-key-certificate";
import {
  materialSigners,
  signingCertificate,
  type SigningCertificate,
} from "./signing-certificate";

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

/**
 * Loads the certificate for `withCertificate(async () => ...)`: from Key Vault, a secrets store,
 * a file that rotates. Called when a token request first needs a certificate (never at build),
 * its certificate kept while the identity provider accepts it, and called once more when the
 * identity provider refuses it (unknown, expired or revoked key).
 *
 * @example
 * ```ts
 * const loader: CertificateLoader = async () => ({
 *   privateKey: await secrets.get("api-key-pem"),
 *   certificate: await secrets.get("api-cert-pem"),
 * });
 * ```
 */
export type CertificateLoader = () => CertificateOptions | Promise<CertificateOptions>;

/** Extra claims for the assertion (`withClientClaims`). */
export interface ClientClaimsOptions {
  readonly claims: Readonly<Record<string, unknown>>;
  /** Merge with the default claims (`aud`, `iss`, `sub`, `jti`, `nbf`, `iat`, `exp`), yours winning; or send only yours. */
  readonly mergeWithDefaultClaims: boolean;
}

/**
 * Loads the certificate and its key as `options` give them. The structure (PEM, certificate,
 * option types) and, where no decryption is needed, the key itself (its type, and RSA keys of
 * 2048 bits or more) are checked synchronously, so such an input fails when the application is
 * built; decryption, import and the key/certificate match finish in the returned promise.
 *
 * @throws ClientError for a malformed PEM, certificate or option, or an unsupported or short key.
 */
export function loadCertificate(options: CertificateOptions): Promise<SigningCertificate> {
  if (typeof options !== "object" || options === null) {
    throw new ClientError(
      "invalid_configuration",
      "withCertificate needs { privateKey, certificate }, { pfx, password } or { sign, certificate }.",
    );
  }
  if ("pfx" in options) {
    const bytes = pfxBytes(options.pfx);
    return (async () => {
      const { key, certificates } = await decodePkcs12(bytes, options.password);
      return fromMaterial(key, certificates);
    })();
  }
  if (!("certificate" in options) || options.certificate === undefined) {
    const thumbprints = thumbprintsFromHex(options as ThumbprintCertificateOptions);
    const { privateKey, password } = options as ThumbprintCertificateOptions;
    const plain = decodePlainPrivateKey(privateKey);
    return (async () => {
      const material = plain ?? (await decodePrivateKey(privateKey, password));
      return {
        signerFor: materialSigners(material),
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
    // The certificate is the only key material: its key picks the algorithm (ES256 for P-256).
    const kind = certificateKeyKind(chain[0] as Uint8Array<ArrayBuffer>);
    if (options.algorithm !== undefined) assertAlgorithmFits(kind, options.algorithm);
    return signingCertificate(chain, kind.keyType, kind.namedCurve, async () => sign);
  }
  const privateKey = options.privateKey;
  if (typeof privateKey === "string") {
    // A malformed, unsupported or short key fails here, at build time, unless it is encrypted.
    const plain = decodePlainPrivateKey(privateKey);
    return (async () =>
      fromMaterial(plain ?? (await decodePrivateKey(privateKey, options.password)), chain))();
  }
  if (!isCryptoKey(privateKey)) {
    throw new ClientError(
      "invalid_private_key",
      "The privateKey must be a PEM string or a CryptoKey.",
    );
  }
  return cryptoKeyCertificate(privateKey, chain);
}

/** A PEM or PKCS#12 key with its chain, once the leaf is checked to hold the key's public half. */
async function fromMaterial(
  material: PrivateKeyMaterial,
  chain: readonly Uint8Array<ArrayBuffer>[],
): Promise<SigningCertificate> {
  const leaf = chain[0];
  if (leaf === undefined)
    throw new ClientError("invalid_certificate", "No certificate was given with the private key.");
  await assertCertificateMatchesKey(leaf, material);
  return signingCertificate(
    chain,
    material.keyType,
    material.namedCurve,
    materialSigners(material),
  );
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

/**
 * Shared fixtures of the emulator tests: certificates generated with openssl into a temp dir
 * once per test file, client assertions built by hand with jose, and request helpers.
 */
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompactSign, importPKCS8 } from "jose";
import {
  createEntraEmulator,
  type EntraEmulator,
  type EntraEmulatorOptions,
} from "../../src/testing/index";

export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const TENANT_DOMAIN = "contoso.onmicrosoft.com";
export const OTHER_TENANT = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
export const CLIENT = "11111111-2222-3333-4444-555555555555";
export const OTHER_CLIENT = "66666666-7777-4888-9999-000000000000";
export const SECRET = "s3cret~with+special&chars=%";
export const GRAPH = "https://graph.microsoft.com/.default";
export const TOKEN_URL = `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`;
export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A certificate and its private key, as PEM, with its thumbprints. */
export interface TestCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** base64url SHA-1 of the DER. */
  x5t: string;
  /** base64url SHA-256 of the DER. */
  x5tS256: string;
  /** The leaf DER, base64. */
  x5c: string;
  notAfter: number;
}

/** Generates a self-signed RSA certificate with openssl. */
export function generateCertificate(
  options: { bits?: number; days?: number } = {},
): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), "entra-emulator-"));
  try {
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        `rsa:${options.bits ?? 2048}`,
        "-nodes",
        "-keyout",
        keyPath,
        "-out",
        certPath,
        "-days",
        String(options.days ?? 30),
        "-subj",
        "/CN=entra-edge emulator test",
        "-sha256",
      ],
      { stdio: "ignore" },
    );
    const certificatePem = readFileSync(certPath, "utf8");
    const certificate = new X509Certificate(certificatePem);
    return {
      certificatePem,
      privateKeyPem: readFileSync(keyPath, "utf8"),
      x5t: createHash("sha1").update(certificate.raw).digest("base64url"),
      x5tS256: createHash("sha256").update(certificate.raw).digest("base64url"),
      x5c: certificate.raw.toString("base64"),
      notAfter: Date.parse(certificate.validTo),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Signs `payload` (any JSON) with `header` (alg included) and a PEM PKCS#8 key or a CryptoKey. */
export async function signJwt(
  header: Record<string, unknown> & { alg: string },
  payload: unknown,
  key: string | CryptoKey,
): Promise<string> {
  const signingKey = typeof key === "string" ? await importPKCS8(key, header.alg) : key;
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header)
    .sign(signingKey);
}

/** Standard assertion claims for `CLIENT` at `aud`, valid now. */
export function assertionClaims(
  aud = TOKEN_URL,
  nowSeconds = Math.floor(Date.now() / 1000),
): Record<string, unknown> {
  return {
    aud,
    iss: CLIENT,
    sub: CLIENT,
    jti: crypto.randomUUID(),
    nbf: nowSeconds,
    iat: nowSeconds,
    exp: nowSeconds + 600,
  };
}

/** A PS256 + x5t#S256 assertion, the shape MSAL.NET sends, with `claims` merged over the defaults. */
export function ps256Assertion(
  cert: TestCertificate,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  return signJwt(
    { alg: "PS256", typ: "JWT", "x5t#S256": cert.x5tS256, ...header },
    { ...assertionClaims(), ...claims },
    cert.privateKeyPem,
  );
}

/** An RS256 + x5t assertion, the shape msal-node sends. */
export function rs256Assertion(
  cert: TestCertificate,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  return signJwt(
    { alg: "RS256", typ: "JWT", x5t: cert.x5t, ...header },
    { ...assertionClaims(), ...claims },
    cert.privateKeyPem,
  );
}

/** Options with `TENANT` (+ domain), `OTHER_TENANT`, `CLIENT` (secret + `cert`, both tenants) and `OTHER_CLIENT` (only `OTHER_TENANT`). */
export function baseOptions(cert: TestCertificate): EntraEmulatorOptions {
  return {
    tenants: [
      { id: TENANT, domains: [TENANT_DOMAIN, "contoso.com"], displayName: "Contoso" },
      OTHER_TENANT,
    ],
    apps: [
      {
        clientId: CLIENT,
        secrets: [SECRET],
        certificates: [cert.certificatePem],
        displayName: "Daemon",
        roles: ["User.Read.All"],
      },
      { clientId: OTHER_CLIENT, secrets: ["other"], tenants: [OTHER_TENANT] },
    ],
  };
}

export function emulatorFor(
  cert: TestCertificate,
  extra: Partial<EntraEmulatorOptions> = {},
): Promise<EntraEmulator> {
  return createEntraEmulator({ ...baseOptions(cert), ...extra });
}

/** POSTs a form (URLSearchParams encoding) to `url`. */
export function postForm(
  emulator: EntraEmulator,
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return emulator.fetch(url, { method: "POST", body: new URLSearchParams(form), headers });
}

/** A secret-authenticated client-credentials form for `CLIENT`. */
export function secretForm(extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: CLIENT,
    client_secret: SECRET,
    scope: GRAPH,
    grant_type: "client_credentials",
    ...extra,
  };
}

/** An assertion-authenticated client-credentials form for `CLIENT`. */
export function assertionForm(
  assertion: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    client_id: CLIENT,
    client_assertion: assertion,
    client_assertion_type: JWT_BEARER,
    scope: GRAPH,
    grant_type: "client_credentials",
    ...extra,
  };
}

/** The shape of an Entra error body. */
export interface ErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** Reads an error response, asserting its status, and returns the body. */
export async function errorOf(response: Response): Promise<ErrorBody & { status: number }> {
  return { status: response.status, ...((await response.json()) as ErrorBody) };
}

/**
 * `entra-edge token`: acquires an app-only token with the client credentials flow and prints it,
 * its JSON result, or its decoded claims.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  ConfidentialClientApplicationBuilder,
  type AuthenticationResult,
  type CertificateOptions,
  type Logger,
} from "../../src/index";
import { kubernetesTokenFile } from "../../federation/index";
import { emulatorFetch, emulatorRequested, tenantOfAuthority } from "../emulator";
import { usageError } from "../errors";
import { TOKEN_HELP } from "../help";
import type { CliIO } from "../io";
import { decodeJwt } from "../jwt";
import { readText, readBytes } from "./files";

export const DEFAULT_SCOPE = "https://graph.microsoft.com/.default";

const options = {
  "client-id": { type: "string" },
  tenant: { type: "string" },
  scope: { type: "string", multiple: true },
  authority: { type: "string" },
  "oidc-issuer": { type: "string" },
  region: { type: "string" },
  secret: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  pfx: { type: "string" },
  "federated-token-file": { type: "string" },
  password: { type: "string" },
  "send-x5c": { type: "boolean" },
  json: { type: "boolean" },
  decode: { type: "boolean" },
  timeout: { type: "string" },
  "no-retry": { type: "boolean" },
  verbose: { type: "boolean" },
  emulator: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Values that must never reach stderr; filled as they are read, used to redact error lines. */
export type SecretSink = (value: string | undefined) => void;

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

function stderrLogger(io: CliIO): Logger {
  const write = (level: string) => (message: string, data?: Record<string, unknown>) =>
    io.stderr(
      `entra-edge: [${level}] ${message}${data === undefined || Object.keys(data).length === 0 ? "" : ` ${JSON.stringify(data)}`}\n`,
    );
  return {
    error: write("error"),
    warn: write("warning"),
    info: write("info"),
    debug: write("verbose"),
  };
}

/** The result as JSON-ready data, dates as ISO strings. */
function resultJson(result: AuthenticationResult): Record<string, unknown> {
  const metadata = result.authenticationResultMetadata;
  return {
    accessToken: result.accessToken,
    tokenType: result.tokenType,
    expiresOn: result.expiresOn.toISOString(),
    extendedExpiresOn: result.extendedExpiresOn.toISOString(),
    refreshOn: result.refreshOn?.toISOString() ?? null,
    scopes: [...result.scopes],
    tenantId: result.tenantId ?? null,
    correlationId: result.correlationId,
    authenticationResultMetadata: {
      tokenSource: metadata.tokenSource,
      cacheLevel: metadata.cacheLevel,
      cacheRefreshReason: metadata.cacheRefreshReason,
      tokenEndpoint: metadata.tokenEndpoint,
      durationTotalInMs: metadata.durationTotalInMs,
      durationInHttpInMs: metadata.durationInHttpInMs,
      durationInCacheInMs: metadata.durationInCacheInMs,
      regionDetails: { ...metadata.regionDetails },
    },
  };
}

/** Runs `token` with the arguments after the command name. Returns the exit code. */
export async function tokenCommand(
  args: string[],
  io: CliIO,
  addSecret: SecretSink,
): Promise<number> {
  const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
  if (values.help === true) {
    io.stdout(TOKEN_HELP);
    return 0;
  }
  const env = io.env;

  // Credential first, so that its values are redacted from any error that follows.
  const secretFlag = values.secret;
  const password = values.password ?? env["ENTRA_CERT_PASSWORD"];
  addSecret(secretFlag);
  addSecret(env["ENTRA_CLIENT_SECRET"]);
  addSecret(password);
  if (secretFlag !== undefined) {
    io.stderr(
      "entra-edge: warning: --secret puts the secret in your shell history and the process list; set ENTRA_CLIENT_SECRET instead.\n",
    );
  }
  if (values.password !== undefined) {
    io.stderr(
      "entra-edge: warning: --password puts the password in your shell history and the process list; set ENTRA_CERT_PASSWORD instead.\n",
    );
  }

  const clientId = nonEmpty(values["client-id"] ?? env["ENTRA_CLIENT_ID"]);
  if (clientId === undefined)
    throw usageError("Missing the client id: pass --client-id or set ENTRA_CLIENT_ID.", "token");
  if (values.authority !== undefined && values["oidc-issuer"] !== undefined) {
    throw usageError("--authority and --oidc-issuer are alternatives: pass one.", "token");
  }
  const customAuthority = values.authority !== undefined || values["oidc-issuer"] !== undefined;
  // ENTRA_TENANT_ID applies to the default cloud; with --authority or --oidc-issuer only --tenant does.
  const tenant = nonEmpty(values.tenant ?? (customAuthority ? undefined : env["ENTRA_TENANT_ID"]));
  if (tenant === undefined && !customAuthority) {
    throw usageError(
      "Missing the tenant: pass --tenant or set ENTRA_TENANT_ID (a tenant id or domain; not common or organizations).",
      "token",
    );
  }

  const kinds = [
    secretFlag !== undefined ? "--secret" : undefined,
    values.cert !== undefined || values.key !== undefined ? "--cert/--key" : undefined,
    values.pfx !== undefined ? "--pfx" : undefined,
    values["federated-token-file"] !== undefined ? "--federated-token-file" : undefined,
  ].filter((kind) => kind !== undefined);
  if (kinds.length > 1)
    throw usageError(`Pass one credential, not ${kinds.join(" and ")}.`, "token");
  if (values.key !== undefined && values.cert === undefined)
    throw usageError("--key needs --cert (the certificate of the key).", "token");
  if (values.password !== undefined && values.cert === undefined && values.pfx === undefined) {
    throw usageError("--password applies to --cert/--key (an encrypted key) or --pfx.", "token");
  }
  if (values["send-x5c"] === true && values.cert === undefined && values.pfx === undefined) {
    throw usageError("--send-x5c applies to a certificate credential (--cert or --pfx).", "token");
  }

  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const seconds = Number(values.timeout);
    if (!(Number.isFinite(seconds) && seconds > 0))
      throw usageError(
        `--timeout takes a positive number of seconds, not '${values.timeout}'.`,
        "token",
      );
    timeoutMs = Math.round(seconds * 1000);
  }
  const scopes = (values.scope ?? [DEFAULT_SCOPE])
    .flatMap((scope) => scope.split(/\s+/))
    .filter((scope) => scope !== "");
  if (scopes.length === 0) throw usageError("--scope is empty.", "token");

  let secret: string | undefined;
  let federatedTokenFile: string | undefined;
  let certificate: CertificateOptions | undefined;
  let certificatePem: string | undefined;
  let pfx: { bytes: Uint8Array; password: string } | undefined;
  const sendX5c = values["send-x5c"] === true ? { sendX5c: true } : {};
  if (values.cert !== undefined) {
    certificatePem = await readText(io, values.cert, "--cert");
    const privateKey =
      values.key === undefined ? certificatePem : await readText(io, values.key, "--key");
    certificate = {
      privateKey,
      certificate: certificatePem,
      ...(password === undefined ? {} : { password }),
      ...sendX5c,
    };
  } else if (values.pfx !== undefined) {
    pfx = { bytes: await readBytes(io, values.pfx, "--pfx"), password: password ?? "" };
    certificate = { pfx: pfx.bytes, password: pfx.password, ...sendX5c };
  } else if (values["federated-token-file"] !== undefined) {
    federatedTokenFile = values["federated-token-file"];
  } else {
    secret = secretFlag ?? nonEmpty(env["ENTRA_CLIENT_SECRET"]);
    // The variable the Azure workload identity webhook sets in a pod.
    federatedTokenFile =
      secret === undefined ? nonEmpty(env["AZURE_FEDERATED_TOKEN_FILE"]) : undefined;
    if ((secret === undefined || secret === "") && federatedTokenFile === undefined) {
      throw usageError(
        "No credential: set ENTRA_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE), or pass --cert <pem> --key <pem>, --pfx <file> or --federated-token-file <file>.",
        "token",
      );
    }
  }

  let fetcher = io.fetch;
  if (emulatorRequested(values.emulator, env)) {
    fetcher = await emulatorFetch({
      clientId,
      tenant: tenant ?? tenantOfAuthority(values.authority),
      secret,
      certificatePem,
      pfx,
      federatedToken:
        federatedTokenFile === undefined
          ? undefined
          : await readText(io, federatedTokenFile, "--federated-token-file"),
    });
  }

  const builder = ConfidentialClientApplicationBuilder.create(clientId)
    .withHttpClient(fetcher)
    .withMemoryCache({ shared: false });
  if (secret !== undefined) builder.withClientSecret(secret);
  if (certificate !== undefined) builder.withCertificate(certificate);
  if (federatedTokenFile !== undefined)
    builder.withClientAssertion(kubernetesTokenFile(federatedTokenFile));
  if (values.authority !== undefined) builder.withAuthority(values.authority);
  if (values["oidc-issuer"] !== undefined) builder.withOidcAuthority(values["oidc-issuer"]);
  if (tenant !== undefined) builder.withTenantId(tenant);
  if (values.region !== undefined) builder.withAzureRegion(values.region);
  if (timeoutMs !== undefined) builder.withTimeout(timeoutMs);
  if (values["no-retry"] === true) builder.withRetry(false);
  if (values.verbose === true) builder.withLogging(stderrLogger(io), { level: "verbose" });
  const app = builder.build();

  const result = await app.acquireTokenForClient(scopes);
  const decoded = values.decode === true ? decodeJwt(result.accessToken, io.now()) : undefined;
  if (values.json === true) {
    io.stdout(
      `${JSON.stringify({ ...resultJson(result), ...(decoded === undefined ? {} : { decoded }) }, null, 2)}\n`,
    );
  } else if (decoded !== undefined) {
    io.stdout(`${JSON.stringify(decoded, null, 2)}\n`);
  } else {
    io.stdout(`${result.accessToken}\n`);
  }
  return 0;
}

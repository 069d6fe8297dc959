/**
 * `--emulator` / `ENTRA_EDGE_EMULATOR=1`: answer from the built-in Entra ID emulator instead of
 * the network. The emulator registers the tenant, client id and credential the command was
 * given (for a federated token: its issuer, subject and audience, whose keys the emulator then
 * fetches from the issuer), so scripts and tests can run `entra-edge token` end to end offline.
 *
 * @module
 */

import { readPkcs12 } from "../src/index";
import { inputError } from "./errors";

/** What the emulator registers. */
export interface EmulatorSetup {
  clientId: string;
  /** Tenant id (GUID) or verified domain. */
  tenant: string | undefined;
  secret?: string | undefined;
  certificatePem?: string | undefined;
  pfx?: { bytes: Uint8Array; password: string } | undefined;
  /** A federated token: the emulator trusts its issuer, subject and audience (and fetches the issuer's keys). */
  federatedToken?: string | undefined;
}

/** The federated credential that trusts `token` (its `iss`, `sub` and `aud`), if it has them. */
function federatedCredentialOf(token: string) {
  try {
    const claims = JSON.parse(
      new TextDecoder().decode(decodeBase64Url(token.trim().split(".")[1] ?? "")),
    ) as { iss?: unknown; sub?: unknown; aud?: unknown };
    const audiences = typeof claims.aud === "string" ? [claims.aud] : claims.aud;
    if (typeof claims.iss !== "string" || typeof claims.sub !== "string") return [];
    return [
      {
        issuer: claims.iss,
        subject: claims.sub,
        ...(Array.isArray(audiences) ? { audiences: audiences.map(String) } : {}),
      },
    ];
  } catch {
    return [];
  }
}

function decodeBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The tenant id used when the command names its tenant by domain, or not at all. */
export const EMULATOR_DEFAULT_TENANT_ID = "00000000-0000-4000-8000-00000000e17a";

/** Whether emulator mode is on: the flag, or `ENTRA_EDGE_EMULATOR` set to `1`/`true`/`yes`. */
export function emulatorRequested(
  flag: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (flag === true) return true;
  const value = env["ENTRA_EDGE_EMULATOR"]?.trim().toLowerCase();
  return value === "1" || value === "true" || value === "yes";
}

/**
 * Creates an emulator for `setup` and returns its `fetch`.
 *
 * @throws ClientError from opening the `.pfx` (e.g. `invalid_password`); CliError
 *   `invalid_configuration` (exit 3) when the emulator refuses the setup (a client id that is not
 *   a GUID, a non-RSA certificate).
 */
export async function emulatorFetch(setup: EmulatorSetup): Promise<typeof fetch> {
  const { createEntraEmulator } = await import("../src/testing/index");
  const certificates: string[] = [];
  if (setup.certificatePem !== undefined) certificates.push(setup.certificatePem);
  if (setup.pfx !== undefined) {
    const { certificates: inPfx } = await readPkcs12(setup.pfx.bytes, setup.pfx.password);
    if (inPfx[0] !== undefined) certificates.push(inPfx[0].pem);
  }
  const tenant = setup.tenant ?? EMULATOR_DEFAULT_TENANT_ID;
  const tenantOption = GUID.test(tenant)
    ? { id: tenant }
    : { id: EMULATOR_DEFAULT_TENANT_ID, domains: [tenant] };
  try {
    const emulator = await createEntraEmulator({
      tenants: [tenantOption],
      apps: [
        {
          clientId: setup.clientId,
          ...(setup.secret === undefined ? {} : { secrets: [setup.secret] }),
          ...(certificates.length === 0 ? {} : { certificates }),
          ...(setup.federatedToken === undefined
            ? {}
            : { federatedCredentials: federatedCredentialOf(setup.federatedToken) }),
          displayName: "entra-edge CLI (emulator)",
        },
      ],
    });
    return emulator.fetch as typeof fetch;
  } catch (error) {
    if (error instanceof TypeError)
      throw inputError(
        "invalid_configuration",
        `The emulator cannot register this application: ${error.message}`,
      );
    throw error;
  }
}

/** The tenant of an authority URL (its first path segment), for the emulator's directory. */
export function tenantOfAuthority(authority: string | undefined): string | undefined {
  if (authority === undefined) return undefined;
  try {
    const segment = new URL(authority).pathname.split("/").find((part) => part !== "");
    return segment === undefined || segment.toLowerCase() === "adfs" ? undefined : segment;
  } catch {
    return undefined;
  }
}

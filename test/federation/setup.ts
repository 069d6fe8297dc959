// Shared by the federation tests: a local OIDC issuer on loopback, an emulator whose app trusts it
// through a federated credential (and no secret or certificate), and applications built on it.
import { afterAll, beforeAll } from "vitest";
import { ConfidentialClientApplicationBuilder, type Logger } from "../../src/index";
import type { ClientAssertion } from "../../src/credentials/client-assertion";
import { createEntraEmulator, type EntraEmulatorOptions } from "../../src/testing/index";
import { startOidcIssuer, type OidcIssuer } from "../support/oidc-issuer";

export const tenantA = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const tenantB = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
export const tenantC = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff";
export const clientId = "11111111-2222-3333-4444-555555555555";
export const subject = "system:serviceaccount:payments:api";
export const graph = "https://graph.microsoft.com/.default";

/** Starts the issuer for the file's tests and stops it after them. */
export function useIssuer(): { readonly issuer: OidcIssuer } {
  const holder = {} as { issuer: OidcIssuer };
  beforeAll(async () => {
    holder.issuer = await startOidcIssuer();
  });
  afterAll(() => holder.issuer?.stop());
  return holder;
}

/** An emulator whose app has only a federated credential for `issuer` and `subject`. */
export function federatedEmulator(issuer: OidcIssuer, options: Partial<EntraEmulatorOptions> = {}) {
  return createEntraEmulator({
    tenants: [tenantA, tenantB, tenantC],
    apps: [{ clientId, federatedCredentials: [{ issuer: issuer.issuer, subject }] }],
    ...options,
  });
}

/** Log lines of an application, PII included, at the most verbose level. */
export function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const write = (message: string, data?: Record<string, unknown>) =>
    void lines.push(`${message} ${data === undefined ? "" : JSON.stringify(data)}`);
  return { lines, logger: { error: write, warn: write, info: write, debug: write } };
}

/** An application authenticating with `assertion`, through `fetcher`, with its own L1. */
export function appWith(
  assertion: ClientAssertion,
  fetcher: typeof fetch,
  options: { authority?: string; logger?: Logger } = {},
) {
  const builder = ConfidentialClientApplicationBuilder.create(clientId)
    .withClientAssertion(assertion)
    .withHttpClient(fetcher)
    .withMemoryCache({ shared: false })
    .withRetry(false);
  if (options.authority !== undefined) builder.withAuthority(options.authority);
  else builder.withTenantId(tenantA);
  if (options.logger !== undefined)
    builder.withLogging(options.logger, { level: "verbose", piiLoggingEnabled: true });
  return builder.build();
}

/** The rejection of `promise` (fails when it resolves). */
export async function failureOf(promise: PromiseLike<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

/** The failure of a Graph token request by {@link appWith}`(assertion, fetcher, options)`. */
export function graphTokenFailure(
  assertion: ClientAssertion,
  fetcher: typeof fetch,
  options: { authority?: string; logger?: Logger } = {},
): Promise<Error> {
  return failureOf(appWith(assertion, fetcher, options).acquireTokenForClient([graph]));
}

/** Everything an error shows: message, fields and its cause chain, as text. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? "", JSON.stringify({ ...current }));
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return parts.join("\n");
}

/** The client assertions the emulator received, oldest first. */
export function sentAssertions(emulator: { tokenRequests(): { form: Record<string, string> }[] }) {
  return emulator.tokenRequests().map((request) => request.form["client_assertion"]);
}

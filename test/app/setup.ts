// Shared fixtures of the application tests: two tenants, apps with a secret and certificates,
// and an emulator per test.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ConfidentialClientApplication,
  ConfidentialClientApplicationBuilder,
} from "../../src/index";
import {
  createEntraEmulator,
  type EntraEmulatorOptions,
  type EntraErrorFault,
} from "../../src/testing/index";

export const keys = (name: string): string =>
  readFileSync(join(import.meta.dirname, "../fixtures/keys", name), "utf8");
export const keyBytes = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(import.meta.dirname, "../fixtures/keys", name)));

export const tenantA = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const tenantB = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
export const clientId = "11111111-2222-3333-4444-555555555555";
export const otherClientId = "66666666-7777-8888-9999-000000000000";
export const secret = "Ab1~emulator.secret-value_0123456789";
export const graph = ["https://graph.microsoft.com/.default"];
export const arm = ["https://management.azure.com/.default"];

/** Entra's 401 for an expired client secret (AADSTS7000222), as an emulator fault. */
export const expiredSecretFault: EntraErrorFault = {
  type: "error",
  status: 401,
  error: "invalid_client",
  code: 7000222,
  message: "The provided client secret keys are expired.",
};

export async function emulator(options: Partial<EntraEmulatorOptions> = {}) {
  return createEntraEmulator({
    tenants: [{ id: tenantA, domains: ["contoso.onmicrosoft.com"] }, tenantB],
    apps: [
      { clientId, secrets: [secret], certificates: [keys("rsa.crt.pem"), keys("leaf.crt.pem")] },
      { clientId: otherClientId, secrets: [secret] },
    ],
    ...options,
  });
}

/** A builder wired to the emulator, with its own L1 so tests do not share tokens. */
export function builder(fetcher: typeof fetch, id = clientId) {
  return ConfidentialClientApplicationBuilder.create(id)
    .withHttpClient(fetcher)
    .withMemoryCache({ shared: false })
    .withRetry({ delayMs: 10 });
}

/** What `work()` throws or rejects with, or `undefined` when it succeeds. */
export async function rejectionOf(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** An application over `fetcher` (tenant A, the secret) reading time from `now`, with its own L1. */
export function appWithClock(fetcher: typeof fetch, now: () => number) {
  return new ConfidentialClientApplication({
    clientId,
    tenantId: tenantA,
    clientSecret: secret,
    fetch: fetcher,
    now,
    memoryCache: { shared: false },
  });
}

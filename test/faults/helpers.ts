// Shared pieces of the fault matrix: one emulator per test file on an injected clock, applications
// that do not share state, capturing loggers and L2 adapters that fail in each way a store fails.
import { afterAll, beforeAll, beforeEach } from "vitest";
import {
  ConfidentialClientApplication,
  type CacheAdapter,
  type CacheErrorEvent,
  type ConfidentialClientApplicationOptions,
  type Logger,
} from "../../src/index";
import type { EntraEmulator } from "../../src/testing/index";
import { clientId, emulator, secret, tenantA } from "../app/setup";

export { arm, clientId, graph, keys, secret, tenantA, tenantB } from "../app/setup";

/** Whole seconds, so that HTTP-date `Retry-After` values are exact. */
export const start = Date.parse("2026-11-22T10:00:00Z");

/** The clock shared by the emulator and the applications of one test file. */
export const clock = { now: start };
export const now = (): number => clock.now;

/**
 * One emulator per test file (creating one generates a signing key); `reset()` and a rewound
 * clock before each test.
 */
export function useEmulator(options: Parameters<typeof emulator>[0] = {}): {
  readonly entra: EntraEmulator;
} {
  const holder = {} as { entra: EntraEmulator };
  beforeAll(async () => {
    holder.entra = await emulator({ now, ...options });
  });
  beforeEach(() => {
    clock.now = start;
    holder.entra.reset();
  });
  afterAll(() => {
    clock.now = start;
  });
  return holder;
}

/** A client-secret application on the emulator with its own L1 and throttle state, fast retries and the shared clock. */
export function makeApp(
  entra: EntraEmulator,
  options: Partial<ConfidentialClientApplicationOptions> = {},
): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    clientId,
    tenantId: tenantA,
    clientSecret: secret,
    fetch: entra.fetch,
    now,
    memoryCache: { shared: false },
    retry: { delayMs: 10 },
    ...options,
  });
}

/** Settles `promise`: its value, or the error it rejected with. */
export async function failureOf(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the acquisition to fail, but it succeeded");
}

/** Races `promise` against `ms` of real time; rejects with "hung" when it loses. */
export function within<T>(promise: PromiseLike<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve(promise), hung]).finally(() => clearTimeout(timer));
}

/** A logger that keeps every line (message and data) it is given. */
export interface CapturingLogger extends Logger {
  readonly lines: { level: string; message: string; data: unknown }[];
}

export function capturingLogger(): CapturingLogger {
  const lines: CapturingLogger["lines"] = [];
  const at = (level: string) => (message: string, data?: unknown) =>
    void lines.push({ level, message, data });
  return { lines, error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}

/** How an L2 store misbehaves. */
export type L2Mode = "throws" | "hangs" | "returns garbage";

/** The `onCacheError` reason each mode must produce. */
export const l2Reason: Record<L2Mode, CacheErrorEvent["reason"]> = {
  throws: "threw",
  hangs: "timeout",
  "returns garbage": "invalid",
};

/** A store that fails in `mode`, counting its calls. */
export function brokenStore(mode: L2Mode): CacheAdapter & { calls: { get: number; set: number } } {
  const calls = { get: 0, set: 0 };
  const fail = (): Promise<never> =>
    Promise.reject(new Error("store unavailable: connection refused"));
  const never = (): Promise<never> => new Promise<never>(() => undefined);
  return {
    name: `broken-${mode.replace(" ", "-")}`,
    calls,
    get: (): Promise<string | undefined> => {
      calls.get++;
      if (mode === "throws") return fail();
      if (mode === "hangs") return never();
      return Promise.resolve('{"v":1,"k":"not this key","at":');
    },
    set: (): Promise<void> => {
      calls.set++;
      if (mode === "throws") return fail();
      if (mode === "hangs") return never();
      return Promise.resolve();
    },
    delete: () => Promise.resolve(),
  };
}

/** A working store on a `Map` (expiry is the core's business). */
export function mapStore(): CacheAdapter & { readonly map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    name: "map",
    map,
    get: async (key) => map.get(key),
    set: async (key, value) => void map.set(key, value),
    delete: async (key) => void map.delete(key),
  };
}

/** A token response body as Entra sends it, with `fields` overriding or (as `undefined`) removing fields. */
export function tokenBody(fields: Record<string, unknown> = {}): string {
  const body: Record<string, unknown> = {
    token_type: "Bearer",
    expires_in: 3599,
    ext_expires_in: 3599,
    access_token: fakeAccessToken,
    ...fields,
  };
  return JSON.stringify(body);
}

/** An access token in a crafted body: long and unique, so a leak of any part of it is visible. */
export const fakeAccessToken =
  "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlLW9mLWEtY3JhZnRlZC10b2tlbi16cTk4";

export const httpDate = (ms: number): string => new Date(ms).toUTCString();

// A store's error message may quote what it was given (a key, a value: a token). With PII
// logging on or off, neither the log nor `onCacheError` carries it: only the error's name and
// its code, when that is a short identifier.
import { describe, expect, it } from "vitest";
import type { CacheAdapter, CacheErrorEvent } from "../../src/index";
import { faults } from "../../src/testing/index";
import { capturingLogger, fakeAccessToken, graph, makeApp, tenantB, useEmulator } from "./helpers";

const env = useEmulator();

class ReplyError extends Error {
  override name = "ReplyError";
  constructor(
    message: string,
    readonly code: unknown,
  ) {
    super(message);
  }
}

/** A store whose every call fails, quoting the value or `secret` in its message (and odd codes). */
function quotingStore(secret: string): CacheAdapter {
  let calls = 0;
  const fail = (text: string): never => {
    calls++;
    if (calls % 3 === 0) throw `${text}`; // a thrown string
    throw new ReplyError(text, calls % 3 === 1 ? "ECONNRESET" : secret);
  };
  return {
    name: "quoting",
    get: async (key) => fail(`GET ${key} failed near ${secret}`),
    set: async (key, value) => fail(`ERR value too large: SET ${key} ${value}`),
    delete: async (key) => fail(`DEL ${key}: ${secret}`),
    setIfAbsent: async (key, value) => fail(`SET ${key} ${value} NX: ${secret}`),
  };
}

describe("store errors in logs and onCacheError", () => {
  for (const pii of [true, false]) {
    it(`hold the error's name and code, never its message (piiLoggingEnabled: ${pii})`, async () => {
      const secret = fakeAccessToken;
      const logger = capturingLogger();
      const events: CacheErrorEvent[] = [];
      const app = makeApp(env.entra, {
        logger,
        logging: { level: "verbose", piiLoggingEnabled: pii },
        cache: quotingStore(secret),
        cacheOptions: { lease: true, onCacheError: (event) => void events.push(event) },
      });
      const result = await app.acquireTokenForClient(graph);
      env.entra.injectFault(faults.throttled(60)); // a marker write too
      await app
        .acquireTokenForClient(graph, { tenantId: tenantB })
        .then(undefined, () => undefined);

      expect(events.length).toBeGreaterThanOrEqual(4);
      for (const event of events) {
        expect(event.reason).toBe("threw");
        expect([
          { name: "ReplyError", code: "ECONNRESET" },
          { name: "ReplyError" },
          { name: "string" },
        ]).toContainEqual(event.error);
      }
      const everything = JSON.stringify({ lines: logger.lines, events });
      for (const leaked of [secret, secret.slice(0, 30), result.accessToken, "GET ", "ERR value"])
        expect(everything).not.toContain(leaked);
      const warnings = logger.lines.filter((line) => /L2 cache/.test(line.message));
      expect(warnings.length).toBe(events.length);
      expect(warnings.some((line) => /ReplyError ECONNRESET/.test(line.message))).toBe(true);
    });
  }
});

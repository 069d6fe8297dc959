import { describe, expect, it } from "vitest";
import type { AuthenticationResultMetadata } from "../../src/index";
import { builder, emulator, graph, secret, tenantA, tenantB } from "./setup";

describe("logging and metrics hooks", () => {
  it("calls onAcquire after every acquisition with its metadata, and survives a throwing hook", async () => {
    const entra = await emulator();
    const seen: { meta: AuthenticationResultMetadata; tenantId: string | undefined }[] = [];
    const app = builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withOnAcquire((meta, { tenantId }) => seen.push({ meta, tenantId }))
      .build();
    await app.acquireTokenForClient(graph);
    await app.acquireTokenForClient(graph);
    await app.acquireTokenForClient(graph).withTenantId(tenantB);
    expect(seen.map((s) => [s.meta.tokenSource, s.meta.cacheLevel, s.tenantId])).toEqual([
      ["IdentityProvider", "None", tenantA],
      ["Cache", "L1Cache", tenantA],
      ["IdentityProvider", "None", tenantB],
    ]);
    expect(seen[0]?.meta.durationInHttpInMs).toBeGreaterThanOrEqual(0);
    const throwing = builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withOnAcquire(() => {
        throw new Error("metrics down");
      })
      .build();
    await expect(throwing.acquireTokenForClient(graph)).resolves.toMatchObject({
      tokenType: "Bearer",
    });
  });

  it("writes to a console-shaped logger at the chosen level, tenant ids only with PII on", async () => {
    const entra = await emulator();
    const lines: { level: string; text: string }[] = [];
    const line = (level: string) => (text: string, data?: Record<string, unknown>) =>
      lines.push({ level, text: `${text} ${JSON.stringify(data ?? {})}` });
    const logger = {
      error: line("error"),
      warn: line("warn"),
      info: line("info"),
      debug: line("debug"),
    };
    const quiet = builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withLogging(logger, { level: "warning" })
      .build();
    await quiet.acquireTokenForClient(graph);
    expect(lines).toEqual([]);
    const verbose = builder(entra.fetch)
      .withClientSecret("wrong-secret")
      .withTenantId(tenantA)
      .withLogging(logger, { level: "info" })
      .build();
    await verbose.acquireTokenForClient(graph).catch(() => undefined);
    expect(
      lines.some((line) => line.level === "info" && line.text.includes("Requesting a token")),
    ).toBe(true);
    expect(
      lines.some(
        (line) =>
          line.level === "warn" && line.text.includes("service_error (HTTP 401, AADSTS7000215)"),
      ),
    ).toBe(true);
    expect(lines.every((line) => !line.text.includes(tenantA))).toBe(true);
    lines.length = 0;
    const pii = builder(entra.fetch)
      .withClientSecret("wrong-secret")
      .withTenantId(tenantA)
      .withLogging(logger, { level: "info", piiLoggingEnabled: true })
      .build();
    await pii.acquireTokenForClient(graph).catch(() => undefined);
    expect(lines.some((line) => line.text.includes(tenantA))).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import {
  ClientError,
  ServiceError,
  type AcquisitionContext,
  type AuthenticationResultMetadata,
} from "../../src/index";
import {
  builder,
  emulator,
  expiredSecretFault,
  graph,
  rejectionOf,
  secret,
  tenantA,
  tenantB,
} from "./setup";

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

  it("tells an observer object of successes and of failures, with the error and the duration", async () => {
    const entra = await emulator();
    const successes: { meta: AuthenticationResultMetadata; context: AcquisitionContext }[] = [];
    const failures: { error: unknown; context: AcquisitionContext }[] = [];
    const app = builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withOnAcquire({
        onSuccess: (meta, context) => successes.push({ meta, context }),
        onFailure: (error, context) => failures.push({ error, context }),
      })
      .build();
    await app.acquireTokenForClient(graph);
    entra.injectFault(expiredSecretFault);
    const failed = app.acquireTokenForClient(graph).withTenantId(tenantB);
    await expect(failed).rejects.toBeInstanceOf(ServiceError);
    const caught = await rejectionOf(() => app.acquireTokenForClient(["not a scope"]));
    expect(caught).toBeInstanceOf(ClientError);
    expect(successes.map((s) => [s.meta.tokenSource, s.context.tenantId])).toEqual([
      ["IdentityProvider", tenantA],
    ]);
    expect(successes[0]?.context.scopes).toEqual(graph);
    expect(failures).toHaveLength(2);
    expect(failures[0]?.error).toBeInstanceOf(ServiceError);
    expect((failures[0]?.error as ServiceError).errorCodes).toEqual([7000222]);
    expect(failures[0]?.context).toMatchObject({ tenantId: tenantB, scopes: graph });
    expect(failures[1]?.error).toBe(caught);
    expect(failures[1]?.context).toMatchObject({ tenantId: tenantA, scopes: ["not a scope"] });
    for (const { context } of [...successes, ...failures]) {
      expect(Number.isInteger(context.durationInUs)).toBe(true);
      expect(context.durationInUs).toBeGreaterThanOrEqual(0);
    }
  });

  it("never calls a plain function for a failure, and the failure still reaches the caller", async () => {
    const entra = await emulator();
    const calls: AuthenticationResultMetadata[] = [];
    const app = builder(entra.fetch)
      .withClientSecret("wrong-secret")
      .withTenantId(tenantA)
      .withOnAcquire((meta) => calls.push(meta))
      .build();
    await expect(app.acquireTokenForClient(graph)).rejects.toMatchObject({
      code: "service_error",
      errorCodes: [7000215],
    });
    expect(calls).toEqual([]);
  });

  it("logs an observer callback that throws or rejects, and changes nothing for the caller", async () => {
    const entra = await emulator();
    const warnings: string[] = [];
    const logger = {
      error: () => undefined,
      warn: (text: string) => warnings.push(text),
      info: () => undefined,
      debug: () => undefined,
    };
    const app = builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withLogging(logger, { level: "warning" })
      .withOnAcquire({
        onSuccess: async () => {
          throw new RangeError("metrics down");
        },
        onFailure: () => {
          throw new TypeError("metrics down");
        },
      })
      .build();
    await expect(app.acquireTokenForClient(graph)).resolves.toMatchObject({ tokenType: "Bearer" });
    entra.injectFault({ status: 500, body: "oops", times: 2 });
    await expect(app.acquireTokenForClient(graph).withForceRefresh(true)).rejects.toMatchObject({
      status: 500,
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(warnings.filter((text) => text.includes("onAcquire"))).toEqual([
      expect.stringContaining("onAcquire onSuccess threw: RangeError"),
      expect.stringContaining("onAcquire onFailure threw: TypeError"),
    ]);
    expect(warnings.join("\n")).not.toContain("metrics down");
  });

  it("refuses an onAcquire that is neither a function nor an observer object", () => {
    const make = (onAcquire: unknown) => () =>
      builder(fetch)
        .withClientSecret(secret)
        .withTenantId(tenantA)
        .withOnAcquire(onAcquire as () => void)
        .build();
    for (const bad of [42, "metrics", null, {}, { onSuccess: "yes" }, { onFailure: 1 }])
      expect(make(bad)).toThrow(ClientError);
    expect(make({ onFailure: () => undefined })).not.toThrow();
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

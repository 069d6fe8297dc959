// Forced acquisitions coalesce like misses do: concurrent force refreshes (or identical claims) of
// one key share one request. Refresh ahead is clamped: a tiny refresh_in does not cause a request
// per hit.
import { describe, expect, it } from "vitest";
import { ServiceError } from "../../src/index";
import { faults } from "../../src/testing/index";
import { builder, emulator, graph, secret, tenantA, tenantB, appWithClock } from "./setup";

const claims = '{"access_token":{"xms_cc":{"values":["cp1"]}}}';

describe("coalescing of forced acquisitions", () => {
  it("sends one request for 200 concurrent force refreshes of one key", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch).withClientSecret(secret).withTenantId(tenantA).build();
    const results = await Promise.all(
      Array.from({ length: 200 }, () => app.acquireTokenForClient(graph).withForceRefresh()),
    );
    expect(entra.tokenRequests().length).toBe(1);
    expect(new Set(results.map((result) => result.accessToken)).size).toBe(1);
    expect(app.getCacheStatistics().coalescedWaits).toBe(199);
  });

  it("shares identical claims, but not different claims or other keys", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch).withClientSecret(secret).withTenantId(tenantA).build();
    await Promise.all([
      ...Array.from({ length: 20 }, () => app.acquireTokenForClient(graph).withClaims(claims)),
      app.acquireTokenForClient(graph).withClaims('{"access_token":{"nbf":{"essential":true}}}'),
      app.acquireTokenForClient(graph).withForceRefresh(),
      app.acquireTokenForClient(graph).withTenantId(tenantB).withForceRefresh(),
    ]);
    expect(entra.tokenRequests().length).toBe(4);
  });

  it("starts a new forced request once the previous one has finished", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch).withClientSecret(secret).withTenantId(tenantA).build();
    const first = await app.acquireTokenForClient(graph).withForceRefresh();
    const second = await app.acquireTokenForClient(graph).withForceRefresh();
    expect(entra.tokenRequests().length).toBe(2);
    expect(second.accessToken).not.toBe(first.accessToken);
  });
});

describe("errors of a shared request", () => {
  it("gives each joined caller its own error object with the same fields", async () => {
    const entra = await emulator();
    entra.injectFault(faults.serverError(500, { times: 10 }));
    const app = builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withRetry(false)
      .build();
    const settled = await Promise.allSettled(
      Array.from({ length: 5 }, () => app.acquireTokenForClient(graph).executeAsync()),
    );
    const errors = settled.map(
      (outcome) => (outcome as PromiseRejectedResult).reason as ServiceError,
    );
    expect(entra.tokenRequests()).toHaveLength(1);
    expect(new Set(errors).size).toBe(5);
    for (const error of errors) {
      expect(error).toBeInstanceOf(ServiceError);
      expect(error.code).toBe(errors[0]?.code);
      expect(error.status).toBe(500);
      expect(error.correlationId).toBe(errors[0]?.correlationId);
    }
  });
});

describe("refresh ahead limits", () => {
  it("does not refresh on every hit when refresh_in is tiny", async () => {
    let now = Date.UTC(2026, 0, 1);
    const entra = await emulator({ now: () => now, refreshInSeconds: 1 });
    const app = appWithClock(entra.fetch, () => now);
    const first = await app.acquireTokenForClient(graph);
    expect((first.refreshOn as Date).getTime()).toBeGreaterThanOrEqual(now + 300_000);
    for (let i = 0; i < 50; i++) {
      now += 1000;
      await app.acquireTokenForClient(graph);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(entra.tokenRequests().length).toBe(1);
  });
});

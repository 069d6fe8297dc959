// Scenario 2: round-robin hits across 100 tenants, and a hit when the application is built anew
// for every call (the Worker pattern). All 100 tokens come over loopback HTTP first.
import {
  GRAPH,
  CLIENT_ID,
  SECRET,
  tenantId,
  emit,
  timeCalls,
  serverCounts,
} from "../lib/common.mjs";
import { oursApp, oursOptions, msal, msalApp, msalConfig, msalAuthority } from "../lib/clients.mjs";

const TENANTS = 100;
const tenants = Array.from({ length: TENANTS }, (_, i) => tenantId(i));
const scopes = [GRAPH];

export async function run(options) {
  const { origin, lib } = options;
  const before = await serverCounts(origin);
  if (lib === "entra-edge") {
    const { lib: ee, app } = await oursApp(origin);
    for (const tenant of tenants) await app.acquireTokenForClient(scopes, { tenantId: tenant });
    const filled = await serverCounts(origin);
    const rr = await timeCalls(
      (i) => app.acquireTokenForClient(scopes, { tenantId: tenants[i % TENANTS] }),
      { iterations: 200_000, warmup: 20_000, batch: 500_000 },
    );
    const mid = await serverCounts(origin);
    emit({
      scenario: "round-robin-100",
      lib,
      ...rr,
      httpTokenRequests: mid.token - filled.token,
      fillRequests: filled.token - before.token,
    });
    // Worker pattern: a new application per call, built with the builder as the README's Worker does.
    const authority = oursOptions(origin).authority;
    const build = () =>
      ee.ConfidentialClientApplicationBuilder.create(CLIENT_ID)
        .withClientSecret(SECRET)
        .withAuthority(authority)
        .build();
    const check = await build().acquireTokenForClient(scopes).withTenantId(tenants[7]);
    if (check.authenticationResultMetadata.tokenSource !== "Cache")
      throw new Error("new application did not hit the shared L1");
    const worker = await timeCalls(
      (i) => build().acquireTokenForClient(scopes, { tenantId: tenants[i % TENANTS] }),
      { iterations: 100_000, warmup: 10_000, batch: 200_000 },
    );
    const after = await serverCounts(origin);
    emit({
      scenario: "worker-pattern-100",
      lib,
      ...worker,
      httpTokenRequests: after.token - mid.token,
    });
    return;
  }
  const cca = msalApp(origin);
  for (const tenant of tenants)
    await cca.acquireTokenByClientCredential({ scopes, authority: msalAuthority(tenant) });
  const filled = await serverCounts(origin);
  const rr = await timeCalls(
    (i) =>
      cca.acquireTokenByClientCredential({
        scopes,
        authority: msalAuthority(tenants[i % TENANTS]),
      }),
    { iterations: 10_000, warmup: 1_000, batch: 10_000 },
  );
  const mid = await serverCounts(origin);
  emit({
    scenario: "round-robin-100",
    lib,
    ...rr,
    httpTokenRequests: mid.token - filled.token,
    fillRequests: filled.token - before.token,
  });
  // Worker pattern: msal-node's way to share tokens between application objects is a cache
  // plugin; here it keeps the serialized cache (the 100 tokens) in memory, as a Worker would in a
  // global. Every call builds a new ConfidentialClientApplication, whose first cache access
  // deserializes the shared state.
  let shared = cca.getTokenCache().serialize();
  const cachePlugin = {
    beforeCacheAccess: async (context) => context.tokenCache.deserialize(shared),
    afterCacheAccess: async (context) => {
      if (context.cacheHasChanged) shared = context.tokenCache.serialize();
    },
  };
  const networkClient = msalConfig(origin).system.networkClient;
  const build = (tenant) =>
    new msal.ConfidentialClientApplication(
      msalConfig(origin, { cachePlugin, networkClient, tenant }),
    );
  const check = await build(tenants[7]).acquireTokenByClientCredential({ scopes });
  if (!check.fromCache)
    throw new Error("msal-node: new application with the cache plugin did not hit");
  const worker = await timeCalls(
    (i) => build(tenants[i % TENANTS]).acquireTokenByClientCredential({ scopes }),
    { iterations: 3_000, warmup: 300, batch: 3_000 },
  );
  const after = await serverCounts(origin);
  emit({
    scenario: "worker-pattern-100",
    lib,
    ...worker,
    httpTokenRequests: after.token - mid.token,
    note: "new ConfidentialClientApplication per call + in-memory cachePlugin holding the serialized 100-token cache",
  });
}

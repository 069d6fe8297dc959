// Scenario 5: 1,000 concurrent acquisitions for one (tenant, scope) on a cold cache, over
// loopback HTTP: token requests the server received, and wall time until all have a token.
import { GRAPH, tenantId, emit, serverCounts } from "../lib/common.mjs";
import { oursApp, msalApp, msalAuthority } from "../lib/clients.mjs";

export async function run(options) {
  const { origin, lib } = options;
  const callers = Number(options.callers ?? 1000);
  const tenant = tenantId(2900);
  const scopes = [GRAPH];
  // Warm the process (JIT, key import, connection) on another tenant first.
  const warmTenant = tenantId(2901);
  let acquire;
  if (lib === "entra-edge") {
    const { app } = await oursApp(origin);
    await app.acquireTokenForClient(scopes, { tenantId: warmTenant });
    acquire = () =>
      app.acquireTokenForClient(scopes, { tenantId: tenant }).then((r) => r.accessToken);
  } else {
    const cca = msalApp(origin);
    await cca.acquireTokenByClientCredential({ scopes, authority: msalAuthority(warmTenant) });
    acquire = () =>
      cca
        .acquireTokenByClientCredential({ scopes, authority: msalAuthority(tenant) })
        .then((r) => r.accessToken);
  }
  const before = await serverCounts(origin);
  const t0 = performance.now();
  const tokens = await Promise.all(Array.from({ length: callers }, acquire));
  const wallMs = performance.now() - t0;
  const after = await serverCounts(origin);
  emit({
    scenario: "stampede-1000",
    lib,
    callers,
    httpTokenRequests: after.token - before.token,
    wallMs,
    distinctTokens: new Set(tokens).size,
  });
}

// Scenario 3: heap bytes per cached entry beyond the access token string itself, after GC.
// N tokens for N tenants; the retained heap is measured with the cache alive, and the heap that
// N token strings of the same length take on their own is subtracted.
import { GRAPH, tenantId, emit, gc } from "../lib/common.mjs";
import {
  oursApp,
  cannedFetch,
  msalApp,
  msalAuthority,
  msalCacheJson,
  tokenBody,
  fakeToken,
} from "../lib/clients.mjs";

const TOKEN_LENGTH = 1386;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function heapUsed() {
  gc();
  return process.memoryUsage().heapUsed;
}

/** Heap bytes one token string takes: N strings made the way both libraries get them (JSON.parse). */
function tokenStringBytes(n) {
  const h0 = heapUsed();
  const keep = new Array(n);
  for (let i = 0; i < n; i++)
    keep[i] = JSON.parse(tokenBody(fakeToken(i, TOKEN_LENGTH))).access_token;
  const h1 = heapUsed();
  const perString = (h1 - h0 - n * 8) / n; // less the array slot
  keep.length = 0;
  return perString;
}

export async function run(options) {
  const { origin, lib } = options;
  const n = Number(options.n ?? 100_000);
  const scopes = [GRAPH];
  const stringBytes = tokenStringBytes(n);
  if (lib === "entra-edge") {
    const { app } = await oursApp(origin, {
      fetch: cannedFetch(TOKEN_LENGTH),
      memoryCache: { maxEntries: n + 16, maxBytes: 2 ** 40 },
    });
    // Warm up everything that is allocated once (modules, credential, JIT) outside the measurement.
    await app.acquireTokenForClient(scopes, { tenantId: tenantId(n + 1) });
    app.removeTokens();
    await sleep(50);
    const h0 = heapUsed();
    for (let i = 0; i < n; i += 512) {
      const batch = [];
      for (let j = i; j < Math.min(n, i + 512); j++)
        batch.push(app.acquireTokenForClient(scopes, { tenantId: tenantId(j) }));
      await Promise.all(batch);
    }
    const hFilled = heapUsed();
    // Wait 31 s, past the library's longest timer (the 30 s default acquisition deadline), so that
    // only what the cache keeps is measured; right after the fill is reported as well.
    const stats = app.getCacheStatistics();
    await sleep(31_000);
    const h1 = heapUsed();
    if (stats.l1Entries !== n) throw new Error(`L1 holds ${stats.l1Entries}`);
    const perEntry = (h1 - h0) / n;
    emit({
      scenario: "heap-per-entry",
      lib,
      n,
      tokenLength: TOKEN_LENGTH,
      tokenStringBytes: stringBytes,
      heapPerEntryBytes: perEntry,
      overheadBytes: perEntry - stringBytes,
      overheadRightAfterFillBytes: (hFilled - h0) / n - stringBytes,
      l1BytesEstimatePerEntry: stats.l1Bytes / n,
    });
    void app;
    return;
  }
  const cca = msalApp(origin);
  await cca.acquireTokenByClientCredential({ scopes, authority: msalAuthority(tenantId(0)) });
  const serialized = cca.getTokenCache().serialize();
  const entries = function* () {
    for (let i = 1; i <= n; i++) yield [tenantId(i), GRAPH];
  };
  // The JSON is built before the baseline; it is dropped after deserialize.
  // Exactly N generated entries in msal-node's own format (the real token only gave the format).
  let json = msalCacheJson(serialized, entries(), TOKEN_LENGTH, { keepExisting: false });
  const h0 = heapUsed() - json.length; // the JSON string (one byte a char) goes away after deserialize
  cca.getTokenCache().deserialize(json);
  json = undefined;
  const h1 = heapUsed();
  const count = Object.keys(JSON.parse(cca.getTokenCache().serialize()).AccessToken).length;
  // deserialize() adds to the one real token already there (present in the baseline too).
  if (count !== n + 1) throw new Error(`msal-node cache holds ${count} tokens, expected ${n + 1}`);
  const perEntry = (h1 - h0) / n;
  emit({
    scenario: "heap-per-entry",
    lib,
    n,
    tokenLength: TOKEN_LENGTH,
    tokenStringBytes: stringBytes,
    heapPerEntryBytes: perEntry,
    overheadBytes: perEntry - stringBytes,
  });
  void cca;
}

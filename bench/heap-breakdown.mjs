#!/usr/bin/env node
// Diagnostic (not part of `npm run bench`): what one L1 entry is made of. Fills N tokens for N
// tenants (canned fetch), takes a heap snapshot before and after, and prints the heap growth per
// entry by object kind. Usage: node --expose-gc bench/heap-breakdown.mjs [--n 20000]
import { getHeapSnapshot } from "node:v8";
import { buildAll } from "./build.mjs";
import { GRAPH, tenantId, args } from "./lib/common.mjs";
import { oursApp, cannedFetch } from "./lib/clients.mjs";

const n = Number(args().n ?? 20_000);
if (!process.env.ENTRA_EDGE_BENCH_BUILD) await buildAll();

async function snapshot() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  const chunks = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk);
  const snap = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const groups = new Map();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + iType]];
    let name = snap.strings[snap.nodes[i + iName]];
    const size = snap.nodes[i + iSize];
    if (type === "string" || type === "concatenated string" || type === "sliced string")
      name = size > 1000 ? "(long: token-sized)" : `(${size} B)`;
    else if (type === "number") name = "heap number";
    else if (type === "code" || type === "hidden") name = type;
    const key = `${type}: ${name}`;
    const g = groups.get(key) ?? { count: 0, size: 0 };
    g.count++;
    g.size += size;
    groups.set(key, g);
  }
  return groups;
}

const { app } = await oursApp("http://127.0.0.1:9", {
  fetch: cannedFetch(),
  memoryCache: { maxEntries: n + 16, maxBytes: 2 ** 40 },
});
await app.acquireTokenForClient([GRAPH], { tenantId: tenantId(n + 5) });
app.removeTokens();
await new Promise((r) => setTimeout(r, 100));
const before = await snapshot();
for (let i = 0; i < n; i += 256) {
  const batch = [];
  for (let j = i; j < Math.min(n, i + 256); j++)
    batch.push(app.acquireTokenForClient([GRAPH], { tenantId: tenantId(j) }));
  await Promise.all(batch);
}
await new Promise((r) => setTimeout(r, 100));
const after = await snapshot();
const rows = [];
for (const [key, g] of after) {
  const b = before.get(key) ?? { count: 0, size: 0 };
  const dSize = (g.size - b.size) / n;
  const dCount = (g.count - b.count) / n;
  if (Math.abs(dSize) >= 2) rows.push([dSize, dCount, key]);
}
rows.sort((a, b) => b[0] - a[0]);
let total = 0;
let tokens = 0;
for (const [size, count, key] of rows) {
  total += size;
  if (key.includes("token-sized")) tokens += size;
  console.log(
    `${size.toFixed(1).padStart(8)} B/entry  ${count.toFixed(2).padStart(5)} objects/entry  ${key}`,
  );
}
console.log(
  `total ${total.toFixed(0)} B/entry, of which token strings ${tokens.toFixed(0)} B, the rest ${(total - tokens).toFixed(0)} B (L1 entries: ${app.getCacheStatistics().l1Entries})`,
);

// Turns the result lines into the readable table (text and Markdown) and checks the targets
// written out under "Targets" in BENCHMARKS.md.
import { fmtUs } from "./common.mjs";

const fmtN = (n) => n.toLocaleString("en-US");
const ratio = (slow, fast) =>
  slow > 0 && fast > 0
    ? `${slow / fast >= 100 ? fmtN(Math.round(slow / fast)) : (slow / fast).toFixed(slow / fast >= 10 ? 0 : 1)}×`
    : "—";
const pct = (x) => `${x >= 0 ? "+" : ""}${x.toFixed(0)} %`;
const bytes = (b) => (b === undefined ? "—" : `${Math.round(b)} B`);

export function renderTable(results, machine) {
  const find = (scenario, lib, pred = () => true) =>
    results.find((r) => r.scenario === scenario && r.lib === lib && !r.error && pred(r));
  const rows = [];
  const section = (title) => rows.push({ section: title });
  const row = (label, ours, other, rel, note = "") => rows.push({ label, ours, other, rel, note });
  const medP99 = (r) => (r ? `${fmtUs(r.medianUs)} / ${fmtUs(r.p99Us)}` : "—");

  for (const shape of ["tenants", "scopes"]) {
    section(
      shape === "tenants"
        ? "1. Cache hit, one token for each of N tenants — median / p99 per call"
        : "1. Cache hit, N scopes (resources) in one tenant — median / p99 per call",
    );
    const ns = [
      ...new Set(results.filter((r) => r.scenario === `hit-${shape}`).map((r) => r.n)),
    ].sort((a, b) => a - b);
    for (const n of ns) {
      const o = find(`hit-${shape}`, "entra-edge", (r) => r.n === n);
      const m = find(`hit-${shape}`, "msal-node", (r) => r.n === n);
      const processes = (r) =>
        r.repetitionMediansUs
          ? `best of ${r.repetitionMediansUs.length} processes (${r.repetitionMediansUs.map(fmtUs).join(", ")}), `
          : "";
      const note = [
        o ? `ours: ${processes(o)}mean ${fmtUs(o.batchMeanUs)} over 1M back-to-back calls` : "",
        m
          ? `msal-node: ${processes(m)}${m.capped ? `${m.iterations} calls` : ""}`
              .replace(/, $/, "")
              .replace(/^msal-node: $/, "")
          : "msal-node: not run at this size",
      ]
        .filter(Boolean)
        .join("; ");
      row(
        `N = ${fmtN(n)}`,
        medP99(o),
        medP99(m),
        o && m ? ratio(m.medianUs, o.medianUs) : "—",
        note,
      );
    }
  }
  section("2. Hits across tenants");
  {
    const o = find("round-robin-100", "entra-edge");
    const m = find("round-robin-100", "msal-node");
    row(
      "round-robin over 100 tenants",
      medP99(o),
      medP99(m),
      o && m ? ratio(m.medianUs, o.medianUs) : "—",
    );
    const ow = find("worker-pattern-100", "entra-edge");
    const mw = find("worker-pattern-100", "msal-node");
    row(
      "new application per call (Worker pattern), 100 tenants",
      medP99(ow),
      medP99(mw),
      ow && mw ? ratio(mw.medianUs, ow.medianUs) : "—",
      "msal-node: new app + in-memory cachePlugin (its way to share a cache); 0 HTTP requests for both",
    );
  }
  section("3. Heap per cached token beyond the token string (after GC)");
  {
    const o = find("heap-per-entry", "entra-edge");
    const m = find("heap-per-entry", "msal-node");
    row(
      `N = ${fmtN(o?.n ?? m?.n ?? 0)} tenants, ${o?.tokenLength ?? m?.tokenLength}-char tokens`,
      bytes(o?.overheadBytes),
      bytes(m?.overheadBytes),
      o && m ? ratio(m.overheadBytes, o.overheadBytes) : "—",
      o
        ? `token string ${bytes(o.tokenStringBytes)} subtracted; msal-node filled by deserialize()`
        : "",
    );
  }
  section("4. Cold path (token request per call) — median wall / CPU per call");
  const rsa = find("rsa-sign-2048", "webcrypto");
  for (const network of ["loopback", "no-network"]) {
    for (const credential of ["secret", "certificate"]) {
      for (const mode of ["new-tenant", "repeat"]) {
        const name = `cold-${network}-${credential}-${mode}`;
        const o = find(name, "entra-edge");
        const m = find(name, "msal-node");
        const cell = (r) => (r ? `${fmtUs(r.medianUs)} / ${fmtUs(r.cpuPerCallUs)}` : "—");
        const label = `${network === "loopback" ? "loopback HTTP" : "no network (canned response)"}, ${credential}, ${mode === "new-tenant" ? "new tenant each call" : "same tenant, forced refresh"}`;
        let note =
          network === "loopback"
            ? "CPU = this process only (server is another process)"
            : "CPU = process CPU (all threads) per call";
        if (credential === "certificate" && network === "no-network" && o && rsa)
          note += `; ours = ${(o.cpuPerCallUs / rsa.cpuPerCallUs).toFixed(2)}× one RSA-PSS signature`;
        row(label, cell(o), cell(m), o && m ? ratio(m.cpuPerCallUs, o.cpuPerCallUs) : "—", note);
      }
    }
  }
  if (rsa)
    row(
      "one RSA-2048 signature (crypto.subtle, PS256), for reference",
      `${fmtUs(rsa.medianUs)} / ${fmtUs(rsa.cpuPerCallUs)}`,
      `RS256 node:crypto ${fmtUs(rsa.nodeRs256MedianUs)}`,
      "—",
    );
  section("5. Stampede: 1,000 concurrent acquisitions, cold cache — token requests / wall time");
  {
    const o = find("stampede-1000", "entra-edge");
    const m = find("stampede-1000", "msal-node");
    const cell = (r) => (r ? `${fmtN(r.httpTokenRequests)} req / ${fmtUs(r.wallMs * 1000)}` : "—");
    row("1,000 callers, one tenant", cell(o), cell(m), o && m ? ratio(m.wallMs, o.wallMs) : "—");
  }
  section(
    "6. L2 hit (L1 empty) vs a bare get of the same key — median (mean in workerd); second column is the bare get",
  );
  for (const [name, label] of [
    ["l2-hit-redis", "Redis (real redis-server, ioredis), from Node"],
    ["l2-hit-workers-kv", "Workers KV (miniflare binding), from Node"],
    ["l2-hit-workers-kv-in-workerd", "Workers KV inside workerd"],
  ]) {
    const o = find(name, "entra-edge");
    if (!o) continue;
    const oursCell = fmtUs(o.medianUs ?? o.meanUs);
    const bare = fmtUs(o.bareGetMedianUs ?? o.bareGetMeanUs);
    row(
      label,
      oursCell,
      `bare get ${bare}`,
      `${pct(o.overheadPct)} overhead`,
      `+${fmtUs(o.overheadUs)} per hit`,
    );
  }
  section("7. workerd: CPU per Worker request that acquires a cached token");
  {
    const o = find("workerd-cached-token-cpu", "entra-edge");
    if (o) {
      row(
        "request: build app + acquire (L1 hit)",
        fmtUs(o.cpuPerRequestUs),
        `no-op request ${fmtUs(o.noopCpuPerRequestUs)}`,
        "—",
        "workerd process CPU per request, includes miniflare's HTTP hop",
      );
      row(
        "CPU of build + acquire alone",
        fmtUs(o.acquireCpuUs),
        "msal-node: does not run in workerd",
        "—",
        `singleton app: ${fmtUs(o.singletonAcquireCpuUs)} per acquisition`,
      );
    }
  }

  section(
    "8. Isolates: 3 Workers × 30 concurrent cold requests over 10 tenants (token endpoint +200 ms) — token requests / wall time per wave",
  );
  {
    const wave = (r) =>
      r ? `${r.httpTokenRequests.join(", ")} req / ${fmtUs(r.medianWallMs * 1000)}` : "—";
    const waiter = (r) =>
      r?.waiterMedianMs !== undefined
        ? `median ${r.waiterMedianMs} ms (p90 ${r.waiterP90Ms} ms, n = ${r.waiterSamples})`
        : "—";
    const joined = (r) =>
      r?.joinedMedianMs !== undefined
        ? `median ${r.joinedMedianMs} ms (p90 ${r.joinedP90Ms} ms, n = ${r.joinedSamples})`
        : "—";
    const kv = find("isolates-kv", "entra-edge");
    const dob = find("isolates-do", "entra-edge");
    const poll = find("isolates-do-poll", "entra-edge");
    const second = (r) =>
      r ? `second wave (empty L1): ${r.secondWaveTokenRequests.join(", ")} token requests` : "";
    row("Durable Object, lease on", wave(dob), `Workers KV ${wave(kv)}`, "—", second(dob));
    row("Durable Object, lease on, polling (no waitForValue)", wave(poll), "", "—", second(poll));
    row(
      "latency a waiting isolate adds after the token lands",
      waiter(dob),
      `polling ${waiter(poll)}`,
      "—",
      "workerd clock: waiter's end − holder's write resolved",
    );
    row(
      "… its other requests for the tenant (joined the wait in-process)",
      joined(dob),
      `polling ${joined(poll)}`,
      "—",
      "one lease wait per isolate and tenant; the rest share it",
    );
    const hit = find("l2-hit-durable-object-in-workerd", "entra-edge");
    if (hit) {
      row(
        "Durable Object hit (L1 empty) vs a bare stub.get, same object — median",
        fmtUs(hit.medianUs),
        `bare stub call ${fmtUs(hit.bareGetMedianUs)}`,
        `${pct(hit.overheadPct)} overhead`,
        `+${fmtUs(hit.overheadUs)} per hit`,
      );
      row(
        "… the adapter's get alone (durableObjectCache(ns).get)",
        fmtUs(hit.adapterGetMedianUs),
        `bare stub call ${fmtUs(hit.bareGetMedianUs)}`,
        `${pct(hit.adapterOverheadPct)} overhead`,
      );
      row(
        "… the hit vs stub.get on a minimal class (storage.get)",
        fmtUs(hit.medianUs),
        `minimal class ${fmtUs(hit.minimalGetMedianUs)}`,
        `${pct(hit.overMinimalPct)} overhead`,
      );
    }
  }

  // The targets (BENCHMARKS.md, "Targets"): what is measured and the bound it must meet.
  const targets = [];
  const target = (name, measured, met, detail = "") =>
    targets.push({ name, measured, met, detail });
  const hit = (n) => find("hit-tenants", "entra-edge", (r) => r.n === n);
  const h100k = hit(100_000);
  target(
    "cache hit median < 1 µs at 100,000 tenants (Node)",
    h100k ? fmtUs(h100k.medianUs) : "—",
    h100k ? h100k.medianUs < 1 : undefined,
  );
  const hits = results
    .filter((r) => r.scenario === "hit-tenants" && r.lib === "entra-edge" && !r.error)
    .sort((a, b) => a.n - b.n);
  if (hits.length > 1) {
    // O(1): no size's median more than 1.5× the median with one token cached.
    const base = hits[0].medianUs;
    const worst = Math.max(...hits.map((r) => r.medianUs / base));
    const maxN = hits[hits.length - 1].n;
    target(
      `hit flat from 1 to ${fmtN(maxN)} tenants (every median ≤ 1.5× the N = 1 median)`,
      hits.map((r) => `${fmtN(r.n)}: ${fmtUs(r.medianUs)}`).join(", "),
      worst <= 1.5,
      maxN < 1_000_000 ? "1,000,000 needs --big" : "",
    );
  }
  const o10k = hit(10_000);
  const m10k = find("hit-tenants", "msal-node", (r) => r.n === 10_000);
  target(
    "at 10,000 tenants ≥ 10,000× faster than msal-node (median)",
    o10k && m10k
      ? `${ratio(m10k.medianUs, o10k.medianUs)} (${fmtUs(m10k.medianUs)} vs ${fmtUs(o10k.medianUs)})`
      : "—",
    o10k && m10k ? m10k.medianUs / o10k.medianUs >= 10_000 : undefined,
  );
  const heap = find("heap-per-entry", "entra-edge");
  const heapM = find("heap-per-entry", "msal-node");
  target(
    "heap per entry beyond the token < 300 B",
    heap ? `${heap.overheadBytes.toFixed(1)} B (msal-node ${bytes(heapM?.overheadBytes)})` : "—",
    heap ? heap.overheadBytes < 300 : undefined,
  );
  const st = find("stampede-1000", "entra-edge");
  target(
    "stampede of 1,000 makes 1 request",
    st
      ? `${st.httpTokenRequests} (msal-node ${find("stampede-1000", "msal-node")?.httpTokenRequests ?? "—"})`
      : "—",
    st ? st.httpTokenRequests === 1 : undefined,
  );
  const cs = find("cold-no-network-secret-new-tenant", "entra-edge");
  target(
    "cold-path CPU beyond the round trip < 0.3 ms (secret)",
    cs ? `${fmtUs(cs.cpuPerCallUs)} CPU/call (median wall ${fmtUs(cs.medianUs)})` : "—",
    cs ? cs.cpuPerCallUs < 300 : undefined,
    "no-network setting, a miss for a new tenant, process CPU",
  );
  const cr = find("cold-no-network-certificate-repeat", "entra-edge");
  const cn = find("cold-no-network-certificate-new-tenant", "entra-edge");
  if (rsa && cr)
    target(
      "cold-path CPU (certificate, assertion reused) ≤ 1.2× one RSA signature",
      `${(cr.cpuPerCallUs / rsa.cpuPerCallUs).toFixed(2)}× (${fmtUs(cr.cpuPerCallUs)} vs ${fmtUs(rsa.cpuPerCallUs)})`,
      cr.cpuPerCallUs <= 1.2 * rsa.cpuPerCallUs,
    );
  if (rsa && cn)
    target(
      "cold-path CPU (certificate, new tenant: signs) ≤ 1.2× one RSA signature",
      `${(cn.cpuPerCallUs / rsa.cpuPerCallUs).toFixed(2)}× (${fmtUs(cn.cpuPerCallUs)} vs ${fmtUs(rsa.cpuPerCallUs)})`,
      cn.cpuPerCallUs <= 1.2 * rsa.cpuPerCallUs,
    );
  for (const [name, label] of [
    ["l2-hit-redis", "L2 overhead over a bare get < 10 % (Redis)"],
    ["l2-hit-workers-kv-in-workerd", "L2 overhead over a bare get < 10 % (Workers KV in workerd)"],
    [
      "l2-hit-workers-kv",
      "L2 overhead over a bare get < 10 % (Workers KV via miniflare from Node)",
    ],
  ]) {
    const o = find(name, "entra-edge");
    if (o) target(label, `${pct(o.overheadPct)} (+${fmtUs(o.overheadUs)})`, o.overheadPct < 10);
  }

  const isoDo = find("isolates-do", "entra-edge");
  const isoKv = find("isolates-kv", "entra-edge");
  const isoPoll = find("isolates-do-poll", "entra-edge");
  if (isoDo) {
    target(
      "3 isolates × 30 cold requests over 10 tenants make 10 token requests (Durable Object, lease)",
      `${isoDo.httpTokenRequests.join(", ")} per wave (Workers KV ${isoKv?.httpTokenRequests.join(", ") ?? "—"})`,
      isoDo.httpTokenRequests.every((n) => n === isoDo.tenants),
    );
    target(
      "second wave (empty L1) makes 0 token requests (Durable Object)",
      isoDo.secondWaveTokenRequests.join(", "),
      isoDo.secondWaveTokenRequests.every((n) => n === 0),
    );
    target(
      "a waiting isolate adds < 10 ms after the token lands (median, waitForValue)",
      `${isoDo.waiterMedianMs} ms (polling ${isoPoll?.waiterMedianMs ?? "—"} ms; its joined requests ${isoDo.joinedMedianMs} ms)`,
      isoDo.waiterMedianMs < 10,
    );
  }
  const doHit = find("l2-hit-durable-object-in-workerd", "entra-edge");
  if (doHit) {
    target(
      "Durable Object hit overhead over a bare stub call < 10 %",
      `${pct(doHit.overheadPct)} (+${fmtUs(doHit.overheadUs)})`,
      doHit.overheadPct < 10,
    );
    target(
      "Durable Object adapter's get over a bare stub call < 10 %",
      pct(doHit.adapterOverheadPct),
      doHit.adapterOverheadPct < 10,
    );
  }

  const errors = results.filter((r) => r.error);
  // Text.
  const w = [62, 22, 24, 14];
  const line = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(w[i] ?? 0))
      .join("  ")
      .trimEnd();
  const textRows = [line(["scenario", "entra-edge", "msal-node / baseline", "ratio"])];
  // Drop sections with nothing measured (e.g. with --only).
  const kept = rows.filter((r, i) => {
    if (!r.section) return r.ours !== "—" || r.other !== "—";
    for (let j = i + 1; j < rows.length && !rows[j].section; j++)
      if (rows[j].ours !== "—" || rows[j].other !== "—") return true;
    return false;
  });
  rows.length = 0;
  rows.push(...kept);
  for (const r of rows) {
    if (r.section) textRows.push("", r.section);
    else
      textRows.push(
        line([`  ${r.label}`, r.ours, r.other, r.rel]) + (r.note ? `   (${r.note})` : ""),
      );
  }
  textRows.push("", "Targets");
  for (const t of targets)
    textRows.push(
      `  [${t.met === undefined ? "n/a" : t.met ? "met" : "MISS"}] ${t.name}: ${t.measured}${t.detail ? `  (${t.detail})` : ""}`,
    );
  for (const e of errors)
    textRows.push(`  ERROR ${e.scenario} ${e.lib}: ${String(e.error).split("\n")[0]}`);
  // Markdown.
  const md = [];
  for (const r of rows) {
    if (r.section)
      md.push(
        "",
        `**${r.section}**`,
        "",
        "| | entra-edge | msal-node / baseline | msal-node ÷ entra-edge | notes |",
        "| --- | --- | --- | --- | --- |",
      );
    else md.push(`| ${r.label} | ${r.ours} | ${r.other} | ${r.rel} | ${r.note} |`);
  }
  md.push("", "**Targets**", "", "| target | measured | met |", "| --- | --- | --- |");
  for (const t of targets)
    md.push(
      `| ${t.name} | ${t.measured}${t.detail ? ` (${t.detail})` : ""} | ${t.met === undefined ? "n/a" : t.met ? "yes" : "**no**"} |`,
    );
  for (const e of errors)
    md.push(`| error: ${e.scenario} ${e.lib} | ${String(e.error).split("\n")[0]} | |`);
  const v = machine.versions ?? {};
  const head = [
    "| machine | |",
    "| --- | --- |",
    `| CPU | ${machine.cpu} × ${machine.cores} (nproc ${machine.cores}), ${machine.memoryGiB} GiB RAM |`,
    `| runtime | Node ${machine.node} (${machine.platform}); workerd ${v.workerd} via miniflare ${v.miniflare} |`,
    `| libraries | entra-edge ${v["entra-edge"]} (working tree at ${machine.commit}${machine.uncommittedSourceFiles ? `, ${machine.uncommittedSourceFiles} uncommitted src/adapters files` : ""}); @azure/msal-node ${v["@azure/msal-node"]} (msal-common ${v["@azure/msal-common"]}); ioredis ${v.ioredis}; redis-server ${machine.redisServer ?? "?"} |`,
    `| run | ${machine.date}, ${machine.durationS} s, flags ${JSON.stringify(machine.flags)}, load average ${machine.loadAverage1m?.start} at start, ${machine.loadAverage1m?.end} at end |`,
  ];
  return { text: textRows.join("\n"), markdown: [...head, ...md].join("\n"), targets };
}

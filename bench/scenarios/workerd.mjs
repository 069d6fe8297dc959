// Scenario 7 (and 6 in workerd): the bench Worker in workerd through miniflare.
// CPU per request is read from the workerd process itself (/proc/<pid>/task/*/schedstat, ns of
// CPU of every thread), over many sequential requests, for /token (acquire a cached token, the
// application built per request) and for /noop (the same request doing nothing).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CLIENT_ID, SECRET, tenantId, emit, buildDir, serverCounts } from "../lib/common.mjs";

function workerdPids() {
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      if (ppid === process.pid && comm.startsWith("workerd")) pids.push(Number(entry));
    } catch {
      // the process went away
    }
  }
  return pids;
}

function cpuNs(pid) {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // thread exited
    }
  }
  return total;
}

export async function run(options) {
  const { origin } = options;
  const requests = Number(options.requests ?? 4000);
  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(buildDir, "worker.mjs"),
    compatibilityDate: "2026-04-26",
    compatibilityFlags: ["nodejs_compat"],
    kvNamespaces: ["TOKENS"],
    bindings: { CLIENT_ID, CLIENT_SECRET: SECRET, AUTHORITY: `${origin}/${tenantId(0)}` },
  });
  try {
    await mf.ready;
    const pids = workerdPids();
    if (pids.length !== 1)
      throw new Error(`expected one workerd child process, found ${pids.length}`);
    const [pid] = pids;
    const tenant = tenantId(2960);
    const first = await (await mf.dispatchFetch(`http://bench/token?tenant=${tenant}`)).text();
    if (first !== "IdentityProvider") throw new Error(`first /token: ${first}`);
    const measure = async (path, count) => {
      for (let i = 0; i < 100; i++) await (await mf.dispatchFetch(`http://bench${path}`)).text();
      const c0 = cpuNs(pid);
      const t0 = performance.now();
      let last;
      for (let i = 0; i < count; i++)
        last = await (await mf.dispatchFetch(`http://bench${path}`)).text();
      if (path !== "/noop" && last !== "Cache")
        throw new Error(`${path} was not a cache hit: ${last}`);
      return {
        cpuUs: (cpuNs(pid) - c0) / 1000 / count,
        wallUs: ((performance.now() - t0) * 1000) / count,
      };
    };
    const K = 100;
    const before = await serverCounts(origin);
    const acc = { noop: [], token: [], tokenK: [], singletonK: [] };
    // Rounds alternate the four kinds of request so that drift hits all of them alike.
    for (let round = 0; round < 4; round++) {
      acc.noop.push(await measure("/noop", requests / 4));
      acc.token.push(await measure(`/token?tenant=${tenant}`, requests / 4));
      acc.tokenK.push(await measure(`/token?tenant=${tenant}&k=${K}`, requests / 40));
      acc.singletonK.push(await measure(`/token-singleton?tenant=${tenant}&k=${K}`, requests / 40));
    }
    const after = await serverCounts(origin);
    const mean = (list, field) => list.reduce((sum, x) => sum + x[field], 0) / list.length;
    const noop = mean(acc.noop, "cpuUs");
    emit({
      scenario: "workerd-cached-token-cpu",
      lib: "entra-edge",
      requests,
      cpuPerRequestUs: mean(acc.token, "cpuUs"),
      noopCpuPerRequestUs: noop,
      acquireCpuUs: (mean(acc.tokenK, "cpuUs") - noop) / K,
      singletonAcquireCpuUs: (mean(acc.singletonK, "cpuUs") - noop) / K,
      wallPerRequestUs: mean(acc.token, "wallUs"),
      noopWallPerRequestUs: mean(acc.noop, "wallUs"),
      httpTokenRequests: after.token - before.token,
      note: "CPU of the workerd process (all threads) per request; acquireCpuUs = (CPU of a request doing build+acquire 100 times - a no-op request) / 100",
    });

    // Scenario 6 in workerd: KV get vs an L2 hit, inside one Worker request.
    const l2tenant = tenantId(2961);
    const body = await (
      await mf.dispatchFetch(
        `http://bench/l2bench?tenant=${l2tenant}&n=${Number(options.kvIterations ?? 2000)}`,
      )
    ).text();
    let r;
    try {
      r = JSON.parse(body);
    } catch {
      throw new Error(`/l2bench: ${body}`);
    }
    if (r.levels.length !== 1 || r.levels[0] !== "L2Cache")
      throw new Error(`/l2bench: not L2 hits: ${r.levels}`);
    if (options.diag)
      console.error(
        await (
          await mf.dispatchFetch(
            `http://bench/l2diag?n=400&tenant=${l2tenant}&key=${encodeURIComponent(r.key)}`,
          )
        ).text(),
      );
    emit({
      scenario: "l2-hit-workers-kv-in-workerd",
      lib: "entra-edge",
      iterations: r.n,
      meanUs: r.oursMeanUs,
      bareGetMeanUs: r.bareMeanUs,
      overheadUs: r.oursMeanUs - r.bareMeanUs,
      overheadPct: ((r.oursMeanUs - r.bareMeanUs) / r.bareMeanUs) * 100,
    });
  } finally {
    await mf.dispose();
  }
}

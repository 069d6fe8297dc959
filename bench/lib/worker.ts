// The Worker of the workerd scenarios (bundled by bench/build.mjs with the current src/).
//   /noop               a Response and nothing else: the baseline of a Worker request
//   /token?tenant=T     the README's Worker pattern: build the application inside fetch (secret,
//                       Workers KV as L2, waitUntil) and acquire a token; after the first request
//                       it is an L1 hit
//   /token-singleton    the same acquisition on an application built once per isolate
//   /l2bench?n=N        inside one request, after a warm-up: N bare KV gets of the stored token's
//                       key and N acquisitions that miss L1 and hit KV, in alternating blocks (ABBA);
//                       mean per call of each (workerd's clock advances on I/O, and every call here
//                       does I/O)
import { ConfidentialClientApplicationBuilder } from "../../src/index";
import { workersKvCache, type KvNamespaceLike } from "../../adapters/workers-kv";

interface Env {
  TOKENS: KvNamespaceLike & {
    list(options: { prefix: string }): Promise<{ keys: { name: string }[] }>;
  };
  CLIENT_ID: string;
  CLIENT_SECRET: string;
  AUTHORITY: string;
}
interface Ctx {
  waitUntil(promise: Promise<unknown>): void;
}
const scopes = ["https://graph.microsoft.com/.default"];
let singleton: ReturnType<typeof build> | undefined;

function build(env: Env, shared = true) {
  return ConfidentialClientApplicationBuilder.create(env.CLIENT_ID)
    .withClientSecret(env.CLIENT_SECRET)
    .withAuthority(env.AUTHORITY)
    .withCache(workersKvCache(env.TOKENS))
    .withMemoryCache({ shared })
    .build();
}

export default {
  async fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/noop") return new Response("ok");
    if (url.pathname === "/token") {
      // ?k=K repeats build + acquire K times in the request, to read the per-acquisition CPU.
      const k = Number(url.searchParams.get("k") ?? "1");
      let result;
      for (let i = 0; i < k; i++) {
        result = await build(env)
          .acquireTokenForClient(scopes)
          .withTenantId(url.searchParams.get("tenant") as string)
          .withWaitUntil(ctx.waitUntil.bind(ctx));
      }
      return new Response(result?.authenticationResultMetadata.tokenSource);
    }
    if (url.pathname === "/l2diag") {
      // Stage timings of an L2 read, n of each, ms in total (workerd's clock moves on I/O only).
      const n = Number(url.searchParams.get("n") ?? "200");
      const key = url.searchParams.get("key") as string;
      const out: Record<string, number> = {};
      const adapter = workersKvCache(env.TOKENS);
      let t0 = Date.now();
      for (let i = 0; i < n; i++) await env.TOKENS.get(key, { type: "text" });
      out.bareGet = Date.now() - t0;
      t0 = Date.now();
      for (let i = 0; i < n; i++) await adapter.get(key.slice("entra-edge:".length));
      out.adapterGet = Date.now() - t0;
      t0 = Date.now();
      for (let i = 0; i < n; i++)
        await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
      out.digest = Date.now() - t0;
      t0 = Date.now();
      for (let i = 0; i < n; i++) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise((resolve) => (timer = setTimeout(resolve, 1000)));
        await Promise.race([env.TOKENS.get(key, { type: "text" }), timeout]);
        clearTimeout(timer);
      }
      out.getWithTimeoutRace = Date.now() - t0;
      const counts = { get: 0, put: 0, delete: 0 };
      const counted = {
        get: (k: string, o: unknown) => (
          counts.get++,
          (env.TOKENS.get as (k: string, o: unknown) => Promise<string | null>)(k, o)
        ),
        put: (k: string, v: string, o: unknown) => (
          counts.put++,
          (env.TOKENS.put as (k: string, v: string, o: unknown) => Promise<void>)(k, v, o)
        ),
        delete: (k: string) => (counts.delete++, env.TOKENS.delete(k)),
      };
      const app = ConfidentialClientApplicationBuilder.create(env.CLIENT_ID)
        .withClientSecret(env.CLIENT_SECRET)
        .withAuthority(env.AUTHORITY)
        .withCache(workersKvCache(counted as unknown as KvNamespaceLike))
        .withMemoryCache({ shared: false })
        .build();
      const tenant = url.searchParams.get("tenant") as string;
      t0 = Date.now();
      for (let i = 0; i < n; i++) {
        app.removeTokens();
        await app.acquireTokenForClient(scopes, { tenantId: tenant });
      }
      out.oursL2Hit = Date.now() - t0;
      Object.assign(out, counts);
      return Response.json(out);
    }
    if (url.pathname === "/token-singleton") {
      singleton ??= build(env);
      const k = Number(url.searchParams.get("k") ?? "1");
      let result;
      for (let i = 0; i < k; i++)
        result = await singleton.acquireTokenForClient(scopes, {
          tenantId: url.searchParams.get("tenant") as string,
        });
      return new Response(result?.authenticationResultMetadata.tokenSource);
    }
    if (url.pathname === "/l2bench") {
      const n = Number(url.searchParams.get("n") ?? "200");
      const tenant = url.searchParams.get("tenant") as string;
      const app = build(env, false);
      const known = new Set((await env.TOKENS.list({ prefix: "" })).keys.map((k) => k.name));
      const first = await app.acquireTokenForClient(scopes, { tenantId: tenant });
      const keys = (await env.TOKENS.list({ prefix: "" })).keys.filter((k) => !known.has(k.name));
      if (keys.length !== 1)
        return new Response(`expected one new key, got ${keys.length}`, { status: 500 });
      const key = (keys[0] as { name: string }).name;
      const levels = new Set<string>();
      const rounds: { bareMs: number; oursMs: number }[] = [];
      const block = n / 20;
      const bareBlock = async (): Promise<number> => {
        const t0 = Date.now();
        for (let i = 0; i < block; i++) await env.TOKENS.get(key, { type: "text" });
        return Date.now() - t0;
      };
      const oursBlock = async (): Promise<number> => {
        const t0 = Date.now();
        for (let i = 0; i < block; i++) {
          app.removeTokens();
          const r = await app.acquireTokenForClient(scopes, { tenantId: tenant });
          levels.add(r.authenticationResultMetadata.cacheLevel);
        }
        return Date.now() - t0;
      };
      // Warm up both (JIT), as the Node scenarios do, then alternate blocks in ABBA order.
      for (let i = 0; i < 4; i++) (await bareBlock(), await oursBlock());
      for (let round = 0; round < 20; round++) {
        if (round % 2 === 0) {
          const bareMs = await bareBlock();
          rounds.push({ bareMs, oursMs: await oursBlock() });
        } else {
          const oursMs = await oursBlock();
          rounds.push({ bareMs: await bareBlock(), oursMs });
        }
      }
      const bare = rounds.reduce((s, r) => s + r.bareMs, 0);
      const ours = rounds.reduce((s, r) => s + r.oursMs, 0);
      return Response.json({
        key,
        n,
        firstSource: first.authenticationResultMetadata.tokenSource,
        levels: [...levels],
        bareMeanUs: (bare * 1000) / n,
        oursMeanUs: (ours * 1000) / n,
        rounds,
      });
    }
    return new Response("not found", { status: 404 });
  },
};

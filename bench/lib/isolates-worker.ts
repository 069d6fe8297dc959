// The Worker of the "isolates" scenario (bundled by bench/build.mjs with the current src/ and
// adapters/; `cloudflare:workers` left to workerd). Several copies run as separate Workers
// (isolates) in one miniflare, bound to one SQLite-backed Durable Object namespace and one KV
// namespace; tokens come from the bench's loopback token server.
//   /acquire?tenant=T&store=S[&fresh=1]  one acquisition, the application built per request as
//                       in the README's Worker pattern. S: "kv" (Workers KV, no lease), "do"
//                       (durableObjectCache, lease on), "do-poll" (the same adapter without
//                       waitForValue: lease waiters read the store every 50 ms). fresh=1: an
//                       L1 of its own (empty), so the token must come from L2 or Entra.
//                       Answers { source, level, started, settled } (workerd's Date.now()).
//   /landed             { tenant: Date.now() when this isolate's write of its token to the store
//                       resolved } for the tokens this isolate fetched and wrote.
//   /hitbench?tenant=T&n=N  inside one request: N acquisitions that miss L1 and hit the Durable
//                       Object, against N bare stub.get() calls of the same key on the same
//                       object, in alternating blocks (ABBA); mean per call of each.
import { ConfidentialClientApplicationBuilder } from "../../src/index";
import { workersKvCache, type KvNamespaceLike } from "../../adapters/workers-kv";
import {
  TokenCacheDurableObject,
  durableObjectCache,
  type DurableObjectNamespaceLike,
} from "../../adapters/durable-object";
import type { CacheAdapter } from "../../src/cache/cache-adapter";

export { TokenCacheDurableObject };

interface Env {
  TOKEN_CACHE: DurableObjectNamespaceLike;
  TOKENS: KvNamespaceLike;
  CLIENT_ID: string;
  CLIENT_SECRET: string;
  AUTHORITY: string;
}
interface Ctx {
  waitUntil(promise: Promise<unknown>): void;
}
const scopes = ["https://graph.microsoft.com/.default"];
const landed = new Map<string, number>();
const adapters = new Map<string, CacheAdapter>();

/**
 * The store adapter of `store`, wrapped to note when this isolate's token write for `tenant`
 * resolved; one per (store, tenant), kept, so that requests of a tenant in an isolate share L1.
 */
function adapterFor(env: Env, store: string, tenant: string): CacheAdapter {
  const name = `${store}|${tenant}`;
  let adapter = adapters.get(name);
  if (adapter !== undefined) return adapter;
  const inner =
    store === "kv"
      ? workersKvCache(env.TOKENS, { prefix: "bench-kv:" })
      : durableObjectCache(env.TOKEN_CACHE, { prefix: `bench-${store}:` });
  const wrapped: CacheAdapter = {
    ...inner,
    async set(key, value, ttlSeconds) {
      await inner.set(key, value, ttlSeconds);
      if (!landed.has(tenant)) landed.set(tenant, Date.now());
    },
  };
  // The polling comparison: the same Durable Object adapter, without the wake-up.
  if (store === "do-poll") delete (wrapped as { waitForValue?: unknown }).waitForValue;
  adapter = wrapped;
  adapters.set(name, adapter);
  return adapter;
}

function build(env: Env, adapter: CacheAdapter, lease: boolean, shared: boolean) {
  return ConfidentialClientApplicationBuilder.create(env.CLIENT_ID)
    .withClientSecret(env.CLIENT_SECRET)
    .withAuthority(env.AUTHORITY)
    .withCache(adapter, lease ? { lease: true } : undefined)
    .withMemoryCache({ shared })
    .build();
}

/** 32-bit FNV-1a, as adapters/durable-object.ts spreads keys over shards. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export default {
  async fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> {
    const url = new URL(request.url);
    const tenant = url.searchParams.get("tenant") as string;
    if (url.pathname === "/acquire") {
      const store = url.searchParams.get("store") as string;
      const app = build(
        env,
        adapterFor(env, store, tenant),
        store !== "kv",
        url.searchParams.get("fresh") !== "1",
      );
      const started = Date.now();
      const result = await app
        .acquireTokenForClient(scopes)
        .withTenantId(tenant)
        .withWaitUntil(ctx.waitUntil.bind(ctx));
      const meta = result.authenticationResultMetadata;
      return Response.json({
        source: meta.tokenSource,
        level: meta.cacheLevel,
        started,
        settled: Date.now(),
      });
    }
    if (url.pathname === "/landed") return Response.json(Object.fromEntries(landed));
    if (url.pathname === "/hitbench") {
      const n = Number(url.searchParams.get("n") ?? "2000");
      const prefix = "bench-hit:";
      let storeKey: string | undefined;
      const inner = durableObjectCache(env.TOKEN_CACHE, { prefix });
      const noting: CacheAdapter = {
        ...inner,
        async set(key, value, ttlSeconds) {
          storeKey ??= prefix + key;
          await inner.set(key, value, ttlSeconds);
        },
      };
      const first = await build(env, noting, true, false).acquireTokenForClient(scopes, {
        tenantId: tenant,
      });
      if (storeKey === undefined) return new Response("no token write seen", { status: 500 });
      const key = storeKey;
      const ns = env.TOKEN_CACHE;
      const shardId = ns.idFromName(`entra-edge-shard-${fnv1a(key) % 16}`);
      const app = build(env, inner, true, false);
      const levels = new Set<string>();
      const block = n / 20;
      const bareBlock = async (): Promise<number> => {
        const t0 = Date.now();
        for (let i = 0; i < block; i++) {
          const stub = ns.get(shardId) as { get(key: string): Promise<string | undefined> };
          if ((await stub.get(key)) === undefined) throw new Error("bare get missed");
        }
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
      for (let i = 0; i < 4; i++) (await bareBlock(), await oursBlock());
      let bare = 0;
      let ours = 0;
      for (let round = 0; round < 20; round++) {
        if (round % 2 === 0) {
          bare += await bareBlock();
          ours += await oursBlock();
        } else {
          ours += await oursBlock();
          bare += await bareBlock();
        }
      }
      return Response.json({
        n,
        firstSource: first.authenticationResultMetadata.tokenSource,
        levels: [...levels],
        bareMeanUs: (bare * 1000) / n,
        oursMeanUs: (ours * 1000) / n,
      });
    }
    return new Response("not found", { status: 404 });
  },
};

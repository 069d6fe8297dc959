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
//   /hitbench?tenant=T&n=N  inside one request, N calls of each, in blocks of 50 in rotating
//                       order (ABCD, DCBA, ...), after 4 warm-up rounds: "ours", an acquisition
//                       that misses L1 and hits the Durable Object; "adapter", the adapter's
//                       get of that key (durableObjectCache(ns).get); "bare", stub.get() of the
//                       key on the same object (a new stub per call, as the adapter makes);
//                       "minimal", stub.get() on a minimal Durable Object class holding the same
//                       record in its storage (storage.get). Per mode: the mean per call of each
//                       block; median and p90 over the blocks, in µs.
import { ConfidentialClientApplicationBuilder } from "../../src/index";
import { workersKvCache, type KvNamespaceLike } from "../../adapters/workers-kv";
import {
  TokenCacheDurableObject,
  durableObjectCache,
  type DurableObjectNamespaceLike,
} from "../../adapters/durable-object";
import { shardName, shardOf } from "../../adapters/internal/shard";
import type { CacheAdapter } from "../../src/cache/cache-adapter";
import { DurableObject } from "cloudflare:workers";

export { TokenCacheDurableObject };

/** The part of a Durable Object's storage `MinimalStore` uses (its key-value API). */
interface KeyValueStorage {
  put(key: string, value: string): Promise<void>;
  get(key: string): Promise<string | undefined>;
}

/** The least a Durable Object holding a value needs: put and get through its storage. */
export class MinimalStore extends DurableObject {
  readonly #storage: KeyValueStorage;
  constructor(ctx: { storage: KeyValueStorage }, env: unknown) {
    super(ctx, env);
    this.#storage = ctx.storage;
  }
  async put(key: string, value: string): Promise<void> {
    await this.#storage.put(key, value);
  }
  async get(key: string): Promise<string | undefined> {
    return this.#storage.get(key);
  }
}

interface Env {
  TOKEN_CACHE: DurableObjectNamespaceLike;
  MINIMAL: DurableObjectNamespaceLike;
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
      const shardId = ns.idFromName(shardName(shardOf(key, 16)));
      type Stub = { get(key: string): Promise<string | undefined> };
      const record = await (ns.get(shardId) as Stub).get(key);
      const minimalId = env.MINIMAL.idFromName("minimal");
      await (env.MINIMAL.get(minimalId) as { put(k: string, v: unknown): Promise<void> }).put(
        key,
        record,
      );
      const app = build(env, inner, true, false);
      const levels = new Set<string>();
      const modes: Record<string, () => Promise<unknown>> = {
        ours: async () => {
          app.removeTokens();
          const r = await app.acquireTokenForClient(scopes, { tenantId: tenant });
          levels.add(r.authenticationResultMetadata.cacheLevel);
          return r;
        },
        adapter: () => inner.get(key.slice(prefix.length)),
        bare: () => (ns.get(shardId) as Stub).get(key),
        minimal: () => (env.MINIMAL.get(minimalId) as Stub).get(key),
      };
      const names = Object.keys(modes);
      const blocks: Record<string, number[]> = Object.fromEntries(names.map((m) => [m, []]));
      const block = Number(url.searchParams.get("block") ?? "200");
      const rounds = Math.ceil(n / block);
      for (let round = -4; round < rounds; round++) {
        const order = round % 2 === 0 ? names : [...names].reverse();
        const shift = ((round % names.length) + names.length) % names.length;
        for (const name of [...order.slice(shift), ...order.slice(0, shift)]) {
          const run = modes[name] as () => Promise<unknown>;
          const t0 = performance.now();
          for (let i = 0; i < block; i++)
            if ((await run()) === undefined) throw new Error(`${name}: missed`);
          if (round >= 0) blocks[name]?.push(((performance.now() - t0) * 1000) / block);
        }
      }
      const summary = (values: number[]) => {
        const sorted = [...values].sort((a, b) => a - b);
        const at = (q: number) =>
          sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
        return {
          medianUs: at(0.5),
          p90Us: at(0.9),
          meanUs: values.reduce((a, b) => a + b, 0) / values.length,
        };
      };
      return Response.json({
        n: rounds * block,
        block,
        firstSource: first.authenticationResultMetadata.tokenSource,
        levels: [...levels],
        ...Object.fromEntries(names.map((m) => [m, summary(blocks[m] as number[])])),
      });
    }
    return new Response("not found", { status: 404 });
  },
};

/**
 * A Worker for `test/adapters/durable-object.test.ts`: exports `TokenCacheDurableObject`
 * unchanged (and two test classes), and answers over `fetch`:
 *
 * - `GET /cases`: runs the adapter conformance cases inside workerd on its `TOKEN_CACHE` binding;
 * - `POST /op` `{ op, args, prefix?, shards?, binding? }`: one adapter call, answered as
 *   `{ ok, value, started, settled }` (workerd's `Date.now()` around it) or `{ ok: false, name, message }`;
 * - `GET /wrong-binding`: what `durableObjectCache` does with bindings that are not its own;
 * - `POST /acquire` `{ tenants, calls, prefix }`: concurrent cold acquisitions with the lease on,
 *   against the emulator behind the `ENTRA` service binding;
 * - `GET /rows`: how many rows the `INSPECT` object (a subclass) keeps in storage.
 *
 * Bundled with esbuild ("cloudflare:workers" left external); several copies run as separate
 * Workers (isolates) in one Miniflare, bound to one Durable Object namespace. No `nodejs_compat`.
 *
 * @module
 */

import { DurableObject } from "cloudflare:workers";
import {
  TokenCacheDurableObject,
  durableObjectCache,
  type DurableObjectNamespaceLike,
} from "../../../adapters/durable-object";
import { ConfidentialClientApplicationBuilder } from "../../../src/index";
import type { CacheAdapter } from "../../../src/cache/cache-adapter";
import type { AdapterHarness, FailureMode } from "../cases";
import { runAdapterCases } from "./run-cases";
import { durableObjectSuite } from "./durable-object-suite";

export { TokenCacheDurableObject };

/** A class that is not the token cache: a binding to it must make store calls reject. */
export class OtherObject extends DurableObject {
  /** Answers nothing the adapter calls. */
  hello(): string {
    return "hello";
  }
}

/** The token cache with a row count, to watch the alarm sweep storage. */
export class InspectableTokenCache extends TokenCacheDurableObject {
  /** Rows in storage, expired or not. */
  rows(): number {
    const state = this.ctx as { storage: { sql: { exec(q: string): { toArray(): unknown[] } } } };
    const [row] = state.storage.sql.exec("SELECT COUNT(*) AS n FROM entra_edge_entries").toArray();
    return Number((row as { n: number }).n);
  }
}

/** The token cache declared with KV-backed storage (a `new_classes` migration): not supported. */
export class KvBackedTokenCache extends TokenCacheDurableObject {}

interface Env {
  TOKEN_CACHE: DurableObjectNamespaceLike;
  OTHER?: DurableObjectNamespaceLike;
  INSPECT?: DurableObjectNamespaceLike;
  KV_BACKED?: DurableObjectNamespaceLike;
  KV?: unknown;
  ENTRA?: { fetch: typeof fetch };
}

type Op = keyof CacheAdapter & string;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/cases") return Response.json(await runCases(env.TOKEN_CACHE));
    if (path === "/wrong-binding") return Response.json(await wrongBindings(env));
    if (path === "/rows") {
      const ns = env.INSPECT as DurableObjectNamespaceLike;
      const stub = ns.get(ns.idFromName("entra-edge-shard-0")) as { rows(): Promise<number> };
      return Response.json({ rows: await stub.rows() });
    }
    if (path === "/beyond-memory") return Response.json(await beyondMemory(env.TOKEN_CACHE));
    const body = (await request.json()) as Record<string, unknown>;
    if (path === "/acquire") return Response.json(await acquire(env, body));
    const binding = (body["binding"] ?? "TOKEN_CACHE") as keyof Env;
    const options: { prefix?: string; shards?: number } = {};
    if (typeof body["prefix"] === "string") options.prefix = body["prefix"];
    if (typeof body["shards"] === "number") options.shards = body["shards"];
    const started = Date.now();
    try {
      const adapter = durableObjectCache(env[binding] as DurableObjectNamespaceLike, options);
      const method = adapter[body["op"] as Op] as (...args: unknown[]) => Promise<unknown>;
      const value = await method.apply(adapter, body["args"] as unknown[]);
      return Response.json({ ok: true, value: value ?? null, started, settled: Date.now() });
    } catch (error) {
      const { name, message } = error as Error;
      return Response.json({ ok: false, name, message, started, settled: Date.now() });
    }
  },
};

/**
 * More entries on one object than it keeps in memory (256): every value is still read back (the
 * oldest from storage), and a delete holds for remembered and storage-only entries alike.
 */
async function beyondMemory(ns: DurableObjectNamespaceLike): Promise<unknown> {
  const adapter = durableObjectCache(ns, { prefix: `beyond-${crypto.randomUUID()}:`, shards: 1 });
  const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
  for (const key of keys) await adapter.set(key, `v-${key}`, 300);
  const values = await Promise.all(keys.map((key) => adapter.get(key)));
  await adapter.delete("k0");
  await adapter.delete("k299");
  return {
    wrong: keys.filter((key, i) => values[i] !== `v-${key}`),
    deleted: [(await adapter.get("k0")) ?? null, (await adapter.get("k299")) ?? null],
    kept: (await adapter.get("k1")) ?? null,
  };
}

async function runCases(ns: DurableObjectNamespaceLike): Promise<unknown> {
  const create = async (): Promise<AdapterHarness> => ({
    adapter: durableObjectCache(ns),
    defaultPrefix: "entra-edge:",
    withPrefix: (prefix) => durableObjectCache(ns, { prefix }),
    failing: (mode, error) => durableObjectCache(failingNamespace(ns, mode, error)),
    cleanup: async () => {},
  });
  return runAdapterCases(create, durableObjectSuite.capabilities, [], () => {});
}

/** A namespace whose objects fail every call with `error` (thrown, or as a rejection). */
function failingNamespace(
  ns: DurableObjectNamespaceLike,
  mode: FailureMode,
  error: Error,
): DurableObjectNamespaceLike {
  const fail =
    mode === "throw"
      ? (): never => {
          throw error;
        }
      : (): Promise<never> => Promise.reject(error);
  const methods = ["get", "set", "delete", "setIfAbsent", "setIfEquals", "deleteIfEquals"];
  return {
    idFromName: (name) => ns.idFromName(name),
    get: () => Object.fromEntries([...methods, "waitFor"].map((m) => [m, fail])),
  };
}

async function wrongBindings(env: Env): Promise<Record<string, string>> {
  const outcome = async (run: () => unknown): Promise<string> => {
    try {
      await run();
      return "ok";
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  };
  const undefinedBinding = (env as unknown as Record<string, DurableObjectNamespaceLike>)["NONE"];
  const other = env.OTHER as DurableObjectNamespaceLike;
  return {
    undefined: await outcome(() =>
      durableObjectCache(undefinedBinding as DurableObjectNamespaceLike),
    ),
    kv: await outcome(() => durableObjectCache(env.KV as DurableObjectNamespaceLike)),
    otherClassGet: await outcome(() => durableObjectCache(other).get("k")),
    otherClassSetIfAbsent: await outcome(() =>
      durableObjectCache(other).setIfAbsent?.("k", "v", 1000),
    ),
    kvBacked: await outcome(() =>
      durableObjectCache(env.KV_BACKED as DurableObjectNamespaceLike).get("k"),
    ),
  };
}

async function acquire(env: Env, body: Record<string, unknown>): Promise<unknown> {
  const entra = env.ENTRA as { fetch: typeof fetch };
  const tenants = body["tenants"] as string[];
  const errors: CacheErrorSummary[] = [];
  const binding = (body["binding"] ?? "TOKEN_CACHE") as keyof Env;
  const prefix = body["prefix"] as string;
  const app = ConfidentialClientApplicationBuilder.create(body["clientId"] as string)
    .withClientSecret(body["secret"] as string)
    .withHttpClient((input, init) => entra.fetch(input, init))
    .withMemoryCache({ shared: false })
    .withCache(durableObjectCache(env[binding] as DurableObjectNamespaceLike, { prefix }), {
      lease: true,
      onCacheError: (event) => errors.push({ operation: event.operation, reason: event.reason }),
    })
    .build();
  const started = Date.now();
  const tokens = await Promise.all(
    Array.from({ length: body["calls"] as number }, async (_, i) => {
      const tenant = tenants[i % tenants.length] as string;
      const result = await app
        .acquireTokenForClient(["https://graph.microsoft.com/.default"])
        .withTenantId(tenant);
      return { tenant, token: result.accessToken };
    }),
  );
  return { tokens, errors, ms: Date.now() - started };
}

interface CacheErrorSummary {
  operation: string;
  reason: string;
}

/**
 * The Redis clients that have one generic command method (ioredis `call`, Bun `send`, node-redis
 * `sendCommand`), and the {@link RedisOperations} over that method.
 *
 * @module
 */

import { replyCount, replySetIfAbsent, replyText, type RedisOperations } from "./redis-operations";

/**
 * An ioredis client (`new Redis(...)` or `new Cluster(...)`): its generic `call` method.
 *
 * @example
 * ```ts
 * import Redis from "ioredis";
 * const client: IoRedisLike = new Redis("redis://127.0.0.1:6379");
 * ```
 */
export interface IoRedisLike {
  /** Sends any command (ioredis `call`). */
  call(command: string, ...args: string[]): Promise<unknown>;
}

/**
 * A node-redis client (`createClient(...)`, v4 and later): its generic `sendCommand` method.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const client: NodeRedisLike = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * ```
 */
export interface NodeRedisLike {
  /** Sends any command (node-redis `sendCommand`). */
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * A node-redis cluster client (`createCluster(...)`, v4 and later): its `sendCommand`, which
 * takes the key that routes the command, whether it is read-only, and the command. Told from a
 * node-redis client by its `nodeClient` method (v4.6 and later; `getSlotMaster` before).
 *
 * @example
 * ```ts
 * import { createCluster } from "redis";
 * const client: NodeRedisClusterLike = await createCluster({
 *   rootNodes: [{ url: "redis://10.0.0.1:6379" }],
 * }).connect();
 * ```
 */
export interface NodeRedisClusterLike {
  /** Sends one command to the node that owns `firstKey` (node-redis cluster `sendCommand`). */
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
  ): Promise<unknown>;
  /** The client of one node; only its presence is used, to tell a cluster from a client. */
  nodeClient(node: never): unknown;
}

/**
 * Bun's built-in `RedisClient`: its generic `send` method. Also the shape to implement to plug in
 * any other client.
 *
 * @example
 * ```ts
 * import { RedisClient } from "bun";
 * const client: SendRedisLike = new RedisClient("redis://127.0.0.1:6379", { connectionTimeout: 5_000 });
 * ```
 */
export interface SendRedisLike {
  /** Sends any command (Bun `RedisClient.send`). */
  send(command: string, args: string[]): Promise<unknown>;
}

/**
 * The operations over the client's generic command method, or `undefined` if it has none. The
 * client stays the receiver of every call.
 */
export function commandOperations(client: unknown): RedisOperations | undefined {
  const command = commandFunction(client);
  if (command === undefined) return undefined;
  return {
    async get(key) {
      const reply = await command("GET", [key]);
      return reply === null || reply === undefined ? undefined : replyText(reply, "GET");
    },
    async set(key, value, ttlMs) {
      await command("SET", [key, value, "PX", String(ttlMs)]);
    },
    async setIfAbsent(key, value, ttlMs) {
      return replySetIfAbsent(await command("SET", [key, value, "NX", "PX", String(ttlMs)]));
    },
    async del(key) {
      await command("DEL", [key]);
    },
    async evalCount(script, key, args) {
      return replyCount(await command("EVAL", [script, "1", key, ...args]), "EVAL");
    },
  };
}

type CommandFunction = (name: string, args: string[]) => Promise<unknown>;
type AnyCommandClient = IoRedisLike & SendRedisLike & NodeRedisLike & NodeRedisClusterLike;

/** Picks the client's generic command method. */
function commandFunction(client: unknown): CommandFunction | undefined {
  if (client === null || typeof client !== "object") return undefined;
  const candidate = client as Partial<AnyCommandClient> & { getSlotMaster?: unknown };
  // ioredis also has a `sendCommand`, taking a Command object: test `call` first.
  if (typeof candidate.call === "function") {
    const io = client as IoRedisLike;
    return (name, args) => io.call(name, ...args);
  }
  if (typeof candidate.send === "function") {
    const sender = client as SendRedisLike;
    return (name, args) => sender.send(name, args);
  }
  if (typeof candidate.sendCommand !== "function") return undefined;
  const isCluster =
    typeof candidate.nodeClient === "function" || typeof candidate.getSlotMaster === "function";
  if (isCluster) {
    // Every command names one key: KEYS[1] of an EVAL (after the script and "1"), else the first.
    const cluster = client as NodeRedisClusterLike;
    return (name, args) =>
      cluster.sendCommand(name === "EVAL" ? args[2] : args[0], name === "GET", [name, ...args]);
  }
  const nodeRedis = client as NodeRedisLike;
  return (name, args) => nodeRedis.sendCommand([name, ...args]);
}

/**
 * What the Redis adapter asks of a client, whatever its kind (a client with a generic command
 * method in `redis-commands.ts`, an Upstash REST client in `redis-upstash.ts`), and the reading
 * of the replies they share.
 *
 * @module
 */

/** The five operations the Redis adapter is built on. Every one names exactly one key. */
export interface RedisOperations {
  /** `GET`: the value, or `undefined` when the key does not exist. */
  get(key: string): Promise<string | undefined>;
  /** `SET key value PX ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** `SET key value NX PX ttlMs`: `true` when written, `false` when the key exists. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** `DEL key`. */
  del(key: string): Promise<void>;
  /** `EVAL script 1 key ...args` of a script that returns an integer. */
  evalCount(script: string, key: string, args: readonly string[]): Promise<number>;
}

const decoder = new TextDecoder();

/** A string reply (a `Buffer`/`Uint8Array` from clients configured to return bytes is decoded). */
export function replyText(reply: unknown, commandName: string): string {
  if (typeof reply === "string") return reply;
  if (reply instanceof Uint8Array) return decoder.decode(reply);
  throw unexpectedReply(reply, commandName);
}

/** The reply to `SET … NX`: `true` for `OK`, `false` for nil. */
export function replySetIfAbsent(reply: unknown): boolean {
  if (reply === null || reply === undefined) return false;
  if (replyText(reply, "SET NX") === "OK") return true;
  throw new TypeError("redisCache: unexpected reply to SET NX");
}

/** An integer reply (a number; a bigint or digits from clients that return those). */
export function replyCount(reply: unknown, commandName: string): number {
  if (typeof reply === "number" || typeof reply === "bigint") return Number(reply);
  const text = reply instanceof Uint8Array ? decoder.decode(reply) : reply;
  if (typeof text === "string" && /^-?\d+$/.test(text)) return Number(text);
  throw unexpectedReply(reply, commandName);
}

/** The error for a reply of the wrong type; it names the type only, never the value. */
export function unexpectedReply(reply: unknown, commandName: string): TypeError {
  return new TypeError(`redisCache: unexpected reply type to ${commandName}: ${typeof reply}`);
}

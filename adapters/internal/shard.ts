/**
 * Which Durable Object holds a store key: a stable hash of the key onto a number of shards, and
 * the object name of each shard (`idFromName`). Shared by the adapter and the bench, which calls
 * the same object directly.
 *
 * @module
 */

/** The shard of `storeKey` among `shards`: 32-bit FNV-1a of its UTF-16 code units, stable across isolates and releases. */
export function shardOf(storeKey: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < storeKey.length; i++) {
    hash ^= storeKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** The Durable Object name of shard `shard`. */
export function shardName(shard: number): string {
  return `entra-edge-shard-${shard}`;
}

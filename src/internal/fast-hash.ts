/**
 * A fast, synchronous 128-bit string hash (four FNV-1a lanes over UTF-16 code units, each
 * finished with MurmurHash3's avalanche). Not cryptographic: it names L2 store entries, where a
 * collision can only cost a miss, because every stored record names its full cache key and is
 * refused under any other. `crypto.subtle.digest` would cost a thread-pool round trip per lookup.
 *
 * @module
 */

const lanes = [0x811c9dc5, 0x050c5d1f, 0x1b873593, 0x6b43a9b5] as const;

/** 32 lowercase hex digits. */
export function fastHash128(text: string): string {
  let a: number = lanes[0];
  let b: number = lanes[1];
  let c: number = lanes[2];
  let d: number = lanes[3];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x01000193) ^ (b >>> 15);
    c = Math.imul(c ^ unit, 0x0100019b) + i;
    d = Math.imul(d ^ (unit + i), 0x01000193);
  }
  return hex(avalanche(a ^ text.length)) + hex(avalanche(b ^ c)) + hex(avalanche(c ^ d)) + hex(avalanche(d ^ a));
}

function avalanche(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}

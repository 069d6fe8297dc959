/**
 * A fast, synchronous 128-bit string hash (four FNV-1a lanes over UTF-16 code units, each
 * finished with MurmurHash3's avalanche). Not cryptographic: it names L2 store entries, where a
 * collision can only cost a miss, because every stored record names its full cache key and is
 * refused under any other. `crypto.subtle.digest` would cost a thread-pool round trip per lookup.
 *
 * @module
 */

/** The running state after some text: the four lanes and how many code units went in. */
interface HashState {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly length: number;
}

const initialState: HashState = {
  a: 0x811c9dc5,
  b: 0x050c5d1f,
  c: 0x1b873593,
  d: 0x6b43a9b5,
  length: 0,
};

/** 32 lowercase hex digits. */
export function fastHash128(text: string): string {
  return digest(absorb(initialState, text));
}

/**
 * The hash of `prefix + text`, equal to `fastHash128(prefix + text)`, with the prefix hashed
 * once: every L2 key starts with the same cloud, client and token type.
 */
export function prefixedHash128(prefix: string): (text: string) => string {
  const afterPrefix = absorb(initialState, prefix);
  return (text) => digest(absorb(afterPrefix, text));
}

function absorb(state: HashState, text: string): HashState {
  let { a, b, c, d } = state;
  const offset = state.length;
  for (let j = 0; j < text.length; j++) {
    const unit = text.charCodeAt(j);
    const i = offset + j;
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x01000193) ^ (b >>> 15);
    c = Math.imul(c ^ unit, 0x0100019b) + i;
    d = Math.imul(d ^ (unit + i), 0x01000193);
  }
  return { a, b, c, d, length: offset + text.length };
}

function digest({ a, b, c, d, length }: HashState): string {
  writeHex(avalanche(a ^ length), 0);
  writeHex(avalanche(b ^ c), 8);
  writeHex(avalanche(c ^ d), 16);
  writeHex(avalanche(d ^ a), 24);
  // One flat string from 32 character codes: string concatenation would build a tree of 16
  // pieces that the engine flattens again when the key is hashed or sent.
  return String.fromCharCode.apply(null, digits);
}

function avalanche(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The digest's 32 hex digits as character codes, reused by every call (synchronous, so never shared). */
const digits: number[] = new Array<number>(32).fill(0);
const hexCodes = Array.from("0123456789abcdef", (digit) => digit.charCodeAt(0));

function writeHex(n: number, at: number): void {
  for (let shift = 28, i = at; shift >= 0; shift -= 4, i++)
    digits[i] = hexCodes[(n >>> shift) & 0xf] as number;
}

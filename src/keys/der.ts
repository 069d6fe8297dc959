/**
 * A small, bounds-checked DER reader and the few encoders that key rewrapping needs.
 *
 * Reading never copies (every node is a view into the input) and never recurses on its own:
 * callers walk the tree one level at a time, so hostile input cannot exhaust the stack. Every
 * malformed input throws a {@link DerError}; callers turn it into a `ClientError` with their own
 * wording.
 *
 * @module
 */

/** Malformed DER. Its message names the structural problem only, never the bytes. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DerError";
  }
}

/** Universal tags used by the key and certificate formats. */
export const Tag = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** The identifier octet of a context-specific tag `[n]` (constructed unless told otherwise). */
export function contextTag(n: number, constructed = true): number {
  return (constructed ? 0xa0 : 0x80) | n;
}

/** One DER element: its identifier octet, its contents, and its whole encoding. */
export interface DerNode {
  /** The identifier octet (class, constructed bit and tag number; one byte only). */
  readonly tag: number;
  /** The contents octets. */
  readonly value: Uint8Array<ArrayBuffer>;
  /** The whole element: identifier, length and contents. */
  readonly encoded: Uint8Array<ArrayBuffer>;
}

const CONSTRUCTED = 0x20;
// Four length octets allow 4 GiB, more than any key or certificate file; more is malformed.
const MAX_LENGTH_OCTETS = 4;

/** Decodes exactly one element that spans all of `bytes` (trailing bytes are an error). */
export function decodeDer(bytes: Uint8Array<ArrayBuffer>): DerNode {
  const [node, end] = readElement(bytes, 0);
  if (end !== bytes.length) throw new DerError("unexpected bytes after the DER element");
  return node;
}

/** Decodes the elements that fill `bytes` one after another (zero or more). */
export function decodeDerSequence(bytes: Uint8Array<ArrayBuffer>): DerNode[] {
  const nodes: DerNode[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const [node, end] = readElement(bytes, offset);
    nodes.push(node);
    offset = end;
  }
  return nodes;
}

/** The children of a constructed node, optionally checking the node's tag first. */
export function childrenOf(node: DerNode, tag?: number): DerNode[] {
  if (tag !== undefined) expectTag(node, tag);
  if ((node.tag & CONSTRUCTED) === 0) throw new DerError(`tag ${hex(node.tag)} is not constructed`);
  return decodeDerSequence(node.value);
}

/** Returns `node` if its tag is `tag`, else throws. */
export function expectTag(node: DerNode, tag: number): DerNode {
  if (node.tag !== tag) throw new DerError(`expected tag ${hex(tag)}, found ${hex(node.tag)}`);
  return node;
}

/** The element at `index` of a list of children, which must exist (and have `tag`, if given). */
export function at(nodes: readonly DerNode[], index: number, tag?: number): DerNode {
  const node = nodes[index];
  if (node === undefined) throw new DerError(`missing element ${index + 1} of a SEQUENCE`);
  return tag === undefined ? node : expectTag(node, tag);
}

/** The magnitude of a non-negative INTEGER, without leading zero octets (`[0]` for zero). */
export function readUnsignedInteger(node: DerNode): Uint8Array<ArrayBuffer> {
  const value = expectTag(node, Tag.INTEGER).value;
  if (value.length === 0) throw new DerError("empty INTEGER");
  if ((value[0] ?? 0) & 0x80) throw new DerError("negative INTEGER");
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  return value.subarray(start);
}

/** A non-negative INTEGER that fits a safe JavaScript integer (versions, iteration counts). */
export function readSmallInteger(node: DerNode): number {
  const magnitude = readUnsignedInteger(node);
  if (magnitude.length > 6) throw new DerError("INTEGER too large");
  let n = 0;
  for (const byte of magnitude) n = n * 256 + byte;
  return n;
}

/** An OBJECT IDENTIFIER as a dotted string, e.g. `"1.2.840.113549.1.1.1"`. */
export function readOid(node: DerNode): string {
  const value = expectTag(node, Tag.OID).value;
  if (value.length === 0) throw new DerError("empty OBJECT IDENTIFIER");
  const arcs: number[] = [];
  let arc = 0;
  for (let i = 0; i < value.length; i++) {
    const byte = value[i] ?? 0;
    if (arc === 0 && byte === 0x80) throw new DerError("non-minimal OBJECT IDENTIFIER arc");
    arc = arc * 128 + (byte & 0x7f);
    if (arc > Number.MAX_SAFE_INTEGER / 128) throw new DerError("OBJECT IDENTIFIER arc too large");
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) {
        // The first subidentifier packs two arcs: 40 * first + second.
        const first = arc < 80 ? Math.floor(arc / 40) : 2;
        arcs.push(first, arc - 40 * first);
      } else {
        arcs.push(arc);
      }
      arc = 0;
    } else if (i === value.length - 1) {
      throw new DerError("truncated OBJECT IDENTIFIER");
    }
  }
  return arcs.join(".");
}

/**
 * The contents of an OCTET STRING. Also accepts the BER constructed form (primitive OCTET
 * STRING segments, concatenated), which some PKCS#12 writers use.
 */
export function readOctetString(node: DerNode): Uint8Array<ArrayBuffer> {
  if (node.tag === Tag.OCTET_STRING) return node.value;
  if (node.tag === (Tag.OCTET_STRING | CONSTRUCTED)) {
    return concat(childrenOf(node).map((segment) => expectTag(segment, Tag.OCTET_STRING).value));
  }
  throw new DerError(`expected an OCTET STRING, found tag ${hex(node.tag)}`);
}

/** The contents of a BIT STRING whose length is a whole number of octets. */
export function readBitString(node: DerNode): Uint8Array<ArrayBuffer> {
  const value = expectTag(node, Tag.BIT_STRING).value;
  if (value.length === 0 || value[0] !== 0) throw new DerError("BIT STRING with unused bits");
  return value.subarray(1);
}

/** Encodes one element from its identifier octet and contents. */
export function encodeTlv(tag: number, ...contents: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const value = concat(contents);
  return concat([Uint8Array.of(tag), encodeLength(value.length), value]);
}

/** Encodes a DER length (short form below 128, long form above). */
export function encodeLength(length: number): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(length) || length < 0) throw new DerError("invalid length");
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets.unshift(n % 256);
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

/** Encodes a SEQUENCE of already encoded elements. */
export function encodeSequence(...elements: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return encodeTlv(Tag.SEQUENCE, ...elements);
}

/** Encodes an OCTET STRING. */
export function encodeOctetString(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return encodeTlv(Tag.OCTET_STRING, bytes);
}

/** Encodes a small non-negative INTEGER (such as a version number). */
export function encodeSmallInteger(n: number): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(n) || n < 0) throw new DerError("invalid INTEGER");
  const octets: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  if (octets.length === 0 || (octets[0] ?? 0) & 0x80) octets.unshift(0);
  return encodeTlv(Tag.INTEGER, Uint8Array.from(octets));
}

/** Encodes a dotted OBJECT IDENTIFIER string. */
export function encodeOid(dotted: string): Uint8Array<ArrayBuffer> {
  const arcs = dotted.split(".").map(Number);
  const [first, second, ...rest] = arcs;
  if (
    first === undefined ||
    second === undefined ||
    first > 2 ||
    arcs.some((a) => !Number.isSafeInteger(a) || a < 0)
  ) {
    throw new DerError("invalid OBJECT IDENTIFIER");
  }
  const octets: number[] = [];
  for (const arc of [40 * first + second, ...rest]) {
    const group: number[] = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128))
      group.unshift(0x80 | (n % 128));
    octets.push(...group);
  }
  return encodeTlv(Tag.OID, Uint8Array.from(octets));
}

/** Encodes NULL (the parameters of `rsaEncryption`). */
export function encodeNull(): Uint8Array<ArrayBuffer> {
  return Uint8Array.of(Tag.NULL, 0);
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function readElement(bytes: Uint8Array<ArrayBuffer>, start: number): [DerNode, number] {
  let offset = start;
  const tag = bytes[offset++];
  if (tag === undefined) throw new DerError("truncated DER: missing tag");
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte DER tags are not supported");
  const first = bytes[offset++];
  if (first === undefined) throw new DerError("truncated DER: missing length");
  let length = first;
  if (first === 0x80) {
    throw new DerError("indefinite length (BER) is not supported: the data must be DER");
  }
  if (first > 0x80) {
    const count = first & 0x7f;
    if (count > MAX_LENGTH_OCTETS) throw new DerError("DER length too large");
    length = 0;
    for (let i = 0; i < count; i++) {
      const octet = bytes[offset++];
      if (octet === undefined) throw new DerError("truncated DER: incomplete length");
      length = length * 256 + octet;
    }
  }
  const end = offset + length;
  if (end > bytes.length) throw new DerError("truncated DER: contents shorter than their length");
  return [{ tag, value: bytes.subarray(offset, end), encoded: bytes.subarray(start, end) }, end];
}

function hex(tag: number): string {
  return `0x${tag.toString(16).padStart(2, "0")}`;
}

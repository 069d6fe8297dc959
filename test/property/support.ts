// Shared pieces of the property tests: fixtures, mutation arbitraries, and the "only a ClientError,
// and never a hang" check.
import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { expect } from "vitest";
import { ClientError } from "../../src/errors";

const dir = new URL("../fixtures/keys/", import.meta.url);
export const fixtureText = (name: string): string => readFileSync(new URL(name, dir), "utf8");
export const fixtureBytes = (name: string): Uint8Array<ArrayBuffer> =>
  new Uint8Array(readFileSync(new URL(name, dir)));

/** Run counts: bounded so that the whole folder stays well under 20 s. */
export const runs = { cheap: 500, medium: 300, costly: 100 } as const;

/** The base64 body of the first PEM block of `pem`, and its DER. */
export function pemBody(pem: string): {
  label: string;
  base64: string;
  der: Uint8Array<ArrayBuffer>;
} {
  const blocks = [...pem.matchAll(/-----BEGIN ([^-]+)-----([\s\S]*?)-----END \1-----/g)];
  const match = blocks.find((block) => /PRIVATE KEY|CERTIFICATE/.test(block[1] ?? "")) ?? blocks[0];
  if (match === undefined) throw new Error("fixture is not PEM");
  const base64 = (match[2] ?? "")
    .split(/\r?\n/)
    .filter((line) => line !== "" && !line.includes(":"))
    .join("");
  return { label: match[1] as string, base64, der: new Uint8Array(Buffer.from(base64, "base64")) };
}

/** DER bytes as a PEM block with `label`. */
export function toPem(label: string, der: Uint8Array, headers = ""): string {
  const base64 = Buffer.from(der)
    .toString("base64")
    .replace(/.{1,64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${headers}${base64}-----END ${label}-----\n`;
}

/** One edit of a byte string. */
type ByteEdit =
  | { kind: "set"; at: number; value: number }
  | { kind: "flip"; at: number; bit: number }
  | { kind: "insert"; at: number; bytes: readonly number[] }
  | { kind: "delete"; at: number; count: number }
  | { kind: "truncate"; at: number }
  | { kind: "length"; at: number; bytes: readonly number[] };

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({
    kind: fc.constant("set" as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    kind: fc.constant("flip" as const),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant("delete" as const),
    at: fc.nat(),
    count: fc.integer({ min: 1, max: 16 }),
  }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  // Hostile length octets: indefinite, long forms, 4 GiB, more octets than allowed.
  fc.record({
    kind: fc.constant("length" as const),
    at: fc.nat(),
    bytes: fc.constantFrom(
      [0x80],
      [0x81, 0xff],
      [0x82, 0xff, 0xff],
      [0x84, 0xff, 0xff, 0xff, 0xff],
      [0x85, 1, 0, 0, 0, 0],
      [0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [0x00],
      [0x7f],
    ),
  }),
);

function applyEdit(bytes: Uint8Array, edit: ByteEdit): Uint8Array {
  if (bytes.length === 0) return edit.kind === "insert" ? Uint8Array.from(edit.bytes) : bytes;
  const at = edit.at % bytes.length;
  switch (edit.kind) {
    case "set": {
      const out = bytes.slice();
      out[at] = edit.value;
      return out;
    }
    case "flip": {
      const out = bytes.slice();
      out[at] = (out[at] ?? 0) ^ (1 << edit.bit);
      return out;
    }
    case "insert":
      return Uint8Array.from([...bytes.subarray(0, at), ...edit.bytes, ...bytes.subarray(at)]);
    case "delete":
      return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + edit.count)]);
    case "truncate":
      return bytes.slice(0, at);
    case "length":
      // Replace the byte after `at` (often a length octet) with hostile length octets.
      return Uint8Array.from([
        ...bytes.subarray(0, at + 1),
        ...edit.bytes,
        ...bytes.subarray(at + 2),
      ]);
  }
}

/** `bytes` with 1 to 4 random edits, biased towards the first 64 bytes (the headers of every structure). */
export function mutatedBytes(bytes: Uint8Array): fc.Arbitrary<Uint8Array<ArrayBuffer>> {
  const early = byteEdit.map((edit) => ({ ...edit, at: edit.at % 64 }) as ByteEdit);
  return fc
    .array(fc.oneof(early, byteEdit), { minLength: 1, maxLength: 4 })
    .map((edits) => new Uint8Array(edits.reduce(applyEdit, bytes)));
}

/** One edit of a PEM text. */
export function mutatedText(text: string): fc.Arbitrary<string> {
  const piece = fc.oneof(
    fc.constantFrom(
      "-----BEGIN ",
      "-----END ",
      "-----",
      "PRIVATE KEY",
      "CERTIFICATE",
      "\n",
      "\r\n",
      "\\n",
      "=",
      "==",
      ":",
      "Proc-Type: 4,ENCRYPTED\n",
      "\u0000",
      "é",
      "\uD800",
    ),
    fc.string({ maxLength: 8 }),
  );
  const edit = fc.oneof(
    fc.record({ at: fc.nat(), remove: fc.integer({ min: 0, max: 40 }), insert: piece }),
    fc.record({ at: fc.nat(), remove: fc.constant(0), insert: piece }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) =>
    edits.reduce((current, { at, remove, insert }) => {
      const index = at % (current.length + 1);
      return current.slice(0, index) + insert + current.slice(index + remove);
    }, text),
  );
}

/** Random DER-ish trees: nested TLVs with the tags the key and certificate formats use, lengths sometimes wrong. */
export const derTree: fc.Arbitrary<Uint8Array<ArrayBuffer>> = fc
  .letrec<{ node: Uint8Array }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc
        .record({
          tag: fc.constantFrom(0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x17, 0x18, 0x1e, 0x80, 0x81),
          content: fc.uint8Array({ maxLength: 24 }),
        })
        .map(({ tag, content }) => tlv(tag, content)),
      fc
        .record({
          tag: fc.constantFrom(0x30, 0x31, 0xa0, 0xa1, 0xa3, 0x24),
          children: fc.array(tie("node"), { maxLength: 4 }),
        })
        .map(({ tag, children }) => tlv(tag, concat(children))),
      fc.oneof(
        fc.constant(
          Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01),
        ),
        fc.constant(Uint8Array.of(0x02, 0x01, 0x00)),
        fc.constant(Uint8Array.of(0x02, 0x01, 0x03)),
      ),
    ),
  }))
  .node.chain((der) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(new Uint8Array(der)) },
      { weight: 1, arbitrary: mutatedBytes(der) },
    ),
  );

function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Uint8Array.from([tag, ...length, ...content]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((part) => [...part]));
}

/** Strings with any UTF-16 code unit, lone surrogates included. */
export const anyCodeUnits = (maxLength = 40): fc.Arbitrary<string> =>
  fc
    .array(fc.integer({ min: 0, max: 0xffff }), { maxLength })
    .map((units) => String.fromCharCode(...units));

/**
 * Runs `action` and returns its value or the `ClientError` it threw; anything else thrown fails,
 * and so does still being pending after `ms` (a hang).
 */
export async function onlyClientError<T>(
  action: () => T | Promise<T>,
  ms = 3000,
): Promise<T | ClientError> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(action), hang]);
  } catch (error) {
    if (error instanceof ClientError) return error;
    throw new Error(`threw ${describe(error)} instead of a ClientError`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
}

/** Fails when `text` holds any `size`-character chunk of `secret`. */
export function expectNoChunkOf(text: string, secret: string, size = 16, what = "secret"): void {
  for (let i = 0; i + size <= secret.length; i++) {
    const chunk = secret.slice(i, i + size);
    if (text.includes(chunk))
      expect.fail(`${what}: "${chunk}" (offset ${i}) appears in: ${text.slice(0, 300)}`);
  }
}

/** A DER element as the mutator sees it: constructed (children) or primitive (value); OCTET/BIT STRINGs that hold DER are opened. */
interface Tree {
  tag: number;
  children?: Tree[];
  /** For BIT STRING wrappers: the unused-bits octet kept in front of the encapsulated DER. */
  prefix?: number[];
  value?: Uint8Array;
}

function parseTree(bytes: Uint8Array, depth = 0): Tree[] | undefined {
  const nodes: Tree[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const tag = bytes[offset] as number;
    if ((tag & 0x1f) === 0x1f) return undefined;
    let length = bytes[offset + 1];
    if (length === undefined) return undefined;
    let start = offset + 2;
    if (length & 0x80) {
      const octets = length & 0x7f;
      if (octets === 0 || octets > 3) return undefined;
      length = 0;
      for (let i = 0; i < octets; i++) length = length * 256 + (bytes[start + i] ?? 0);
      start += octets;
    }
    const end = start + length;
    if (end > bytes.length) return undefined;
    const value = bytes.subarray(start, end);
    let node: Tree = { tag, value };
    if (depth < 12) {
      if (tag & 0x20) {
        const children = parseTree(value, depth + 1);
        if (children !== undefined) node = { tag, children };
      } else if (tag === 0x04 && value.length > 1 && (value[0] === 0x30 || value[0] === 0x02)) {
        const children = parseTree(value, depth + 1);
        if (children !== undefined) node = { tag, children };
      } else if (tag === 0x03 && value.length > 2 && value[0] === 0 && value[1] === 0x30) {
        const children = parseTree(value.subarray(1), depth + 1);
        if (children !== undefined) node = { tag, children, prefix: [0] };
      }
    }
    nodes.push(node);
    offset = end;
  }
  return nodes;
}

function encodeTree(nodes: readonly Tree[]): Uint8Array {
  return concat(
    nodes.map((node) =>
      tlv(
        node.tag,
        node.children === undefined
          ? (node.value ?? new Uint8Array())
          : concat([Uint8Array.from(node.prefix ?? []), encodeTree(node.children)]),
      ),
    ),
  );
}

function clone(nodes: readonly Tree[]): Tree[] {
  return nodes.map((node) => ({
    ...node,
    ...(node.children === undefined ? {} : { children: clone(node.children) }),
  }));
}

/** Every node with the list that holds it, in document order. */
function allNodes(
  nodes: Tree[],
  out: { list: Tree[]; index: number }[] = [],
): { list: Tree[]; index: number }[] {
  nodes.forEach((node, index) => {
    out.push({ list: nodes, index });
    if (node.children !== undefined) allNodes(node.children, out);
  });
  return out;
}

type TreeEdit =
  | { kind: "value"; bytes: readonly number[] }
  | { kind: "flip"; at: number; bit: number }
  | { kind: "tag"; tag: number }
  | { kind: "drop" }
  | { kind: "duplicate" }
  | { kind: "swap" }
  | { kind: "truncate"; keep: number };

const treeEdit: fc.Arbitrary<{ node: number; edit: TreeEdit }> = fc.record({
  node: fc.nat(),
  edit: fc.oneof(
    fc.record({
      kind: fc.constant("value" as const),
      bytes: fc.oneof(
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 10 }),
        fc.constantFrom(
          [],
          [0],
          [0x80],
          [0xff],
          [0x7f, 0xff, 0xff, 0xff],
          [0x00, 0x98, 0x96, 0x81],
          [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
          [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d],
        ),
      ),
    }),
    fc.record({
      kind: fc.constant("flip" as const),
      at: fc.nat(),
      bit: fc.integer({ min: 0, max: 7 }),
    }),
    fc.record({
      kind: fc.constant("tag" as const),
      tag: fc.constantFrom(0x02, 0x03, 0x04, 0x05, 0x06, 0x30, 0x31, 0xa0, 0xa1, 0x80, 0x24, 0x00),
    }),
    fc.constant({ kind: "drop" as const }),
    fc.constant({ kind: "duplicate" as const }),
    fc.constant({ kind: "swap" as const }),
    fc.record({ kind: fc.constant("truncate" as const), keep: fc.nat({ max: 8 }) }),
  ),
});

function applyTreeEdit(nodes: Tree[], { node, edit }: { node: number; edit: TreeEdit }): Tree[] {
  const out = clone(nodes);
  const all = allNodes(out);
  const target = all[node % all.length];
  if (target === undefined) return out;
  const { list, index } = target;
  const current = list[index] as Tree;
  switch (edit.kind) {
    case "value":
      list[index] = { tag: current.tag, value: Uint8Array.from(edit.bytes) };
      break;
    case "flip": {
      const value =
        current.children === undefined
          ? (current.value ?? new Uint8Array()).slice()
          : encodeTree(current.children).slice();
      if (value.length > 0)
        value[edit.at % value.length] = (value[edit.at % value.length] ?? 0) ^ (1 << edit.bit);
      list[index] = { tag: current.tag, value };
      break;
    }
    case "tag":
      list[index] = { ...current, tag: edit.tag };
      break;
    case "drop":
      list.splice(index, 1);
      break;
    case "duplicate":
      list.splice(index, 0, clone([current])[0] as Tree);
      break;
    case "swap":
      if (list.length > 1) {
        const other = (index + 1) % list.length;
        [list[index], list[other]] = [list[other] as Tree, current];
      }
      break;
    case "truncate":
      if (current.children !== undefined)
        list[index] = { ...current, children: current.children.slice(0, edit.keep) };
      else
        list[index] = {
          tag: current.tag,
          value: (current.value ?? new Uint8Array()).slice(0, edit.keep),
        };
      break;
  }
  return out;
}

/**
 * `der` with 1 to 3 structure-aware edits (a value, a tag, a dropped, duplicated or swapped
 * element, nested DER inside OCTET and BIT STRINGs included), re-encoded with correct lengths:
 * the mutant gets past the outer framing and exercises the parser deep inside.
 */
export function mutatedTree(der: Uint8Array): fc.Arbitrary<Uint8Array<ArrayBuffer>> {
  const tree = parseTree(der);
  // Not DER (a legacy-encrypted PEM body): byte-level edits only.
  if (tree === undefined) return mutatedBytes(der);
  return fc
    .array(treeEdit, { minLength: 1, maxLength: 3 })
    .map((edits) => new Uint8Array(encodeTree(edits.reduce(applyTreeEdit, tree))));
}

/** Byte-level or structure-aware mutants of `der`. */
export function mutatedDer(der: Uint8Array): fc.Arbitrary<Uint8Array<ArrayBuffer>> {
  return fc.oneof(
    { weight: 1, arbitrary: mutatedBytes(der) },
    { weight: 3, arbitrary: mutatedTree(der) },
  );
}

const macHashes: Record<string, { name: string; block: number }> = {
  "2b0e03021a": { name: "sha1", block: 64 },
  "608648016503040201": { name: "sha256", block: 64 },
  "608648016503040202": { name: "sha384", block: 128 },
  "608648016503040203": { name: "sha512", block: 128 },
};

/**
 * Recomputes the MAC of a (mutated) PKCS#12 file with `password`, so that mutants of the inner
 * structure get past the integrity check. Returns the bytes unchanged when the outer structure
 * is too broken to find the MAC.
 */
export function withFreshMac(
  bytes: Uint8Array<ArrayBuffer>,
  password: string,
): Uint8Array<ArrayBuffer> {
  const top = parseTree(bytes);
  const pfx = top?.[0]?.children;
  const content = pfx?.[1]?.children?.[1]?.children?.[0];
  const mac = pfx?.[2]?.children;
  const digestInfo = mac?.[0]?.children;
  const oid = digestInfo?.[0]?.children?.[0]?.value;
  const salt = mac?.[1]?.value;
  const iterationsValue = mac?.[2]?.value;
  if (
    pfx === undefined ||
    content === undefined ||
    mac === undefined ||
    digestInfo?.[1] === undefined ||
    oid === undefined ||
    salt === undefined
  )
    return bytes;
  const hash = macHashes[Buffer.from(oid).toString("hex")];
  if (hash === undefined) return bytes;
  // One MAC iteration: the integrity check stays real but cheap, so that the run budget goes to the bags.
  const iterations = 1;
  if (iterationsValue !== undefined) mac[2] = { tag: 0x02, value: Uint8Array.of(1) };
  const authenticatedSafe =
    content.children === undefined
      ? (content.value ?? new Uint8Array())
      : encodeTree(content.children);
  const bmp = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) bmp.writeUInt16BE(password.charCodeAt(i), i * 2);
  const fill = (source: Uint8Array) => {
    const out = Buffer.alloc(Math.ceil(source.length / hash.block) * hash.block);
    for (let i = 0; i < out.length; i++) out[i] = source[i % source.length] ?? 0;
    return out;
  };
  let block = createHash(hash.name)
    .update(Buffer.concat([Buffer.alloc(hash.block, 3), fill(salt), fill(bmp)]))
    .digest();
  for (let i = 1; i < iterations; i++) block = createHash(hash.name).update(block).digest();
  digestInfo[1] = {
    tag: 0x04,
    value: createHmac(hash.name, block).update(authenticatedSafe).digest(),
  };
  return new Uint8Array(encodeTree(top as Tree[]));
}

/** `der` with every primitive element whose tag and value match replaced by `value`, lengths re-encoded. */
export function replacePrimitive(
  der: Uint8Array,
  tag: number,
  from: readonly number[],
  value: readonly number[],
): Uint8Array<ArrayBuffer> {
  const tree = parseTree(der);
  if (tree === undefined) throw new Error("not DER");
  const same = (a: Uint8Array | undefined) =>
    a !== undefined && a.length === from.length && a.every((byte, i) => byte === from[i]);
  for (const { list, index } of allNodes(tree)) {
    const node = list[index] as Tree;
    if (node.children === undefined && node.tag === tag && same(node.value))
      list[index] = { tag, value: Uint8Array.from(value) };
  }
  return new Uint8Array(encodeTree(tree));
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  childrenOf,
  decodeDer,
  decodeDerSequence,
  DerError,
  type DerNode,
  encodeLength,
  encodeOid,
  encodeSmallInteger,
  readBitString,
  readOctetString,
  readOid,
  readSmallInteger,
  readUnsignedInteger,
} from "../../src/keys/der";
import { bytes, certificateDer } from "./_fixtures";

const hex = (text: string) =>
  Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));

/** Reads every node of a tree the way the parsers do; returns how many it read. */
function walk(node: DerNode, depth = 0): number {
  if ((node.tag & 0x20) === 0 || depth > 64) return 1;
  return childrenOf(node).reduce((count, child) => count + walk(child, depth + 1), 1);
}

/** Runs `action` and fails unless it returns or throws a DerError. */
function onlyDerErrors(action: () => unknown): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DerError);
  }
}

describe("DER reader", () => {
  it("reads tags, lengths and contents", () => {
    const node = decodeDer(hex("300602010504010a"));
    expect(node.tag).toBe(0x30);
    const [integer, octets] = childrenOf(node, 0x30);
    expect(readSmallInteger(integer!)).toBe(5);
    expect([...readOctetString(octets!)]).toEqual([0x0a]);
    expect(decodeDerSequence(hex("05000500"))).toHaveLength(2);
    expect(decodeDerSequence(new Uint8Array(0))).toEqual([]);
  });

  it("reads long-form lengths", () => {
    const value = new Uint8Array(300).fill(7);
    const node = decodeDer(Uint8Array.from([0x04, 0x82, 0x01, 0x2c, ...value]));
    expect(node.value).toEqual(value);
  });

  it("decodes OIDs to dotted strings", () => {
    expect(readOid(decodeDer(hex("06092a864886f70d010101")))).toBe("1.2.840.113549.1.1.1");
    expect(readOid(decodeDer(hex("06082a8648ce3d030107")))).toBe("1.2.840.10045.3.1.7");
    expect(readOid(decodeDer(hex("06052b81040022")))).toBe("1.3.132.0.34");
    expect(readOid(decodeDer(hex("0603883703")))).toBe("2.999.3");
    for (const oid of [
      "1.2.840.113549.1.5.13",
      "2.16.840.1.101.3.4.1.42",
      "0.9.2342.19200300.100.1.1",
      "2.999.3",
    ]) {
      expect(readOid(decodeDer(encodeOid(oid)))).toBe(oid);
    }
  });

  it("reads integers and bit strings", () => {
    expect([...readUnsignedInteger(decodeDer(hex("0203008001")))]).toEqual([0x80, 0x01]);
    expect([...readUnsignedInteger(decodeDer(hex("020100")))]).toEqual([0]);
    expect(readSmallInteger(decodeDer(encodeSmallInteger(2048)))).toBe(2048);
    expect([...readBitString(decodeDer(hex("030300abcd")))]).toEqual([0xab, 0xcd]);
  });

  it("joins BER constructed OCTET STRING segments", () => {
    expect([...readOctetString(decodeDer(hex("240704020102040103")))]).toEqual([1, 2, 3]);
  });

  it.each([
    ["indefinite length", "30800201000000", /indefinite length/],
    ["a length longer than the input", "3005020100", /truncated/],
    ["a missing length", "30", /truncated/],
    ["five length octets", "3085000000000100", /too large/],
    ["a multi-byte tag", "1f810100", /multi-byte/],
    ["trailing bytes", "050000", /after/],
    ["a truncated OID", "06022a86", /truncated OBJECT IDENTIFIER/],
    ["a non-minimal OID arc", "0602802a", /non-minimal/],
    ["an empty OID", "0600", /empty/],
    ["a negative INTEGER", "0201ff", /negative/],
    ["an empty INTEGER", "0200", /empty/],
    ["a BIT STRING with unused bits", "03020101", /unused bits/],
  ])("rejects %s", (_, input, message) => {
    expect(() => {
      const node = decodeDer(hex(input));
      if (node.tag === 0x06) readOid(node);
      if (node.tag === 0x02) readSmallInteger(node);
      if (node.tag === 0x03) readBitString(node);
    }).toThrow(message);
  });

  it("rejects integers too large for a number", () => {
    expect(() => readSmallInteger(decodeDer(hex("02087fffffffffffffff")))).toThrow(DerError);
    expect(() => readOid(decodeDer(hex("060b2affffffffffffffffff01")))).toThrow(DerError);
  });

  it("rejects every truncation of real files with DerError only", () => {
    for (const file of [certificateDer("rsa.crt.pem"), bytes("rsa.nocrypt.pfx")]) {
      expect(walk(decodeDer(file))).toBeGreaterThan(10);
      for (let length = 0; length < file.length; length++) {
        expect(() => decodeDer(file.subarray(0, length))).toThrow(DerError);
      }
    }
  });

  it("never throws anything but DerError on random or mutated input", () => {
    const seed = certificateDer("ec256.crt.pem");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (input) =>
        onlyDerErrors(() => walk(decodeDer(input))),
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 }), (index, value) => {
        const mutated = seed.slice();
        mutated[index] = value;
        onlyDerErrors(() => walk(decodeDer(mutated)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("DER encoders", () => {
  it("encodes lengths in short and long form", () => {
    expect([...encodeLength(0)]).toEqual([0]);
    expect([...encodeLength(127)]).toEqual([127]);
    expect([...encodeLength(128)]).toEqual([0x81, 0x80]);
    expect([...encodeLength(256)]).toEqual([0x82, 0x01, 0x00]);
    expect([...encodeLength(65536)]).toEqual([0x83, 0x01, 0x00, 0x00]);
    expect(() => encodeLength(-1)).toThrow(DerError);
  });

  it("encodes small integers with a sign octet when needed", () => {
    expect([...encodeSmallInteger(0)]).toEqual([2, 1, 0]);
    expect([...encodeSmallInteger(127)]).toEqual([2, 1, 127]);
    expect([...encodeSmallInteger(128)]).toEqual([2, 2, 0, 128]);
    expect([...encodeSmallInteger(1_000_000)]).toEqual([2, 3, 0x0f, 0x42, 0x40]);
  });

  it("rejects invalid OIDs", () => {
    expect(() => encodeOid("3.1")).toThrow(DerError);
    expect(() => encodeOid("1")).toThrow(DerError);
    expect(() => encodeOid("1.x")).toThrow(DerError);
  });
});

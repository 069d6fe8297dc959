// RFC 4514 formatting of X.509 names, on names built here with the DER encoders: RDN order,
// escaping, string types, and the #hex form.
import { describe, expect, it } from "vitest";
import { decodeDer, DerError, encodeOid, encodeSequence, encodeTlv, Tag } from "../../src/keys/der";
import { formatDistinguishedName } from "../../src/keys/distinguished-name";

const UTF8 = 0x0c;
const PRINTABLE = 0x13;
const BMP = 0x1e;
const CN = "2.5.4.3";
const O = "2.5.4.10";
const C = "2.5.4.6";

type Attribute = [oid: string, value: Uint8Array];
const text = (tag: number, value: string) => encodeTlv(tag, new TextEncoder().encode(value));
const attribute = ([oid, value]: Attribute) => encodeSequence(encodeOid(oid), value);
const rdn = (...attributes: Attribute[]) => encodeTlv(Tag.SET, ...attributes.map(attribute));
const name = (...rdns: Uint8Array[]) => decodeDer(encodeSequence(...rdns));
const format = (...rdns: Uint8Array[]) => formatDistinguishedName(name(...rdns));

describe("formatDistinguishedName", () => {
  it("puts the last RDN first and joins multi-valued RDNs with +", () => {
    expect(
      format(
        rdn([C, text(PRINTABLE, "US")]),
        rdn([O, text(UTF8, "Contoso")]),
        rdn([CN, text(UTF8, "app")], ["0.9.2342.19200300.100.1.1", text(UTF8, "u1")]),
      ),
    ).toBe("CN=app+UID=u1,O=Contoso,C=US");
    expect(format()).toBe("");
  });

  it("escapes what RFC 4514 escapes, and control characters", () => {
    const cn = (value: string) => format(rdn([CN, text(UTF8, value)]));
    expect(cn('Contoso, "Ltd" <a+b>;c\\d')).toBe('CN=Contoso\\, \\"Ltd\\" \\<a\\+b\\>\\;c\\\\d');
    expect(cn("#1 app ")).toBe("CN=\\#1 app\\ ");
    expect(cn(" padded")).toBe("CN=\\ padded");
    expect(cn("a#b c")).toBe("CN=a#b c");
    expect(cn("line\nbreak\u0000")).toBe("CN=line\\0abreak\\00");
  });

  it("reads UTF-8, BMPString and single-byte strings", () => {
    const bmp = encodeTlv(BMP, Uint8Array.of(0x00, 0x70, 0x00, 0xe4, 0x20, 0xac));
    expect(format(rdn([CN, text(UTF8, "pässwörd€")]))).toBe("CN=pässwörd€");
    expect(format(rdn([CN, bmp]))).toBe("CN=pä€");
    expect(format(rdn([CN, encodeTlv(0x14, Uint8Array.of(0x63, 0xe9))]))).toBe("CN=cé");
  });

  it("writes unknown types, and values that are not strings, as #hex", () => {
    expect(format(rdn(["1.2.3.4", text(UTF8, "x")]))).toBe("1.2.3.4=#0c0178");
    expect(format(rdn([CN, encodeTlv(Tag.INTEGER, Uint8Array.of(5))]))).toBe("2.5.4.3=#020105");
  });

  it("throws DerError for something that is not a Name", () => {
    expect(() => formatDistinguishedName(decodeDer(encodeSequence(text(UTF8, "x"))))).toThrow(
      DerError,
    );
    const notASequence = decodeDer(text(UTF8, "CN=x"));
    expect(() => formatDistinguishedName(notASequence)).toThrow(DerError);
  });
});

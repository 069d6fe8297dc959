import { describe, expect, it } from "vitest";
import { decodePemBlocks } from "../../src/keys/pem";
import { certificateDer, clientError, expectNoLeak, text } from "./_fixtures";

describe("decodePemBlocks", () => {
  it("decodes every block in order, with text around and between them", () => {
    const blocks = decodePemBlocks(
      `intro\n${text("leaf.crt.pem")}between\n${text("ca.crt.pem")}outro`,
    );
    expect(blocks.map((block) => block.label)).toEqual(["CERTIFICATE", "CERTIFICATE"]);
    expect(blocks.map((block) => block.der)).toEqual([
      certificateDer("leaf.crt.pem"),
      certificateDer("ca.crt.pem"),
    ]);
    expect(blocks[0]?.headers).toEqual({});
  });

  it("tolerates CRLF, CR, indentation and literal \\n escapes", () => {
    const pem = text("rsa.crt.pem");
    const der = certificateDer("rsa.crt.pem");
    for (const variant of [
      pem.replace(/\n/g, "\r\n"),
      pem.replace(/\n/g, "\r"),
      pem.replace(/\n/g, "\n\t "),
      pem.replace(/\n/g, "\\n"),
    ]) {
      expect(decodePemBlocks(variant)[0]?.der).toEqual(der);
    }
  });

  it("reads RFC 1421 headers", () => {
    const [block] = decodePemBlocks(text("rsa.legacy-enc.pem"));
    expect(block?.label).toBe("RSA PRIVATE KEY");
    expect(block?.headers["Proc-Type"]).toBe("4,ENCRYPTED");
    expect(block?.headers["DEK-Info"]).toMatch(/^AES-256-CBC,/);
  });

  it("rejects text without a block", async () => {
    const error = await clientError(
      () => decodePemBlocks("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", "certificate"),
      "invalid_pem",
    );
    expect(error.message).toMatch(/^The certificate is not PEM/);
    expect(error.message).not.toContain("MIIBIjANBgkqhkiG9w0B");
  });

  it("rejects a block without its END line, or with another block inside", async () => {
    const pem = text("rsa.pkcs8.pem");
    const missingEnd = pem.replace("-----END PRIVATE KEY-----", "");
    expectNoLeak(await clientError(() => decodePemBlocks(missingEnd), "invalid_pem"), [], [pem]);
    const wrongEnd = pem.replace("END PRIVATE KEY", "END RSA PRIVATE KEY");
    await clientError(() => decodePemBlocks(wrongEnd), "invalid_pem");
    const nested =
      pem.replace("-----END PRIVATE KEY-----", "") +
      text("rsa.crt.pem") +
      "-----END PRIVATE KEY-----\n";
    await clientError(() => decodePemBlocks(nested), "invalid_pem");
  });

  it("rejects bodies that are not base64, or empty", async () => {
    const pem = text("rsa.pkcs8.pem");
    const broken = pem.replace(/\n(.{10})/, "\n$1*");
    expectNoLeak(await clientError(() => decodePemBlocks(broken), "invalid_pem"), [], [pem]);
    await clientError(
      () => decodePemBlocks("-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----"),
      "invalid_pem",
    );
  });

  it("does not echo a label that could be key material", async () => {
    const body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC";
    const error = await clientError(
      () => decodePemBlocks(`-----BEGIN ${body}-----\nAAAA\n-----END ${body}-----`),
      "invalid_pem",
    );
    expect(error.message).not.toContain(body);
  });
});

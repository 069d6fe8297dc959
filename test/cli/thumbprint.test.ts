// `entra-edge thumbprint`: x5t / x5t#S256 equal the fixtures' expected values; the hex
// thumbprints equal what Node's X509Certificate (OpenSSL) computes.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { keyPath, keys, run } from "./harness";

const expected = JSON.parse(readFileSync(keyPath("expected.json"), "utf8")) as Record<
  string,
  { x5t: string; x5tS256: string; notBefore: string; notAfter: string }
>;
const hexOf = (fingerprint: string) => fingerprint.replaceAll(":", "").toUpperCase();

describe("thumbprint", () => {
  it.each(Object.keys(expected))(
    "--json of %s equals expected.json and OpenSSL's fingerprints",
    async (name) => {
      const { code, stdout, stderr } = await run(["thumbprint", keyPath(name), "--json"]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      const x509 = new X509Certificate(keys(name));
      const want = expected[name]!;
      expect(JSON.parse(stdout)).toEqual({
        x5t: want.x5t,
        "x5t#S256": want.x5tS256,
        thumbprint: hexOf(x509.fingerprint),
        sha256: hexOf(x509.fingerprint256),
        notBefore: want.notBefore,
        notAfter: want.notAfter,
      });
    },
  );

  it("prints aligned lines by default", async () => {
    const { code, stdout } = await run(["thumbprint", keyPath("rsa.crt.pem")]);
    expect(code).toBe(0);
    const want = expected["rsa.crt.pem"]!;
    expect(stdout).toBe(
      [
        `x5t         ${want.x5t}`,
        `x5t#S256    ${want.x5tS256}`,
        `thumbprint  ${hexOf(new X509Certificate(keys("rsa.crt.pem")).fingerprint)}`,
        `sha256      ${hexOf(new X509Certificate(keys("rsa.crt.pem")).fingerprint256)}`,
        `notBefore   ${want.notBefore}`,
        `notAfter    ${want.notAfter}`,
        "",
      ].join("\n"),
    );
  });

  it("takes the leaf (first certificate) of a chain, stdin with '-', and a DER file", async () => {
    const chain = await run(["thumbprint", keyPath("chain.pem"), "--json"]);
    expect(JSON.parse(chain.stdout).x5t).toBe(expected["leaf.crt.pem"]!.x5t);
    const stdin = await run(["thumbprint", "-", "--json"], { stdin: keys("ec256.crt.pem") });
    expect(JSON.parse(stdin.stdout)["x5t#S256"]).toBe(expected["ec256.crt.pem"]!.x5tS256);
    const der = new X509Certificate(keys("rsa.crt.pem")).raw;
    const derRun = await run(["thumbprint", "cert.cer", "--json"], {
      readFile: async () => new Uint8Array(der),
    });
    expect(JSON.parse(derRun.stdout).x5t).toBe(expected["rsa.crt.pem"]!.x5t);
  });

  it.each([
    ["a key, not a certificate", [keyPath("rsa.pkcs8.pem")], "invalid_certificate"],
    ["a file that does not exist", ["/nonexistent/cert.pem"], "unreadable_file"],
  ])("exits 3 for %s", async (_name, argv, errorCode) => {
    const { code, stdout, stderr } = await run(["thumbprint", ...argv]);
    expect(code).toBe(3);
    expect(stdout).toBe("");
    expect(stderr).toMatch(new RegExp(`^entra-edge: ${errorCode}: .+\\n$`));
  });

  it("exits 3 for garbage on stdin", async () => {
    const { code, stderr } = await run(["thumbprint", "-"], { stdin: "hello" });
    expect(code).toBe(3);
    expect(stderr).toMatch(/^entra-edge: invalid_(pem|certificate): /);
  });

  it.each([
    ["no file", []],
    ["two files", ["a.pem", "b.pem"]],
    ["an unknown option", ["--sha1", "a.pem"]],
  ])("exits 2 for %s", async (_name, argv) => {
    const { code, stderr } = await run(["thumbprint", ...argv]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^entra-edge: usage: .*See 'entra-edge thumbprint --help'\.\n$/);
  });

  it("--help explains each value and the exit codes", async () => {
    const { code, stdout } = await run(["thumbprint", "--help"]);
    expect(code).toBe(0);
    for (const text of [
      "x5t ",
      "x5t#S256",
      "Azure portal",
      "--json",
      "Exit codes",
      "3  configuration",
    ])
      expect(stdout).toContain(text);
  });
});

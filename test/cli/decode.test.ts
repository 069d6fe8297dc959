// `entra-edge decode`: header and payload of a JWT, time claims as ISO dates, exit 3 when the
// input is not a JWT.
import { describe, expect, it } from "vitest";
import { emulator, jwt, run, secretEnv } from "./harness";

describe("decode", () => {
  it("prints header, payload and the time claims as ISO dates", async () => {
    const token = jwt(
      { sub: "x", iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_003_600, name: "Zoë" },
      { alg: "PS256", typ: "JWT", kid: "k1" },
    );
    const { code, stdout, stderr } = await run(["decode", token], { now: () => 1_700_000_100_000 });
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(stdout)).toEqual({
      header: { alg: "PS256", typ: "JWT", kid: "k1" },
      payload: {
        sub: "x",
        iat: 1_700_000_000,
        nbf: 1_700_000_000,
        exp: 1_700_003_600,
        name: "Zoë",
      },
      times: {
        iat: "2023-11-14T22:13:20.000Z",
        nbf: "2023-11-14T22:13:20.000Z",
        exp: "2023-11-14T23:13:20.000Z",
      },
      expired: false,
    });
    expect(stdout).not.toContain("c2lnbmF0dXJl"); // the signature is not shown
  });

  it("says when the token has expired, and leaves out missing or non-numeric times", async () => {
    const expired = await run(["decode", jwt({ exp: 1_000 })], { now: () => 2_000_000 });
    expect(JSON.parse(expired.stdout)).toMatchObject({
      times: { exp: "1970-01-01T00:16:40.000Z" },
      expired: true,
    });
    const none = JSON.parse((await run(["decode", jwt({ iat: "yesterday" })])).stdout);
    expect(none.times).toEqual({});
    expect(none).not.toHaveProperty("expired");
  });

  it("reads '-' from stdin, ignoring whitespace and a Bearer prefix", async () => {
    const token = jwt({ aud: "api://x" });
    const { code, stdout } = await run(["decode", "-"], { stdin: `  Bearer ${token}\n` });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).payload).toEqual({ aud: "api://x" });
  });

  it("decodes a token the emulator issued (an unsigned JWT with an empty signature too)", async () => {
    const entra = await emulator();
    const token = (await run(["token"], { env: secretEnv, fetch: entra.fetch })).stdout.trim();
    const decoded = JSON.parse((await run(["decode", token])).stdout);
    expect(decoded.payload).toEqual(await entra.verifyAccessToken(token));
    const unsigned = `${token.split(".").slice(0, 2).join(".")}.`;
    expect((await run(["decode", unsigned])).code).toBe(0);
  });

  it.each([
    ["one part", "abc"],
    ["two parts", "a.b"],
    ["four parts", "a.b.c.d"],
    ["an encrypted JWT", "a.b.c.d.e"],
    ["a header that is not JSON", `${Buffer.from("nope").toString("base64url")}.e30.sig`],
    ["a payload that is not base64url", "e30.***.sig"],
    ["a payload that is a JSON array", `e30.${Buffer.from("[1]").toString("base64url")}.sig`],
    ["an empty header", ".e30.sig"],
    ["a signature that is not base64url", "e30.e30.si+g"],
  ])("exits 3 for %s", async (_name, input) => {
    const { code, stdout, stderr } = await run(["decode", input]);
    expect(code).toBe(3);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^entra-edge: invalid_jwt: .+\n$/);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("exits 3 for empty stdin", async () => {
    const { code, stderr } = await run(["decode", "-"], { stdin: "\n" });
    expect(code).toBe(3);
    expect(stderr).toMatch(/^entra-edge: invalid_jwt: No JWT/);
  });

  it.each([
    ["no JWT", []],
    ["two JWTs", ["a.b.c", "d.e.f"]],
    ["an unknown option", ["--verify", "a.b.c"]],
  ])("exits 2 for %s", async (_name, argv) => {
    const { code, stderr } = await run(["decode", ...argv]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^entra-edge: usage: .*See 'entra-edge decode --help'\.\n$/);
  });

  it("--help says the signature is not verified, and lists the exit codes", async () => {
    const { code, stdout } = await run(["decode", "--help"]);
    expect(code).toBe(0);
    for (const text of [
      "decode <jwt | ->",
      "stdin",
      "ISO",
      "not",
      "verified",
      "Exit codes",
      "3  configuration",
    ])
      expect(stdout).toContain(text);
  });
});

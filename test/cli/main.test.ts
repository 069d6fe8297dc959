// The top level: help, version, unknown commands.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root, run } from "./harness";

const packageVersion = (
  JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }
).version;

describe("entra-edge", () => {
  it.each([["--help"], ["-h"], ["help"]])(
    "%s lists the commands and the exit codes",
    async (flag) => {
      const { code, stdout, stderr } = await run([flag]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      for (const text of [
        "token",
        "thumbprint <cert>",
        "decode <jwt>",
        "--version",
        "Exit codes:",
        "0  success",
        "1  unexpected",
        "2  usage",
        "3  configuration",
        "4  the identity provider",
        "5  throttled",
        "6  network",
      ]) {
        expect(stdout).toContain(text);
      }
    },
  );

  it.each([["--version"], ["-v"], ["version"]])("%s prints the package version", async (flag) => {
    expect(await run([flag])).toEqual({ code: 0, stdout: `${packageVersion}\n`, stderr: "" });
  });

  it("help <command> prints that command's help", async () => {
    for (const command of ["token", "thumbprint", "decode"]) {
      const viaHelp = await run(["help", command]);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.stdout).toBe((await run([command, "--help"])).stdout);
      expect(viaHelp.stdout).toContain(`Usage: entra-edge ${command}`);
    }
  });

  it("exits 2 with the help on stderr when no command is given", async () => {
    const { code, stdout, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Usage: entra-edge <command>");
  });

  it.each([
    ["an unknown command", ["tokens"], "Unknown command 'tokens'"],
    ["an unknown option", ["--frobnicate"], "Unknown option '--frobnicate'"],
    ["help for an unknown command", ["help", "toString"], "Unknown command 'toString'"],
  ])("exits 2 for %s", async (_name, argv, message) => {
    const { code, stdout, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(`entra-edge: usage: ${message}. See 'entra-edge --help'.\n`);
  });
});

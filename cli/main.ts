/**
 * The `entra-edge` command line: `token`, `thumbprint`, `decode`. `main(argv, io)` runs one
 * invocation and returns its exit code; it never exits the process, so tests call it directly
 * with their own output, environment and `fetch`.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { decodeCommand } from "./commands/decode";
import { thumbprintCommand } from "./commands/thumbprint";
import { tokenCommand } from "./commands/token";
import { ExitCode, exitCodeOf, formatError, isParseArgsError, usageError } from "./errors";
import { DECODE_HELP, MAIN_HELP, THUMBPRINT_HELP, TOKEN_HELP } from "./help";
import { type CliIO, resolveIO } from "./io";

export type { CliIO } from "./io";
export { ExitCode } from "./errors";

/** The package version, from the `package.json` next to `cli/` (source) or `dist/` (built). */
export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

const HELP: Readonly<Record<string, string>> = {
  token: TOKEN_HELP,
  thumbprint: THUMBPRINT_HELP,
  decode: DECODE_HELP,
};

/**
 * Runs the CLI with `argv` (the arguments after the program name) and returns the exit code
 * (see {@link ExitCode}). Output goes to `io`; anything not given comes from the process.
 *
 * @example
 * ```ts
 * const out: string[] = [];
 * const code = await main(["decode", jwt], { stdout: (text) => out.push(text) });
 * ```
 */
export async function main(
  argv: readonly string[],
  overrides: Partial<CliIO> = {},
): Promise<number> {
  const io = resolveIO(overrides);
  const secrets: (string | undefined)[] = [];
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.stderr(MAIN_HELP);
        return ExitCode.Usage;
      case "-h":
      case "--help":
        io.stdout(MAIN_HELP);
        return ExitCode.Ok;
      case "-v":
      case "--version":
      case "version":
        io.stdout(`${version()}\n`);
        return ExitCode.Ok;
      case "help": {
        const topic = rest[0];
        if (topic === undefined) {
          io.stdout(MAIN_HELP);
          return ExitCode.Ok;
        }
        const text = Object.hasOwn(HELP, topic) ? HELP[topic] : undefined;
        if (text === undefined) throw usageError(`Unknown command '${topic}'.`, "");
        io.stdout(text);
        return ExitCode.Ok;
      }
      case "token":
        return await tokenCommand(rest, io, (value) => void secrets.push(value));
      case "thumbprint":
        return await thumbprintCommand(rest, io);
      case "decode":
        return await decodeCommand(rest, io);
      default:
        throw usageError(
          command.startsWith("-")
            ? `Unknown option '${command}'.`
            : `Unknown command '${command}'.`,
          "",
        );
    }
  } catch (caught) {
    // parseArgs' own errors (unknown option, missing value) become usage errors that point at the command's help.
    const error = isParseArgsError(caught)
      ? usageError(
          caught.message.replace(/\.?$/, "."),
          command !== undefined && Object.hasOwn(HELP, command) ? command : "",
        )
      : caught;
    try {
      io.stderr(formatError(error, secrets));
    } catch {
      // stderr is gone too: the exit code is all that is left.
    }
    return exitCodeOf(error);
  }
}

/**
 * `entra-edge decode <jwt>`: a JWT's header and claims, without verifying it.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { usageError } from "../errors";
import { DECODE_HELP } from "../help";
import type { CliIO } from "../io";
import { decodeJwt } from "../jwt";
import { readText } from "./files";

/** Runs `decode` with the arguments after the command name. Returns the exit code. */
export async function decodeCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { help: { type: "boolean", short: "h" } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help === true) {
    io.stdout(DECODE_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    throw usageError(
      positionals.length === 0 ? "Missing the JWT (or - to read it from stdin)." : "Pass one JWT.",
      "decode",
    );
  }
  const input = positionals[0] as string;
  const jwt = input === "-" ? await readText(io, "-", "the JWT") : input;
  io.stdout(`${JSON.stringify(decodeJwt(jwt, io.now()), null, 2)}\n`);
  return 0;
}

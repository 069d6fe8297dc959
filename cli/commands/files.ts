/**
 * Reading the files a command names (`-` is stdin), with errors that name the option and the
 * path, never the content.
 *
 * @module
 */

import { inputError } from "../errors";
import type { CliIO } from "../io";

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
}

/** The bytes of `path` (`-`: stdin). @throws CliError `unreadable_file` (exit 3). */
export async function readBytes(io: CliIO, path: string, option: string): Promise<Uint8Array> {
  try {
    return path === "-" ? await io.readStdin() : await io.readFile(path);
  } catch (error) {
    throw inputError(
      "unreadable_file",
      `Cannot read ${option} ${path === "-" ? "from stdin" : `'${path}'`}: ${describe(error)}.`,
    );
  }
}

/** The text of `path` (`-`: stdin). @throws CliError `unreadable_file` (exit 3). */
export async function readText(io: CliIO, path: string, option: string): Promise<string> {
  return new TextDecoder().decode(await readBytes(io, path, option));
}

/**
 * What the CLI touches outside itself: output streams, environment, network, files and clock.
 * `main(argv, io)` takes a partial `CliIO`; tests inject everything, the binary uses the process.
 *
 * @module
 */

import { readFile } from "node:fs/promises";

/** The CLI's view of the outside world. */
export interface CliIO {
  /** Writes to standard output (text as given; callers add newlines). */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Environment variables (`ENTRA_CLIENT_ID`, `ENTRA_CLIENT_SECRET`, ...). */
  env: Readonly<Record<string, string | undefined>>;
  /** The `fetch` token requests go through. Default: the global `fetch`. */
  fetch: typeof fetch;
  /** Reads all of standard input (for `-` in place of a file or a JWT). */
  readStdin(): Promise<Uint8Array>;
  /** Reads a file's bytes. */
  readFile(path: string): Promise<Uint8Array>;
  /** The clock, in milliseconds since the epoch. */
  now(): number;
}

async function readProcessStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return new Uint8Array(Buffer.concat(chunks));
}

/** The process's streams, environment, `fetch` and file system, with `overrides` on top. */
export function resolveIO(overrides: Partial<CliIO> = {}): CliIO {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    fetch: (input, init) => globalThis.fetch(input, init),
    readStdin: readProcessStdin,
    readFile: async (path) => new Uint8Array(await readFile(path)),
    now: () => Date.now(),
    ...overrides,
  };
}

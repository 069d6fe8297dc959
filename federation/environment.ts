/**
 * Environment variables on every runtime, read only when a token is needed: `Deno.env` on Deno
 * (which asks for `--allow-env`), `process.env` on Node, Bun and Vercel; none on workerd.
 *
 * @module
 */

import { ClientError } from "../src/errors";

interface DenoEnv {
  readonly env: { get(name: string): string | undefined };
}

interface ProcessEnv {
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The value of `name`, or `undefined` when it is unset or empty.
 * @throws ClientError `invalid_client_assertion` when the runtime refuses to read it (Deno
 *   without `--allow-env`); the message names `source`, the variable and the flag.
 */
export function environmentVariable(name: string, source: string): string | undefined {
  const deno = (globalThis as { Deno?: DenoEnv }).Deno;
  let value: string | undefined;
  if (typeof deno?.env?.get === "function") {
    try {
      value = deno.env.get(name);
    } catch (error) {
      throw new ClientError(
        "invalid_client_assertion",
        `${source} cannot read the environment variable ${name} (${error instanceof Error ? error.name : typeof error}): run Deno with --allow-env=${name}.`,
      );
    }
  } else {
    value = (globalThis as { process?: ProcessEnv }).process?.env?.[name];
  }
  return typeof value === "string" && value !== "" ? value : undefined;
}

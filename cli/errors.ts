/**
 * Exit codes and the one-line error report. Library errors map by class; the CLI's own errors
 * are a usage error (exit 2) or an input error (exit 3, like a `ClientError`).
 *
 * @module
 */

import {
  ClientError,
  EntraEdgeError,
  NetworkError,
  ServiceError,
  ThrottledError,
} from "../src/index";

/** The exit codes, stable for scripts (also listed by `entra-edge --help`). */
export const ExitCode = {
  Ok: 0,
  Unexpected: 1,
  Usage: 2,
  Input: 3,
  Service: 4,
  Throttled: 5,
  Network: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A usage or input error found by the CLI itself. */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  /** The command whose `--help` to point at, for usage errors. */
  readonly helpFor: string | undefined;

  constructor(code: string, message: string, exitCode: ExitCode, helpFor?: string) {
    super(message);
    this.name = "CliError";
    this.code = code;
    this.exitCode = exitCode;
    this.helpFor = helpFor;
  }
}

/** A wrong invocation: unknown command or option, missing argument, conflicting options. Exit 2. */
export function usageError(message: string, command?: string): CliError {
  return new CliError("usage", message, ExitCode.Usage, command);
}

/** Input that cannot be used: an unreadable file, a malformed JWT. Exit 3. */
export function inputError(code: string, message: string): CliError {
  return new CliError(code, message, ExitCode.Input);
}

/** The exit code for an error: by class for library errors, then 1 for anything else. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ThrottledError) return ExitCode.Throttled;
  if (error instanceof ServiceError) return ExitCode.Service;
  if (error instanceof NetworkError) return ExitCode.Network;
  if (error instanceof ClientError) return ExitCode.Input;
  if (isParseArgsError(error)) return ExitCode.Usage;
  return ExitCode.Unexpected;
}

/** `node:util` parseArgs rejects unknown options and missing values with these codes. */
export function isParseArgsError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}

const MIN_REDACTED_LENGTH = 4;

/**
 * The error as one line for stderr: `entra-edge: <code>: <message>`, with the AADSTS numbers,
 * HTTP status and correlation id of a `ServiceError`. Any of `secrets` that appears anyway is
 * replaced by `[redacted]` (the library never puts one in a message; this is a second guard).
 */
export function formatError(error: unknown, secrets: readonly (string | undefined)[] = []): string {
  let code: string;
  let message: string;
  if (error instanceof CliError) {
    code = error.code;
    message = error.message;
    if (error.helpFor !== undefined)
      message += ` See 'entra-edge ${error.helpFor === "" ? "" : `${error.helpFor} `}--help'.`;
  } else if (isParseArgsError(error)) {
    code = "usage";
    message = error.message;
  } else if (error instanceof EntraEdgeError) {
    code = error.code;
    message = error.message;
    const details: string[] = [];
    if (error instanceof ServiceError) {
      if (error.status !== 0) details.push(`HTTP ${error.status}`);
      if (error.error !== undefined && !message.includes(error.error)) details.push(error.error);
      for (const number of error.errorCodes)
        if (!message.includes(`AADSTS${number}`)) details.push(`AADSTS${number}`);
      if (error.retryAfterMs !== undefined)
        details.push(`retry after ${Math.ceil(error.retryAfterMs / 1000)} s`);
    }
    if (error.correlationId !== undefined && !message.includes(error.correlationId))
      details.push(`correlation id ${error.correlationId}`);
    if (details.length > 0) message += ` (${details.join(", ")})`;
  } else if (error instanceof Error) {
    code = "unexpected_error";
    message = `${error.name}: ${error.message}`;
  } else {
    code = "unexpected_error";
    message = String(error);
  }
  let line = `entra-edge: ${code}: ${message}`.replace(/\s*[\r\n]+\s*/g, " ").trim();
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= MIN_REDACTED_LENGTH)
      line = line.split(secret).join("[redacted]");
  }
  return `${line}\n`;
}

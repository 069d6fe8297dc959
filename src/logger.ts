/**
 * Logging: any object with `error`/`warn`/`info`/`debug` methods (`console`, pino, winston, a
 * Workers `console`) receives entra-edge's log lines. Lines never contain a secret, a private
 * key, an assertion or an access token. Tenant ids and client ids are personal data in some
 * jurisdictions: they appear only when `piiLoggingEnabled` is on.
 *
 * @module
 */

import { EntraEdgeError, ServiceError } from "./errors";

/** Verbosity, most severe first. */
export type LogLevel = "error" | "warning" | "info" | "verbose";

/**
 * The logger shape entra-edge writes to. `console` fits, as do pino and winston loggers.
 *
 * @example
 * ```ts
 * builder.withLogging(console, { level: "info" });
 * ```
 */
export interface Logger {
  /** A failure the caller will see, or a broken store or hook. */
  error(message: string, data?: Record<string, unknown>): void;
  /** Something went wrong but the acquisition goes on (a cache failure, a retry, a fallback). */
  warn(message: string, data?: Record<string, unknown>): void;
  /** A token request and why it was made. */
  info(message: string, data?: Record<string, unknown>): void;
  /** Details for troubleshooting. */
  debug(message: string, data?: Record<string, unknown>): void;
}

/** Options of `withLogging`. */
export interface LoggingOptions {
  /** The most verbose level written. Default `"warning"`. */
  level?: LogLevel;
  /** Whether tenant and client ids may appear in log lines. Default `false`. */
  piiLoggingEnabled?: boolean;
}

const rank: Record<LogLevel, number> = { error: 0, warning: 1, info: 2, verbose: 3 };

/** The internal log: level checks are a number comparison, so disabled lines cost nothing. */
export class Log {
  readonly #logger: Logger | undefined;
  readonly #rank: number;
  /** Whether personal data (tenant, client id) may be written. */
  readonly pii: boolean;

  constructor(logger: Logger | undefined, options: LoggingOptions = {}) {
    this.#logger = logger;
    this.#rank = logger === undefined ? -1 : rank[options.level ?? "warning"];
    this.pii = options.piiLoggingEnabled ?? false;
  }

  /** Whether lines of `level` are written; check it before building an expensive line. */
  enabled(level: LogLevel): boolean {
    return rank[level] <= this.#rank;
  }

  /** Writes `message` at `level` with structured `data` (never secrets). */
  write(level: LogLevel, message: string, data?: Record<string, unknown>): void {
    if (!this.enabled(level) || this.#logger === undefined) return;
    const line = `[entra-edge] ${message}`;
    try {
      if (level === "error") this.#logger.error(line, data);
      else if (level === "warning") this.#logger.warn(line, data);
      else if (level === "info") this.#logger.info(line, data);
      else this.#logger.debug(line, data);
    } catch {
      // A broken logger must never fail an acquisition.
    }
  }

  /** `value` when PII logging is on, else a placeholder. */
  redact(value: string | undefined): string {
    return this.pii ? String(value) : "(hidden: enable piiLoggingEnabled)";
  }

  /**
   * An error for a log line: its code and status always; its message (which names the tenant's
   * token endpoint and the service's text about the client) only with PII logging on.
   */
  describe(error: unknown): string {
    if (!(error instanceof EntraEdgeError))
      return error instanceof Error ? error.name : "unknown error";
    const status =
      error instanceof ServiceError
        ? ` (HTTP ${error.status}${error.errorCodes.length > 0 ? `, AADSTS${error.errorCodes.join(",")}` : ""})`
        : "";
    return `${error.code}${status}${this.pii ? `: ${error.message}` : ""}`;
  }
}

/**
 * Starts a real, throwaway `redis-server` (the Debian package) on a free loopback port, without
 * persistence, for tests. A missing binary is a test failure with install instructions, never a
 * skip.
 *
 * @example
 * ```ts
 * let server: RedisServer;
 * beforeAll(async () => { server = await startRedisServer(); });
 * afterAll(() => server?.stop());
 * // new Redis(server.url) ...
 * ```
 *
 * @module
 */

import { spawn, type ChildProcess } from "node:child_process";
import { createConnection, createServer } from "node:net";

/** A running server. */
export interface RedisServer {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL after 3 s) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisServer}. */
export interface StartRedisServerOptions {
  /** The binary. Default: `$REDIS_SERVER_BIN`, else `redis-server` from PATH. */
  readonly binary?: string;
  /** How long to wait for `PING` to answer, in ms. Default 10,000. */
  readonly readyTimeoutMs?: number;
}

const INSTALL_HINT =
  "redis-server is required by the Redis adapter tests (they never skip). Install it with:\n" +
  "  apt-get update && apt-get install -y redis-server\n" +
  "(or set REDIS_SERVER_BIN to a redis-server binary)";

/**
 * Starts `redis-server --port N --bind 127.0.0.1 --save '' --appendonly no` on a free port and
 * resolves once it answers `PING`. Retries with another port if the chosen one was taken.
 */
export async function startRedisServer(
  options: StartRedisServerOptions = {},
): Promise<RedisServer> {
  const binary = options.binary ?? process.env["REDIS_SERVER_BIN"] ?? "redis-server";
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await startOn(binary, port, readyTimeoutMs);
    } catch (error) {
      if (error instanceof RedisServerMissingError) throw error;
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

// --- Internal helpers ---

class RedisServerMissingError extends Error {
  override name = "RedisServerMissingError";
}

async function startOn(binary: string, port: number, readyTimeoutMs: number): Promise<RedisServer> {
  const child = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  // Never leave a server behind if the test process dies without running its teardown.
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  void exitedPromise(child).then(() => process.off("exit", killOnExit));
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<string>((resolve) => {
    child.on("error", (error: NodeJS.ErrnoException) => {
      resolve(error.code === "ENOENT" ? "ENOENT" : error.message);
    });
    child.on("exit", (code, signal) =>
      resolve(`exited with code ${String(code)}, signal ${String(signal)}`),
    );
  });

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const early = await Promise.race([exited, sleep(0).then(() => undefined)]);
    if (early === "ENOENT")
      throw new RedisServerMissingError(`${binary} not found.\n${INSTALL_HINT}`);
    if (early !== undefined) throw new Error(`redis-server on port ${port} ${early}:\n${output}`);
    if (await ping(port)) break;
    if (Date.now() > deadline) {
      await stopChild(child, exited);
      throw new Error(
        `redis-server on port ${port} did not answer PING within ${readyTimeoutMs} ms:\n${output}`,
      );
    }
    await sleep(25);
  }

  let stopping: Promise<void> | undefined;
  return {
    host: "127.0.0.1",
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => (stopping ??= stopChild(child, exited)),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(killer);
}

/** Sends an inline `PING` and resolves true on `+PONG`. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.setEncoding("utf8").on("data", (chunk: string) => {
      reply += chunk;
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

function exitedPromise(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts a real, throwaway Redis Cluster for tests: three `redis-server --cluster-enabled yes`
 * masters (the Debian package) on free loopback ports, each with its own temporary directory,
 * joined by `redis-cli --cluster create … --cluster-replicas 0`. A missing binary is a test
 * failure with install instructions, never a skip.
 *
 * @example
 * ```ts
 * let cluster: RedisCluster;
 * beforeAll(async () => { cluster = await startRedisCluster(); }, 30_000);
 * afterAll(() => cluster?.stop());
 * // new Redis.Cluster(cluster.nodes) ... createCluster({ rootNodes: [{ url: cluster.urls[0] }] })
 * ```
 *
 * @module
 */

import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running cluster of three masters. */
export interface RedisCluster {
  /** The masters' addresses. */
  readonly nodes: readonly { readonly host: "127.0.0.1"; readonly port: number }[];
  /** `redis://127.0.0.1:<port>` of each master. */
  readonly urls: readonly string[];
  /** Stops every server (SIGTERM, then SIGKILL after 3 s) and removes their directories. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /** Default: `$REDIS_SERVER_BIN`, else `redis-server` from PATH. */
  readonly serverBinary?: string;
  /** Default: `$REDIS_CLI_BIN`, else `redis-cli` from PATH. */
  readonly cliBinary?: string;
  /** How long to wait for the servers and then for `cluster_state:ok`, in ms. Default 15,000. */
  readonly readyTimeoutMs?: number;
}

const INSTALL_HINT =
  "redis-server and redis-cli are required by the Redis Cluster tests (they never skip). Install them with:\n" +
  "  apt-get update && apt-get install -y redis-server redis-tools\n" +
  "(or set REDIS_SERVER_BIN and REDIS_CLI_BIN)";

const MASTERS = 3;

/**
 * Starts three cluster-enabled servers, creates the cluster and resolves once every node reports
 * `cluster_state:ok`. On failure, whatever was started is stopped before the promise rejects.
 */
export async function startRedisCluster(
  options: StartRedisClusterOptions = {},
): Promise<RedisCluster> {
  const server = options.serverBinary ?? process.env["REDIS_SERVER_BIN"] ?? "redis-server";
  const cli = options.cliBinary ?? process.env["REDIS_CLI_BIN"] ?? "redis-cli";
  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  const started: Started[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((node) => stopNode(node)));
  };
  try {
    const ports = await clusterPorts(MASTERS);
    for (const port of ports) started.push(await startNode(server, port));
    for (const node of started) {
      while (
        !/PONG/.test(await run(cli, ["-p", String(node.port), "ping"]).catch(rethrowMissing))
      ) {
        if (node.exited !== undefined)
          throw new Error(`redis-server on port ${node.port} ${node.exited}:\n${node.output()}`);
        if (Date.now() > deadline)
          throw new Error(
            `redis-server on port ${node.port} did not answer PING:\n${node.output()}`,
          );
        await sleep(25);
      }
    }
    await run(cli, [
      "--cluster",
      "create",
      ...ports.map((port) => `127.0.0.1:${port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    for (const port of ports) {
      while (!/cluster_state:ok/.test(await run(cli, ["-p", String(port), "cluster", "info"]))) {
        if (Date.now() > deadline) throw new Error(`the cluster on port ${port} is not ok in time`);
        await sleep(50);
      }
    }
    let stopping: Promise<void> | undefined;
    return {
      nodes: ports.map((port) => ({ host: "127.0.0.1", port })),
      urls: ports.map((port) => `redis://127.0.0.1:${port}`),
      stop: () => (stopping ??= stop()),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

// --- Internal helpers ---

interface Started {
  readonly port: number;
  readonly dir: string;
  readonly child: ChildProcess;
  readonly done: Promise<void>;
  /** Set once the process exited (or failed to start). */
  exited: string | undefined;
  output(): string;
}

async function startNode(binary: string, port: number): Promise<Started> {
  const dir = await mkdtemp(join(tmpdir(), `entra-edge-redis-cluster-${port}-`));
  const child = spawn(
    binary,
    [
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      join(dir, `nodes-${port}.conf`),
      "--dir",
      dir,
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  // Never leave a server behind if the test process dies without running its teardown.
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const node: Started = {
    port,
    dir,
    child,
    exited: undefined,
    output: () => output,
    done: new Promise<void>((resolve) => {
      child.once("error", (error: NodeJS.ErrnoException) => {
        node.exited = error.code === "ENOENT" ? "ENOENT" : error.message;
        resolve();
      });
      child.once("exit", (code, signal) => {
        node.exited ??= `exited with code ${String(code)}, signal ${String(signal)}`;
        resolve();
      });
    }).then(() => {
      process.off("exit", killOnExit);
    }),
  };
  await sleep(0);
  if (node.exited === "ENOENT") {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${binary} not found.\n${INSTALL_HINT}`);
  }
  return node;
}

async function stopNode(node: Started): Promise<void> {
  if (node.exited === undefined) {
    node.child.kill("SIGTERM");
    const killer = setTimeout(() => node.child.kill("SIGKILL"), 3000);
    await node.done;
    clearTimeout(killer);
  }
  await rm(node.dir, { recursive: true, force: true });
}

/** Runs `binary args` and resolves to its standard output; rejects on a non-zero exit. */
function run(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error === null) return resolve(stdout);
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        return reject(new Error(`${binary} not found.\n${INSTALL_HINT}`));
      reject(new Error(`${binary} ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`));
    });
  });
}

/** `redis-cli ping` fails while the server is starting: an empty answer, unless redis-cli is missing. */
function rethrowMissing(error: unknown): string {
  if (error instanceof Error && error.message.includes("not found.")) throw error;
  return "";
}

/**
 * `count` distinct ports that were free a moment ago on 127.0.0.1, each with its cluster bus port
 * (port + 10,000) free too.
 */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await listenFree(0);
    if (port > 55_535 || ports.includes(port) || ports.includes(port + 10_000)) continue;
    if (ports.some((other) => other + 10_000 === port)) continue;
    if ((await listenFree(port + 10_000).catch(() => 0)) === 0) continue;
    ports.push(port);
  }
  return ports;
}

/** Listens on `port` (0: any) on 127.0.0.1, closes, and resolves to the port. */
function listenFree(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const bound = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (bound > 0 ? resolve(bound) : reject(new Error("no free port"))));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

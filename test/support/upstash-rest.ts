/**
 * A local stand-in for Upstash's REST API in front of a real `redis-server`, for tests of the
 * `@upstash/redis` client. It speaks the protocol as the client sends it and as Upstash documents
 * it (https://upstash.com/docs/redis/features/restapi):
 *
 * - `POST /` with one command as a JSON array (`["SET", "k", "v", "PX", 60000]`; numbers allowed),
 *   answered `{ "result": … }`, or `{ "error": "…" }` with status 400 when Redis refuses it;
 * - `POST /pipeline` with an array of commands, answered with an array of `{ result }` /
 *   `{ error }` (status 200), and `POST /multi-exec` the same inside `MULTI`/`EXEC` (a transaction
 *   Redis discards is one `{ error }`, status 400);
 * - `Authorization: Bearer <token>` checked on every request (401 otherwise);
 * - with `Upstash-Encoding: base64` (which the client sends by default), every string in a result
 *   is the base64 of its bytes, except the status reply `OK`.
 *
 * Only `node:` imports, so `test/e2e/run.mjs` can load it too.
 *
 * @example
 * ```ts
 * const redis = await startRedisServer();
 * const rest = await startUpstashRest({ redisPort: redis.port });
 * const client = new Redis({ url: rest.url, token: rest.token });
 * ```
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { connectResp, type RespConnection, type RespReply } from "./resp-connection";

/** A running REST endpoint. */
export interface UpstashRest {
  /** `http://127.0.0.1:<port>`, the client's `url`. */
  readonly url: string;
  /** The bearer token it accepts, the client's `token`. */
  readonly token: string;
  /** Requests served so far, by path (`/`, `/pipeline`, `/multi-exec`), refused ones included. */
  readonly requests: ReadonlyMap<string, number>;
  /** Closes the HTTP server and the Redis connection. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startUpstashRest}. */
export interface StartUpstashRestOptions {
  /** The port of a `redis-server` on 127.0.0.1. */
  readonly redisPort: number;
  /** The bearer token to require. Default: a random one. */
  readonly token?: string;
}

/** Starts the endpoint on a free loopback port, over one connection to the Redis server. */
export async function startUpstashRest(options: StartUpstashRestOptions): Promise<UpstashRest> {
  const token = options.token ?? `test-token-${crypto.randomUUID()}`;
  const redis = await connectResp(options.redisPort);
  const requests = new Map<string, number>();
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    serve(redis, token, path, request).then(
      ({ status, body }) => send(response, status, body),
      (error: unknown) => send(response, 500, { error: `ERR ${String(error)}` }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }).then(() => redis.close())),
  };
}

// --- Internal helpers ---

type Json = string | number | null | Json[] | { [key: string]: Json };

interface Answer {
  readonly status: number;
  readonly body: Json;
}

async function serve(
  redis: RespConnection,
  token: string,
  path: string,
  request: IncomingMessage,
): Promise<Answer> {
  if (request.headers.authorization !== `Bearer ${token}`)
    return { status: 401, body: { error: "Unauthorized" } };
  if (request.method !== "POST") return { status: 405, body: { error: "Method Not Allowed" } };
  const base64 = String(request.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return { status: 400, body: { error: "ERR failed to parse command" } };
  }
  if (path === "/") {
    const command = commandOf(body);
    if (command === undefined) return badCommand();
    const [reply = null] = await redis.send([command]);
    return reply instanceof Error
      ? { status: 400, body: { error: reply.message } }
      : { status: 200, body: { result: toJson(reply, base64) } };
  }
  if (path === "/pipeline" || path === "/multi-exec") {
    const commands = Array.isArray(body) ? body.map(commandOf) : [];
    if (commands.length === 0 || commands.some((command) => command === undefined))
      return badCommand();
    const valid = commands as string[][];
    if (path === "/pipeline")
      return { status: 200, body: (await redis.send(valid)).map((reply) => entry(reply, base64)) };
    const replies = await redis.send([["MULTI"], ...valid, ["EXEC"]]);
    const exec = replies[replies.length - 1];
    if (exec instanceof Error) return { status: 400, body: { error: exec.message } };
    if (!Array.isArray(exec)) return { status: 400, body: { error: "ERR transaction discarded" } };
    return { status: 200, body: exec.map((reply) => entry(reply, base64)) };
  }
  return { status: 404, body: { error: `ERR unknown endpoint ${path}` } };
}

function badCommand(): Answer {
  return {
    status: 400,
    body: { error: "ERR the body must be a command: a JSON array of strings" },
  };
}

/** A command from the body: a non-empty array of strings and numbers, all sent as strings. */
function commandOf(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const command: string[] = [];
  for (const part of value) {
    if (typeof part === "string") command.push(part);
    else if (typeof part === "number" || typeof part === "boolean") command.push(String(part));
    else return undefined;
  }
  return command;
}

function entry(reply: RespReply, base64: boolean): Json {
  return reply instanceof Error ? { error: reply.message } : { result: toJson(reply, base64) };
}

/** A reply as Upstash writes it: bulk and status strings as text or base64 (`OK` as is). */
function toJson(reply: RespReply, base64: boolean): Json {
  if (reply === null || typeof reply === "number") return reply;
  if (reply instanceof Error) return reply.message;
  if (Array.isArray(reply)) return reply.map((item) => toJson(item, base64));
  if (typeof reply === "object" && "status" in reply)
    return base64 && reply.status !== "OK"
      ? Buffer.from(reply.status).toString("base64")
      : reply.status;
  return base64 ? reply.toString("base64") : reply.toString("utf8");
}

function send(response: ServerResponse, status: number, body: Json): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

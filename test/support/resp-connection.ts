/**
 * A minimal Redis (RESP2) connection for test servers that must see replies exactly as Redis
 * sends them: a status (`+OK`) apart from a bulk string, bytes apart from text. Commands written
 * in one `send` go out in one write, so a `MULTI … EXEC` batch is never interleaved with another.
 *
 * @module
 */

import { connect, type Socket } from "node:net";

/** One reply: nil, an integer, a bulk string (bytes), a status, an error, or an array. */
export type RespReply = null | number | Buffer | { readonly status: string } | Error | RespReply[];

/** An open connection. */
export interface RespConnection {
  /** Sends the commands in one write and resolves with their replies, in order. */
  send(commands: readonly (readonly string[])[]): Promise<RespReply[]>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** Connects to a Redis server on 127.0.0.1. */
export async function connectResp(port: number): Promise<RespConnection> {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const waiting: { count: number; replies: RespReply[]; done: (r: RespReply[]) => void }[] = [];
  let failure: Error | undefined;
  let buffer = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const parsed = parseReply(buffer, 0);
      if (parsed === undefined) break;
      buffer = buffer.subarray(parsed.end);
      const head = waiting[0];
      if (head === undefined) continue;
      head.replies.push(parsed.reply);
      if (head.replies.length === head.count) {
        waiting.shift();
        head.done(head.replies);
      }
    }
  });
  socket.on("error", (error) => (failure = error));
  socket.on("close", () => {
    failure ??= new Error("the Redis connection closed");
    for (const pending of waiting.splice(0))
      pending.done([
        ...pending.replies,
        ...Array(pending.count - pending.replies.length).fill(failure),
      ]);
  });
  return {
    send(commands) {
      if (failure !== undefined) return Promise.resolve(commands.map(() => failure as Error));
      return new Promise((done) => {
        waiting.push({ count: commands.length, replies: [], done });
        socket.write(Buffer.concat(commands.map(encodeCommand)));
      });
    },
    close: () => closeSocket(socket),
  };
}

function encodeCommand(command: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${command.length}\r\n`)];
  for (const argument of command) {
    const bytes = Buffer.from(argument, "utf8");
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Parses one reply at `offset`; `undefined` while it is incomplete. */
function parseReply(data: Buffer, offset: number): { reply: RespReply; end: number } | undefined {
  const lineEnd = data.indexOf("\r\n", offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(data[offset] as number);
  const line = data.toString("utf8", offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case "+":
      return { reply: { status: line }, end: next };
    case "-":
      return { reply: new Error(line), end: next };
    case ":":
      return { reply: Number(line), end: next };
    case "$": {
      const length = Number(line);
      if (length < 0) return { reply: null, end: next };
      if (data.length < next + length + 2) return undefined;
      return { reply: Buffer.from(data.subarray(next, next + length)), end: next + length + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: RespReply[] = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(data, end);
        if (item === undefined) return undefined;
        items.push(item.reply);
        end = item.end;
      }
      return { reply: items, end };
    }
    default:
      throw new Error(`unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}

function closeSocket(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once("close", () => resolve());
    socket.end();
  });
}

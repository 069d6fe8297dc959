/**
 * Reads a response body as text with a size cap enforced while streaming: the body is read chunk
 * by chunk and the stream is cancelled as soon as the cap is passed, so an oversized answer costs
 * at most the cap in memory, with or without a `content-length`. Every body the library reads from
 * the network (token responses, OIDC discovery) goes through here.
 *
 * @module
 */

/** The largest body read from the network: 1 MiB. A token response or discovery document is a few KB. */
export const maxResponseBytes = 1024 * 1024;

/** A body read with {@link readCappedText}: its text, or the fact that it was over the cap. */
export type CappedBody =
  | { readonly tooLarge: false; readonly text: string }
  | { readonly tooLarge: true; readonly text: undefined };

const tooLarge: CappedBody = { tooLarge: true, text: undefined };

/**
 * Reads `response`'s body as UTF-8 text (as `Response.text()` does), giving up past `limit` bytes.
 * A declared `content-length` over the limit is refused without reading; a body without one is
 * counted as it streams. When `signal` aborts, the stream is cancelled and the read rejects with
 * the signal's reason.
 *
 * @param limit the most bytes to read, default {@link maxResponseBytes}.
 * @returns `{ tooLarge: true }` when the body is larger than `limit`; the stream is then cancelled.
 * @throws what reading the stream throws (a reset mid-body), the signal's reason when it aborts,
 *   or `TypeError` for a chunk that is not bytes.
 */
export async function readCappedText(
  response: Response,
  limit: number = maxResponseBytes,
  signal?: AbortSignal,
): Promise<CappedBody> {
  const body = response.body;
  const declared = response.headers.get("content-length");
  if (declared !== null && /^\s*\d+\s*$/.test(declared) && Number(declared) > limit) {
    if (body !== null) void body.cancel().catch(ignore);
    return tooLarge;
  }
  if (body === null) return { tooLarge: false, text: "" };
  const reader = body.getReader();
  const cancel = (): void => void reader.cancel(signal?.reason).catch(ignore);
  if (signal?.aborted === true) cancel();
  else signal?.addEventListener("abort", cancel, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = (await reader.read()) as ReadableStreamReadResult<unknown>;
      // A cancelled stream reads as done: an aborted read is a failure, never a short body.
      if (signal?.aborted === true) throw abortReason(signal);
      if (done) break;
      if (!ArrayBuffer.isView(value))
        throw new TypeError("The response body stream produced a chunk that is not bytes.");
      total += value.byteLength;
      if (total > limit) {
        void reader.cancel().catch(ignore);
        return tooLarge;
      }
      chunks.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    }
  } finally {
    signal?.removeEventListener("abort", cancel);
  }
  return { tooLarge: false, text: decode(chunks, total) };
}

/** Cancels a body that will not be read, so the connection is released; never throws. */
export function discardBody(response: Response): void {
  if (response.body !== null && !response.bodyUsed) void response.body.cancel().catch(ignore);
}

function decode(chunks: readonly Uint8Array[], total: number): string {
  if (chunks.length === 1) return new TextDecoder().decode(chunks[0]);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The body read was aborted.", "AbortError");
}

function ignore(): void {}

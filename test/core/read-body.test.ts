// The capped body reader every network reader uses: the cap holds while streaming, with or
// without content-length, the stream is cancelled past it, and the text is what Response.text()
// would give.
import { describe, expect, it } from "vitest";
import { discardBody, maxResponseBytes, readCappedText } from "../../src/internal/read-body";

/** A body of `chunks` chunks of `size` bytes each, counting what was pulled and whether it was cancelled. */
function streamed(chunks: number, size: number) {
  const state = { pulled: 0, cancelled: false };
  const chunk = new Uint8Array(size).fill(0x61);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= chunks) return controller.close();
      state.pulled++;
      controller.enqueue(chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { state, response: new Response(stream, { status: 200 }) };
}

describe("readCappedText", () => {
  it("reads a small body as Response.text() does (UTF-8 across chunks, BOM dropped, empty body)", async () => {
    const text = '\uFEFF{"a":"é€😀"}';
    const bytes = new TextEncoder().encode(text);
    const split = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    const expected = await new Response(text).text();
    await expect(readCappedText(new Response(split))).resolves.toEqual({
      tooLarge: false,
      text: expected,
    });
    await expect(readCappedText(new Response(null))).resolves.toEqual({
      tooLarge: false,
      text: "",
    });
    await expect(readCappedText(new Response(""))).resolves.toEqual({ tooLarge: false, text: "" });
  });

  it("the cap is 1 MiB; exactly the cap is read, one byte more is not", async () => {
    expect(maxResponseBytes).toBe(1024 * 1024);
    const exact = await readCappedText(new Response("x".repeat(maxResponseBytes)));
    expect(exact.tooLarge).toBe(false);
    expect(exact.text?.length).toBe(maxResponseBytes);
    const over = await readCappedText(new Response("x".repeat(maxResponseBytes + 1)));
    expect(over).toEqual({ tooLarge: true, text: undefined });
  });

  it("a 5 MB body without content-length: stops past the cap and cancels the stream", async () => {
    const { state, response } = streamed(80, 64 * 1024); // 5 MiB in 64 KiB chunks
    expect(response.headers.get("content-length")).toBeNull();
    const body = await readCappedText(response);
    expect(body.tooLarge).toBe(true);
    expect(state.pulled).toBeLessThanOrEqual(18); // 1 MiB + one chunk, and the stream's own read-ahead
    expect(state.cancelled).toBe(true);
  });

  it("an endless body ends at the cap", async () => {
    const state = { cancelled: false };
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(4096)),
      cancel: () => void (state.cancelled = true),
    });
    await expect(readCappedText(new Response(endless))).resolves.toMatchObject({ tooLarge: true });
    expect(state.cancelled).toBe(true);
  });

  it("a declared content-length over the cap is refused without reading a byte", async () => {
    const { state, response } = streamed(80, 64 * 1024);
    const declared = new Response(response.body, {
      headers: { "content-length": String(5 * 1024 * 1024) },
    });
    await expect(readCappedText(declared)).resolves.toMatchObject({ tooLarge: true });
    expect(state.pulled).toBeLessThanOrEqual(1);
    expect(state.cancelled).toBe(true);
  });

  it("a smaller cap is honoured", async () => {
    await expect(readCappedText(new Response("0123456789"), 9)).resolves.toMatchObject({
      tooLarge: true,
    });
    await expect(readCappedText(new Response("012345678"), 9)).resolves.toMatchObject({
      tooLarge: false,
      text: "012345678",
    });
  });

  it("an abort cancels the stream; a stream error or a chunk that is not bytes is thrown", async () => {
    const state = { cancelled: false };
    const hanging = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(new Uint8Array(10)),
      cancel: () => void (state.cancelled = true),
    });
    const controller = new AbortController();
    const pending = readCappedText(new Response(hanging), maxResponseBytes, controller.signal);
    controller.abort(new Error("deadline"));
    await expect(pending).rejects.toThrow("deadline");
    expect(state.cancelled).toBe(true);

    const failing = new ReadableStream<Uint8Array>({
      pull: (c) => c.error(Object.assign(new Error("reset"), { code: "ECONNRESET" })),
    });
    await expect(readCappedText(new Response(failing))).rejects.toMatchObject({
      code: "ECONNRESET",
    });
    const strings = new ReadableStream<unknown>({
      start(c) {
        c.enqueue("text");
        c.close();
      },
    });
    await expect(
      readCappedText(new Response(strings as ReadableStream<Uint8Array>)),
    ).rejects.toBeInstanceOf(TypeError);
  });

  it("discardBody cancels an unread body and ignores a used or empty one", async () => {
    const { state, response } = streamed(4, 10);
    discardBody(response);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(state.cancelled).toBe(true);
    const used = new Response("x");
    await used.text();
    expect(() => discardBody(used)).not.toThrow();
    expect(() => discardBody(new Response(null))).not.toThrow();
  });
});

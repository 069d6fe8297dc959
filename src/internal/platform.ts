/**
 * Library and runtime names for the `x-client-*` telemetry headers. Contained here: this is the
 * only place that looks at runtime globals, and it only reads them.
 *
 * @module
 */

/** `x-client-VER`: package.json's, written out for JSR's TS source; check-package.mjs checks it. */
export const libraryVersion = "0.1.0";

/** The library name sent as `x-client-SKU`. */
export const librarySku = "entra-edge";

/** A short runtime name for `x-client-OS`, e.g. `Cloudflare-Workers`, `Deno/2.9.6`, `Node/20.20.2`. */
export const runtimeName: string = detectRuntime();

function detectRuntime(): string {
  const global = globalThis as {
    navigator?: { userAgent?: unknown };
    process?: { versions?: { node?: unknown } };
  };
  const userAgent = global.navigator?.userAgent;
  if (typeof userAgent === "string" && userAgent !== "")
    return userAgent.split(" ")[0] ?? userAgent;
  const node = global.process?.versions?.node;
  return typeof node === "string" ? `Node/${node}` : "unknown";
}

import { defineBuildConfig } from "unbuild";

/**
 * One entry for the core, one per adapter, one for the emulator, one for OpenTelemetry, one for
 * federation; ESM only, with declarations.
 */
export default defineBuildConfig({
  entries: [
    { input: "src/index", name: "index" },
    { input: "src/testing/index", name: "testing" },
    { input: "adapters/memory", name: "adapters/memory" },
    { input: "adapters/workers-kv", name: "adapters/workers-kv" },
    { input: "adapters/deno-kv", name: "adapters/deno-kv" },
    { input: "adapters/redis", name: "adapters/redis" },
    { input: "adapters/durable-object", name: "adapters/durable-object" },
    { input: "opentelemetry/index", name: "opentelemetry" },
    { input: "federation/index", name: "federation" },
    { input: "cli/bin", name: "cli" }, // the `entra-edge` executable (Node and Bun): dist/cli.mjs
  ],
  declaration: "node16",
  // Provided by workerd at run time (adapters/durable-object: the Durable Object base class), and
  // the user's own OpenTelemetry API (entra-edge/opentelemetry; an optional peer dependency).
  externals: ["cloudflare:workers", "@opentelemetry/api"],
  clean: true,
  rollup: {
    emitCJS: false,
    // No bare `import "jose";` lines (rollup's hoisted transitive imports) in dist/: as jose and
    // valibot say `"sideEffects": false`, esbuild (and so wrangler) warns about each one.
    output: { hoistTransitiveImports: false },
  },
});

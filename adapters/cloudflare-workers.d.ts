/**
 * The part of the `cloudflare:workers` module that `durable-object.ts` uses, so that this
 * repository type-checks without `@cloudflare/workers-types` (a Worker project has the full
 * declaration; the built `.d.mts` keeps the import as it is).
 *
 * @module
 */

declare module "cloudflare:workers" {
  /** The base class of a Durable Object with RPC methods (workerd's `DurableObject`). */
  export abstract class DurableObject<Env = unknown> {
    /** The object's state: its storage and concurrency controls. */
    protected ctx: unknown;
    /** The Worker's bindings. */
    protected env: Env;
    constructor(ctx: unknown, env: Env);
  }
}

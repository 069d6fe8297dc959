/**
 * Reads a text file with what the runtime has: `Deno.readTextFile`, `Bun.file`, or Node's
 * `fs/promises` through `process.getBuiltinModule` (Node 20.16 and later). There is no `import`
 * of a runtime module at all, static or dynamic, so this subpath loads and bundles where there is
 * no file system (workerd without `nodejs_compat`), and tools that trace a Worker's imports
 * (miniflare, wrangler) find nothing to resolve.
 *
 * @module
 */

interface DenoFiles {
  readTextFile(path: string): Promise<string>;
}

interface BunFiles {
  file(path: string): { text(): Promise<string> };
}

interface NodeFiles {
  readFile(path: string, encoding: "utf8"): Promise<string>;
}

interface NodeProcess {
  getBuiltinModule?(name: string): unknown;
}

/** Thrown when the runtime offers no way to read a file. */
export class NoFileSystemError extends Error {
  /** Creates the error. */
  constructor() {
    super("this runtime has no file system API");
    this.name = "NoFileSystemError";
  }
}

/**
 * The text of the file at `path`.
 * @throws what the runtime throws (`ENOENT`, a permission error), or `NoFileSystemError`.
 */
export async function readTextFile(path: string): Promise<string> {
  const runtime = globalThis as {
    Deno?: Partial<DenoFiles>;
    Bun?: Partial<BunFiles>;
    process?: NodeProcess;
  };
  if (typeof runtime.Deno?.readTextFile === "function") return runtime.Deno.readTextFile(path);
  if (typeof runtime.Bun?.file === "function") return runtime.Bun.file(path).text();
  const files = runtime.process?.getBuiltinModule?.("node:fs/promises") as NodeFiles | undefined;
  if (typeof files?.readFile !== "function") throw new NoFileSystemError();
  return files.readFile(path, "utf8");
}

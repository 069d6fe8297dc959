/**
 * Reads a text file with what the runtime has: `Deno.readTextFile`, `Bun.file`, or Node's
 * `fs/promises`, imported only when a file is read, so this subpath loads where there is no file
 * system at all (workerd without `nodejs_compat`).
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

/** Node's module, named through a variable so that bundlers for the edge leave it alone. */
const nodeFileModule = "node:fs/promises";

/** The text of the file at `path`. @throws what the runtime throws (`ENOENT`, a permission error). */
export async function readTextFile(path: string): Promise<string> {
  const runtime = globalThis as { Deno?: Partial<DenoFiles>; Bun?: Partial<BunFiles> };
  if (typeof runtime.Deno?.readTextFile === "function") return runtime.Deno.readTextFile(path);
  if (typeof runtime.Bun?.file === "function") return runtime.Bun.file(path).text();
  const files = (await import(/* @vite-ignore */ nodeFileModule)) as NodeFiles;
  return files.readFile(path, "utf8");
}

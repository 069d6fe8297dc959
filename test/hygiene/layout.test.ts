// The shape of the tree, as a newcomer depends on it: no import circle in src/, adapters/ or
// opentelemetry/ and federation/ (type-only imports included), no source file past 350 lines, the
// CLI using only the package's public entry points, the core entry free of jose and of
// @opentelemetry/api, and federation/ free of runtime imports (static or dynamic).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(join(root, folder))) {
    const path = join(folder, name);
    if (statSync(join(root, path)).isDirectory()) files.push(...sourceFiles(path));
    else if (name.endsWith(".ts")) files.push(path);
  }
  return files;
}

/** Relative import and export specifiers of a file, type-only ones included. */
function relativeImports(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const specifiers = [...text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/g)].map(
    (match) => match[1] as string,
  );
  return specifiers.map((specifier) => {
    const target = relative(root, resolve(root, dirname(file), specifier));
    return target.endsWith(".ts") ? target : `${target}.ts`;
  });
}

/** The circles of an import graph (file -> the files it imports), each as a list of files. */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "visiting");
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "visiting") found.push(path.slice(path.indexOf(next)));
      else if (state.get(next) === undefined) visit(next);
    }
    path.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
  return found;
}

describe("layout", () => {
  const library = [
    ...sourceFiles("src"),
    ...sourceFiles("adapters"),
    ...sourceFiles("opentelemetry"),
    ...sourceFiles("federation"),
  ];

  it("has no import circle in src/, adapters/, opentelemetry/ and federation/", () => {
    expect(library.length).toBeGreaterThan(50);
    expect(circles(new Map(library.map((file) => [file, relativeImports(file)])))).toEqual([]);
  });

  it("reads imports and finds circles (the checker itself works)", () => {
    expect(relativeImports("src/application-builder.ts")).toContain("src/application.ts");
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts", "d.ts"]],
      ["d.ts", []],
    ]);
    expect(circles(graph)).toEqual([["a.ts", "b.ts", "c.ts"]]);
    expect(
      circles(
        new Map([
          ["a.ts", ["b.ts"]],
          ["b.ts", []],
        ]),
      ),
    ).toEqual([]);
  });

  it("keeps every source file of src/, adapters/, opentelemetry/ and federation/ at or under 350 lines", () => {
    const long = library
      .map((file) => ({ file, lines: readFileSync(join(root, file), "utf8").split("\n").length }))
      .filter(({ lines }) => lines > 350);
    expect(long).toEqual([]);
  });

  it("lets the CLI use only the package's public entry points", () => {
    const publicEntries = new Set(["src/index.ts", "src/testing/index.ts", "federation/index.ts"]);
    const internal = sourceFiles("cli").flatMap((file) =>
      relativeImports(file)
        .filter(
          (target) =>
            (target.startsWith("src/") || target.startsWith("federation/")) &&
            !publicEntries.has(target),
        )
        .map((target) => `${file} -> ${target}`),
    );
    expect(internal).toEqual([]);
  });

  it("keeps jose out of the core (only the emulator uses it)", () => {
    const users = library.filter(
      (file) =>
        !file.startsWith("src/testing/") &&
        /from\s+"jose"/.test(readFileSync(join(root, file), "utf8")),
    );
    expect(users).toEqual([]);
  });

  it("imports no runtime module in entra-edge/federation, statically or dynamically (it must load in workerd)", () => {
    const nodeImports = sourceFiles("federation").filter((file) => {
      const text = readFileSync(join(root, file), "utf8");
      return (
        /(?:import|export)\s[^;]*?from\s+"(?:node:|bun|fs)/.test(text) || /\bimport\s*\(/.test(text)
      );
    });
    expect(sourceFiles("federation").length).toBeGreaterThan(3);
    expect(nodeImports).toEqual([]);
  });

  it("keeps @opentelemetry/api out of the core entry (only entra-edge/opentelemetry imports it)", async () => {
    const importers = library.filter((file) =>
      /from\s+"@opentelemetry\//.test(readFileSync(join(root, file), "utf8")),
    );
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.every((file) => file.startsWith("opentelemetry/"))).toBe(true);
    // The module graph of the core entry, as a bundler sees it: no @opentelemetry module in it.
    const core = await build({
      entryPoints: [join(root, "src/index.ts")],
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      logLevel: "silent",
    });
    const inputs = Object.keys(core.metafile.inputs);
    expect(inputs.some((input) => input.startsWith("src/application"))).toBe(true);
    expect(inputs.filter((input) => input.includes("opentelemetry"))).toEqual([]);
  });
});

// The e2e suite in Deno, on the built package imported as a user would (`entra-edge` resolves
// through package.json `exports`). L2 stores: memory, and Deno KV on the file given as argument.
// Started by test/e2e/run.mjs: `deno run --unstable-kv --allow-all --no-lock test/e2e/entries/deno.mjs <db>`.
import * as core from "entra-edge";
import * as testing from "entra-edge/testing";
import * as federation from "entra-edge/federation";
import { memoryCache } from "entra-edge/adapters/memory";
import { denoKvCache } from "entra-edge/adapters/deno-kv";
import { resultLine, runSuite } from "../suite.ts";
import { loadFixtures } from "./fixtures.mjs";

const path = Deno.args[0];
if (!path) throw new Error("usage: deno.mjs <Deno KV database file>");
const kv = await Deno.openKv(path);
try {
  await runSuite(
    {
      runtime: "deno",
      modules: { core, testing, federation },
      fixtures: await loadFixtures((url) => Deno.readTextFile(url)),
      stores: [
        { name: "memory", adapter: memoryCache() },
        { name: "deno-kv (Deno.openKv)", adapter: denoKvCache(kv) },
      ],
    },
    (result) => console.log(resultLine("deno", result)),
  );
} finally {
  kv.close();
}

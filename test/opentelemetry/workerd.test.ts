// entra-edge/opentelemetry in workerd (miniflare), bundled as wrangler would bundle a Worker, with
// the OpenTelemetry SDK and a push exporter flushed through waitUntil (the README's wiring).
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, expect, it } from "vitest";

let mf: Miniflare | undefined;

afterAll(async () => {
  await mf?.dispose();
});

it("records MSAL.NET's metrics inside a Worker and exports them on a flush through waitUntil", async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("./workerd.entry.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0]?.text ?? "",
    compatibilityDate: "2026-04-26",
  });
  const exported = (await (await mf.dispatchFetch("http://localhost/")).json()) as {
    scope: string;
    name: string;
    points: { attributes: Record<string, unknown>; count: number }[];
  }[];
  const byName = new Map(exported.map((metric) => [metric.name, metric]));
  expect(new Set(exported.map((metric) => metric.scope))).toEqual(
    new Set(["MicrosoftIdentityClient_Common_Meter"]),
  );
  expect(byName.get("MsalSuccess")?.points.map((p) => [p.attributes.CacheLevel, p.count])).toEqual([
    ["None", 1],
    ["L1Cache", 1],
  ]);
  expect(byName.get("MsalFailure")?.points).toEqual([
    {
      attributes: expect.objectContaining({ ErrorCode: "invalid_scopes", Platform: "entra-edge" }),
      count: 1,
    },
  ]);
  expect(byName.get("MsalDurationInHttp.1A")?.points.map((p) => p.count)).toEqual([1]);
  expect(byName.get("MsalDurationInL1CacheInUs.1B")?.points.map((p) => p.count)).toEqual([1]);
});

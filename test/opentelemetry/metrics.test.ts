// entra-edge/opentelemetry against the OpenTelemetry SDK with an in-memory reader: MSAL.NET's
// instruments (names, units, descriptions), its tags and values, what is recorded for an
// identity-provider success, an L1 hit, an L2 hit and failures, and on which meter.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { metrics, type Attributes } from "@opentelemetry/api";
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type MetricDescriptor,
} from "@opentelemetry/sdk-metrics";
import { afterEach, describe, expect, it } from "vitest";
import { memoryCache } from "../../adapters/memory";
import { openTelemetry } from "../../opentelemetry/index";
import { ClientError, type AcquisitionObserver } from "../../src/index";
import { builder, emulator, expiredSecretFault, graph, secret, tenantA } from "../app/setup";

const version = (
  JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")) as {
    version: string;
  }
).version;
const common = { MsalVersion: version, Platform: "entra-edge", ApiId: "AcquireTokenForClient" };

/** A reader whose collect() the test calls. */
class TestReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

interface Point {
  readonly attributes: Attributes;
  /** A counter's sum, or a histogram's count and sum. */
  readonly value: number | { count: number; sum: number };
}
interface Collected {
  readonly scope: { name: string; version?: string | undefined };
  readonly descriptor: MetricDescriptor;
  readonly points: Point[];
}

/** Every metric the reader holds, by instrument name (only instruments with data points). */
async function collect(reader: MetricReader): Promise<Map<string, Collected>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const found = new Map<string, Collected>();
  for (const { scope, metrics: list } of resourceMetrics.scopeMetrics)
    for (const metric of list) {
      const points = metric.dataPoints.map((point): Point => {
        const value = point.value as number | { count: number; sum: number };
        return {
          attributes: point.attributes,
          value: typeof value === "number" ? value : { count: value.count, sum: value.sum },
        };
      });
      if (points.length > 0)
        found.set(metric.descriptor.name, { scope, descriptor: metric.descriptor, points });
      expect(metric.dataPointType).toBe(
        metric.descriptor.name.startsWith("MsalDuration") ||
          metric.descriptor.name.startsWith("MsalTotal")
          ? DataPointType.HISTOGRAM
          : DataPointType.SUM,
      );
    }
  return found;
}

function pointsOf(found: Map<string, Collected>, name: string): Point[] {
  return found.get(name)?.points ?? [];
}

/** An SDK MeterProvider with a reader, registered as the global one. */
function globalProvider(): TestReader {
  const reader = new TestReader();
  expect(metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))).toBe(true);
  return reader;
}

async function appWith(observer: AcquisitionObserver, cache = memoryCache()) {
  const entra = await emulator();
  const make = () =>
    builder(entra.fetch)
      .withClientSecret(secret)
      .withTenantId(tenantA)
      .withCache(cache)
      .withOnAcquire(observer)
      .build();
  return { entra, app: make(), make };
}

afterEach(() => {
  metrics.disable();
});

describe("openTelemetry()", () => {
  it("records an identity-provider success and an L1 hit under MSAL.NET's names, units, tags and values", async () => {
    const reader = globalProvider();
    const { app } = await appWith(openTelemetry());
    await app.acquireTokenForClient(graph);
    await app.acquireTokenForClient(graph);
    const found = await collect(reader);

    const idp = {
      ...common,
      TokenSource: "IdentityProvider",
      CacheLevel: "None",
      CacheRefreshReason: "NoCachedAccessToken",
    };
    const l1 = {
      ...common,
      TokenSource: "Cache",
      CacheLevel: "L1Cache",
      CacheRefreshReason: "NotApplicable",
    };
    expect(pointsOf(found, "MsalSuccess")).toEqual([
      { attributes: idp, value: 1 },
      { attributes: l1, value: 1 },
    ]);
    expect(pointsOf(found, "MsalTotalDuration.1A").map((p) => [p.attributes, count(p)])).toEqual([
      [idp, 1],
      [l1, 1],
    ]);
    // HTTP only for the identity provider's token, L1 only for the L1 hit, L2 never, no failure.
    expect(pointsOf(found, "MsalDurationInHttp.1A").map((p) => [p.attributes, count(p)])).toEqual([
      [common, 1],
    ]);
    expect(
      pointsOf(found, "MsalDurationInL1CacheInUs.1B").map((p) => [p.attributes, count(p)]),
    ).toEqual([[l1, 1]]);
    expect(found.has("MsalDurationInL2Cache.1A")).toBe(false);
    expect(found.has("MsalFailure")).toBe(false);

    for (const name of found.keys())
      expect(found.get(name)?.scope).toMatchObject({
        name: "MicrosoftIdentityClient_Common_Meter",
        version: "1.0.0",
      });
    const http = pointsOf(found, "MsalDurationInHttp.1A")[0]?.value as { sum: number };
    expect(Number.isInteger(http.sum) && http.sum >= 0).toBe(true);
  });

  it("declares MSAL.NET's six instruments with its units and descriptions, as integers", async () => {
    const reader = globalProvider();
    const cache = memoryCache();
    const { entra, app, make } = await appWith(openTelemetry(), cache);
    await app.acquireTokenForClient(graph); // identity provider
    await app.acquireTokenForClient(graph); // L1
    await make().acquireTokenForClient(graph); // L2 (a second application, its own L1)
    entra.injectFault({ type: "network", times: 2 }); // the attempt and its retry
    await expect(app.acquireTokenForClient(graph).withForceRefresh(true)).rejects.toThrow();
    const found = await collect(reader);
    const described = [...found.values()]
      .map(({ descriptor }) => [
        descriptor.name,
        descriptor.unit,
        descriptor.description,
        descriptor.valueType,
      ])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(described).toEqual([
      ["MsalDurationInHttp.1A", "ms", "Performance of token acquisition calls network latency", 0],
      [
        "MsalDurationInL1CacheInUs.1B",
        "us",
        "Performance of token acquisition calls total latency in microseconds when L1 cache is used.",
        0,
      ],
      ["MsalDurationInL2Cache.1A", "ms", "Performance of token acquisition calls cache latency", 0],
      ["MsalFailure", "", "Number of failed token acquisition calls", 0],
      ["MsalSuccess", "", "Number of successful token acquisition calls", 0],
      ["MsalTotalDuration.1A", "ms", "Performance of token acquisition calls total latency", 0],
    ]);
  });

  it("records an L2 hit (a second application sharing the store) with the L2 histogram only", async () => {
    const reader = globalProvider();
    const cache = memoryCache();
    const observer = openTelemetry();
    const { app, make } = await appWith(observer, cache);
    await app.acquireTokenForClient(graph);
    const second = make();
    const result = await second.acquireTokenForClient(graph);
    expect(result.authenticationResultMetadata.cacheLevel).toBe("L2Cache");
    const found = await collect(reader);
    const l2 = {
      ...common,
      TokenSource: "Cache",
      CacheLevel: "L2Cache",
      CacheRefreshReason: "NotApplicable",
    };
    expect(pointsOf(found, "MsalSuccess").map((p) => [p.attributes.CacheLevel, p.value])).toEqual([
      ["None", 1],
      ["L2Cache", 1],
    ]);
    expect(pointsOf(found, "MsalSuccess")[1]?.attributes).toEqual(l2);
    expect(
      pointsOf(found, "MsalDurationInL2Cache.1A").map((p) => [p.attributes, count(p)]),
    ).toEqual([[{ ...common, CacheRefreshReason: "NotApplicable" }, 1]]);
    expect(found.has("MsalDurationInL1CacheInUs.1B")).toBe(false);
    expect(pointsOf(found, "MsalDurationInHttp.1A").map(count)).toEqual([1]);
    expect(pointsOf(found, "MsalTotalDuration.1A").map(count)).toEqual([1, 1]);
  });

  it("counts a failure with the AADSTS code, else entra-edge's error code, and records no duration", async () => {
    const reader = globalProvider();
    const { entra, app } = await appWith(openTelemetry());
    entra.injectFault(expiredSecretFault);
    await expect(app.acquireTokenForClient(graph)).rejects.toMatchObject({ errorCodes: [7000222] });
    entra.injectFault({ type: "network", times: 4 }); // two acquisitions, each retried once
    await expect(app.acquireTokenForClient(graph)).rejects.toMatchObject({ code: "network_error" });
    await expect(app.acquireTokenForClient(["not a scope"])).rejects.toBeInstanceOf(ClientError);
    await expect(app.acquireTokenForClient(graph)).rejects.toMatchObject({ code: "network_error" });
    const found = await collect(reader);
    expect(pointsOf(found, "MsalFailure")).toEqual([
      { attributes: { ...common, ErrorCode: "AADSTS7000222" }, value: 1 },
      { attributes: { ...common, ErrorCode: "network_error" }, value: 2 },
      { attributes: { ...common, ErrorCode: "invalid_scopes" }, value: 1 },
    ]);
    expect([...found.keys()]).toEqual(["MsalFailure"]);
  });

  it("records on options.meter only, and finds a global provider registered after it was made", async () => {
    const own = new TestReader();
    const meter = new MeterProvider({ readers: [own] }).getMeter("my-meter");
    const late = openTelemetry(); // made before any global provider exists
    const { app } = await appWith(openTelemetry({ meter }));
    const global = globalProvider();
    await app.acquireTokenForClient(graph);
    const mine = await collect(own);
    expect(pointsOf(mine, "MsalSuccess")).toHaveLength(1);
    expect(mine.get("MsalSuccess")?.scope.name).toBe("my-meter");
    expect((await collect(global)).size).toBe(0);

    const other = await appWith(late);
    await other.app.acquireTokenForClient(graph);
    const globalFound = await collect(global);
    expect(pointsOf(globalFound, "MsalSuccess")).toHaveLength(1);
    expect(globalFound.get("MsalSuccess")?.scope.name).toBe("MicrosoftIdentityClient_Common_Meter");
    expect(pointsOf(await collect(own), "MsalSuccess")).toHaveLength(1);
  });

  it("returns its observer synchronously and refuses a meter that is not one", () => {
    const observer = openTelemetry();
    expect(typeof observer.onSuccess).toBe("function");
    expect(typeof observer.onFailure).toBe("function");
    for (const meter of [{}, "meter", 42])
      expect(() => openTelemetry({ meter: meter as never })).toThrow(ClientError);
  });
});

function count(point: Point): number {
  return typeof point.value === "number" ? point.value : point.value.count;
}

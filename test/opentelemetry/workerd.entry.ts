// A Worker as the README's Observability section wires it: one MeterProvider per isolate with a
// push exporter (here the SDK's in-memory one), openTelemetry({ meter }) on the application, and
// a flush through waitUntil. It answers with what the exporter received.
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { openTelemetry } from "../../opentelemetry/index";
import { ConfidentialClientApplicationBuilder } from "../../src/index";
import { createEntraEmulator } from "../../src/testing/index";

const tenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const clientId = "11111111-2222-3333-4444-555555555555";
const secret = "Ab1~emulator.secret-value_0123456789";

const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
let meterProvider: MeterProvider | undefined;
let telemetry: ReturnType<typeof openTelemetry> | undefined;

export default {
  async fetch(
    _request: Request,
    _env: unknown,
    ctx: { waitUntil(promise: Promise<unknown>): void },
  ) {
    meterProvider ??= new MeterProvider({
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })],
    });
    telemetry ??= openTelemetry({
      meter: meterProvider.getMeter("MicrosoftIdentityClient_Common_Meter"),
    });
    const entra = await createEntraEmulator({
      tenants: [tenantId],
      apps: [{ clientId, secrets: [secret] }],
    });
    const app = ConfidentialClientApplicationBuilder.create(clientId)
      .withClientSecret(secret)
      .withTenantId(tenantId)
      .withHttpClient(entra.fetch)
      .withOnAcquire(telemetry)
      .build();
    await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]);
    await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]);
    await app.acquireTokenForClient(["not a scope"]).catch(() => undefined);
    const flushed = meterProvider.forceFlush();
    ctx.waitUntil(flushed);
    await flushed;
    const points = exporter
      .getMetrics()
      .flatMap(({ scopeMetrics }) => scopeMetrics)
      .flatMap(({ scope, metrics }) =>
        metrics.map(({ descriptor, dataPoints }) => ({
          scope: scope.name,
          name: descriptor.name,
          points: dataPoints.map(({ attributes, value }) => ({
            attributes,
            count: typeof value === "number" ? value : (value as { count: number }).count,
          })),
        })),
      );
    return Response.json(points);
  },
};

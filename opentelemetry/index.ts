/**
 * OpenTelemetry metrics under MSAL.NET's names: `openTelemetry()` returns an observer for
 * `withOnAcquire(...)` that records, through `@opentelemetry/api`, the counters `MsalSuccess` and
 * `MsalFailure` and the histograms `MsalTotalDuration.1A`, `MsalDurationInL1CacheInUs.1B`,
 * `MsalDurationInL2Cache.1A` and `MsalDurationInHttp.1A` on the meter
 * `MicrosoftIdentityClient_Common_Meter`, with MSAL.NET's tags, so dashboards built for MSAL.NET
 * work unchanged. Install `@opentelemetry/api` (1.3 or later) and an OpenTelemetry SDK with the
 * exporter of your choice; the core entry never loads it.
 *
 * @example
 * ```ts
 * import { ConfidentialClientApplicationBuilder } from "entra-edge";
 * import { openTelemetry } from "entra-edge/opentelemetry";
 *
 * const app = ConfidentialClientApplicationBuilder.create(clientId)
 *   .withClientSecret(secret)
 *   .withOnAcquire(openTelemetry()) // the global MeterProvider's meter, or { meter }
 *   .build();
 * ```
 *
 * @module
 */

import { metrics, type Meter, type MeterProvider } from "@opentelemetry/api";
import { ClientError } from "../src/errors";
import type { AcquisitionContext, AcquisitionObserver } from "../src/options";
import { CacheLevel, TokenSource, type AuthenticationResultMetadata } from "../src/result";
import {
  createMsalInstruments,
  meterName,
  meterVersion,
  type MsalInstruments,
} from "./instruments";
import { commonTags, failureTags, l2CacheTags, successTags } from "./tags";

/**
 * Options of {@link openTelemetry}.
 *
 * @example
 * ```ts
 * const options: OpenTelemetryOptions = { meter: meterProvider.getMeter("MicrosoftIdentityClient_Common_Meter") };
 * ```
 */
export interface OpenTelemetryOptions {
  /**
   * The meter to record on, and only on it. Default: the meter
   * `MicrosoftIdentityClient_Common_Meter` of the global MeterProvider (`metrics.getMeterProvider()`),
   * looked up again whenever another global provider is registered, so the observer may be made
   * before the SDK is set up.
   */
  readonly meter?: Meter;
}

/**
 * An observer for `withOnAcquire(...)` that records MSAL.NET's metrics for every acquisition:
 * `MsalSuccess` or `MsalFailure` +1 each time; on success `MsalTotalDuration.1A` (ms), and
 * `MsalDurationInHttp.1A` (ms) for a token from the identity provider,
 * `MsalDurationInL1CacheInUs.1B` (µs) for an L1 hit, `MsalDurationInL2Cache.1A` (ms) for an L2
 * hit. Tags: `MsalVersion` (entra-edge's version), `Platform` (`entra-edge`), `ApiId`
 * (`AcquireTokenForClient`), and per instrument `TokenSource`, `CacheLevel`,
 * `CacheRefreshReason` and, on failures, `ErrorCode` (the AADSTS code, else entra-edge's error
 * code).
 *
 * @throws ClientError `invalid_configuration` when `options.meter` is not a meter.
 * @example
 * ```ts
 * builder.withOnAcquire(openTelemetry({ meter: provider.getMeter("MicrosoftIdentityClient_Common_Meter") }));
 * ```
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): AcquisitionObserver {
  const instrumentsOf = instrumentSource(options);
  return {
    onSuccess(metadata: AuthenticationResultMetadata, context: AcquisitionContext): void {
      recordSuccess(instrumentsOf(), metadata, context);
    },
    onFailure(error: unknown): void {
      instrumentsOf().failure.add(1, failureTags(error));
    },
  };
}

/** The instruments to record on: the given meter's, or the current global provider's. */
function instrumentSource(options: OpenTelemetryOptions): () => MsalInstruments {
  if (typeof options !== "object" || options === null)
    throw new ClientError(
      "invalid_configuration",
      "Pass openTelemetry() an options object or nothing.",
    );
  const meter = options.meter;
  if (meter !== undefined) {
    if (
      typeof meter !== "object" ||
      meter === null ||
      typeof meter.createCounter !== "function" ||
      typeof meter.createHistogram !== "function"
    )
      throw new ClientError(
        "invalid_configuration",
        "options.meter must be an OpenTelemetry Meter (e.g. meterProvider.getMeter(name)), or left out to use the global MeterProvider.",
      );
    const instruments = createMsalInstruments(meter);
    return () => instruments;
  }
  let provider: MeterProvider | undefined;
  let instruments: MsalInstruments | undefined;
  return () => {
    const current = metrics.getMeterProvider();
    if (instruments === undefined || current !== provider) {
      provider = current;
      instruments = createMsalInstruments(current.getMeter(meterName, meterVersion));
    }
    return instruments;
  };
}

function recordSuccess(
  instruments: MsalInstruments,
  metadata: AuthenticationResultMetadata,
  context: AcquisitionContext,
): void {
  const tags = successTags(metadata);
  instruments.success.add(1, tags);
  instruments.totalDuration.record(Math.round(metadata.durationTotalInMs), tags);
  if (metadata.tokenSource === TokenSource.IdentityProvider)
    instruments.durationInHttp.record(Math.round(metadata.durationInHttpInMs), commonTags);
  else if (metadata.cacheLevel === CacheLevel.L1Cache)
    instruments.durationInL1Cache.record(context.durationInUs, tags);
  else if (metadata.cacheLevel === CacheLevel.L2Cache)
    instruments.durationInL2Cache.record(
      Math.round(metadata.durationInCacheInMs),
      l2CacheTags(metadata),
    );
}

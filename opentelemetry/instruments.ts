/**
 * MSAL.NET's OpenTelemetry instruments, with its meter name, instrument names, units and
 * descriptions, so that dashboards and alerts built for MSAL.NET read entra-edge's metrics as
 * they are.
 *
 * @module
 */

import { ValueType, type Counter, type Histogram, type Meter } from "@opentelemetry/api";

/** MSAL.NET's meter name. */
export const meterName = "MicrosoftIdentityClient_Common_Meter";
/** MSAL.NET's meter version. */
export const meterVersion = "1.0.0";

/** The counters and histograms MSAL.NET records for each acquisition, on one meter. */
export interface MsalInstruments {
  /** `MsalSuccess`: +1 per successful acquisition. */
  readonly success: Counter;
  /** `MsalFailure`: +1 per failed acquisition. */
  readonly failure: Counter;
  /** `MsalTotalDuration.1A`: the whole acquisition, ms, once per success. */
  readonly totalDuration: Histogram;
  /** `MsalDurationInL1CacheInUs.1B`: an L1 hit, µs. */
  readonly durationInL1Cache: Histogram;
  /** `MsalDurationInL2Cache.1A`: an L2 hit, ms. */
  readonly durationInL2Cache: Histogram;
  /** `MsalDurationInHttp.1A`: the token request of an identity-provider success, ms. */
  readonly durationInHttp: Histogram;
}

/** Creates MSAL.NET's instruments on `meter`. */
export function createMsalInstruments(meter: Meter): MsalInstruments {
  const histogram = (name: string, unit: string, description: string): Histogram =>
    meter.createHistogram(name, { unit, description, valueType: ValueType.INT });
  return {
    success: meter.createCounter("MsalSuccess", {
      description: "Number of successful token acquisition calls",
      valueType: ValueType.INT,
    }),
    failure: meter.createCounter("MsalFailure", {
      description: "Number of failed token acquisition calls",
      valueType: ValueType.INT,
    }),
    totalDuration: histogram(
      "MsalTotalDuration.1A",
      "ms",
      "Performance of token acquisition calls total latency",
    ),
    durationInL1Cache: histogram(
      "MsalDurationInL1CacheInUs.1B",
      "us",
      "Performance of token acquisition calls total latency in microseconds when L1 cache is used.",
    ),
    durationInL2Cache: histogram(
      "MsalDurationInL2Cache.1A",
      "ms",
      "Performance of token acquisition calls cache latency",
    ),
    durationInHttp: histogram(
      "MsalDurationInHttp.1A",
      "ms",
      "Performance of token acquisition calls network latency",
    ),
  };
}

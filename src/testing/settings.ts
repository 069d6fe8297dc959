/**
 * The emulator's settings, resolved once from its options: lifetimes and clock skew validated
 * and defaulted, the directory built, the access-token signing key generated, the `jti` replay
 * cache chosen.
 *
 * @module
 */

import { AccessTokenIssuer } from "./access-token";
import { JtiReplayCache } from "./assertion-check";
import { Directory } from "./directory";
import { IssuerKeys } from "./issuer-keys";
import type { EntraEmulatorOptions } from "./options";
import { isOwnIssuer } from "./own-issuer";
import type { TokenEndpointSettings } from "./token-endpoint";

/** Everything the emulator runs on, shared by every request. */
export interface EmulatorSettings extends TokenEndpointSettings {
  /** The emulator clock, ms since the epoch. */
  readonly now: () => number;
  /** `host[:port]` of the ADFS server, lower-case; `undefined` when the emulator plays none. */
  readonly adfsHost: string | undefined;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!(Number.isInteger(result) && result > 0))
    throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return result;
}

/**
 * Resolves `options` into settings; throws a `TypeError` for invalid ones (see
 * `createEntraEmulator`). Asynchronous: it generates a key and imports certificates.
 */
export async function resolveSettings(options: EntraEmulatorOptions): Promise<EmulatorSettings> {
  const tokenLifetimeSeconds = positiveInteger(
    "tokenLifetimeSeconds",
    options.tokenLifetimeSeconds,
    3599,
  );
  const extExpiresInSeconds = positiveInteger(
    "extExpiresInSeconds",
    options.extExpiresInSeconds,
    tokenLifetimeSeconds,
  );
  const refreshInSeconds =
    options.refreshInSeconds === undefined
      ? undefined
      : positiveInteger("refreshInSeconds", options.refreshInSeconds, 0);
  const clockSkewSeconds = options.clockSkewSeconds ?? 300;
  if (!(Number.isFinite(clockSkewSeconds) && clockSkewSeconds >= 0)) {
    throw new TypeError(`clockSkewSeconds must be a non-negative number, got ${clockSkewSeconds}`);
  }
  const now = options.now ?? Date.now;
  const adfsHost = options.adfs?.host.toLowerCase();
  const [directory, issuer] = await Promise.all([
    Directory.create(options),
    AccessTokenIssuer.create(options.accessTokenFormat ?? "jwt"),
  ]);
  const fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const issuerKeys = new IssuerKeys(fetcher, (iss) =>
    isOwnIssuer(iss, directory) ? { keys: [...issuer.jwks.keys] } : undefined,
  );
  return {
    directory,
    issuer,
    issuerKeys,
    replayCache: options.jtiReplay === "allow" ? undefined : new JtiReplayCache(),
    clockSkewSeconds,
    tokenLifetimeSeconds,
    extExpiresInSeconds,
    refreshInSeconds,
    now,
    adfsHost,
  };
}

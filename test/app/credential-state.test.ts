// The certificate credential's per-endpoint state (kept assertions, "this endpoint refuses reuse",
// "the last request here carried a reused assertion") stays bounded however many tenants pass
// through, while recent endpoints behave as before.
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import {
  certificateCredential,
  maxRememberedEndpoints,
} from "../../src/credentials/certificate-credential";
import type { CredentialContext } from "../../src/credentials/client-credential";
import { keys } from "./setup";

const now = Date.parse("2026-11-22T10:00:00Z");
const endpoint = (i: number) =>
  `https://login.microsoftonline.com/${i.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000/oauth2/v2.0/token`;
const context = (tokenEndpoint: string): CredentialContext => ({
  clientId: "11111111-2222-3333-4444-555555555555",
  tokenEndpoint,
  tenantId: undefined,
  claims: undefined,
  correlationId: "0f0f0f0f-0000-4000-8000-000000000001",
  signal: new AbortController().signal,
  authorityKind: "entra",
  now,
  sendX5c: undefined,
});

/** A credential on a P-256 key (fast to sign with), and the `jti` of the assertion it sends. */
function credential() {
  const made = certificateCredential({
    privateKey: keys("ec256.pkcs8.pem"),
    certificate: keys("ec256.crt.pem"),
  });
  const jti = async (tokenEndpoint: string): Promise<string> => {
    const form = new URLSearchParams();
    await made.addTo(form, context(tokenEndpoint));
    return decodeJwt(form.get("client_assertion") ?? "").jti as string;
  };
  return { rejected: (e: string) => made.rejected?.(e) ?? false, jti };
}

describe("certificate credential state per token endpoint", () => {
  it("remembers a bounded number of endpoints, forgetting the least recently used", async () => {
    expect(maxRememberedEndpoints).toBeGreaterThanOrEqual(100);
    expect(maxRememberedEndpoints).toBeLessThanOrEqual(10_000);
    const { jti, rejected } = credential();
    // Endpoint 0 refuses a reused assertion: reuse is off for it from then on.
    const first = await jti(endpoint(0));
    expect(await jti(endpoint(0))).toBe(first);
    expect(rejected(endpoint(0))).toBe(true);
    expect(await jti(endpoint(0))).not.toBe(await jti(endpoint(0)));
    // Endpoint 1 accepts its reused assertion (nothing is ever refused there).
    await jti(endpoint(1));
    await jti(endpoint(1));
    // As many other endpoints as are remembered, each reused then refused, pass through.
    for (let i = 2; i < maxRememberedEndpoints + 2; i++) {
      const signed = await jti(endpoint(i));
      expect(await jti(endpoint(i))).toBe(signed);
      expect(rejected(endpoint(i))).toBe(true);
    }
    // Endpoints 0 and 1 are forgotten: endpoint 0 gets a reusable assertion again (and would be
    // refused once more), and a late refusal at endpoint 1 is not taken for a reused assertion.
    expect(rejected(endpoint(1))).toBe(false);
    const again = await jti(endpoint(0));
    expect(await jti(endpoint(0))).toBe(again);
    // The most recent endpoints are remembered as before: no reuse where it was refused.
    const recent = endpoint(maxRememberedEndpoints + 1);
    expect(await jti(recent)).not.toBe(await jti(recent));
  });

  it("keeps an endpoint in use while others come and go", async () => {
    const { jti } = credential();
    const busy = endpoint(0);
    const kept = await jti(busy);
    for (let i = 1; i < 2 * maxRememberedEndpoints; i++) {
      await jti(endpoint(i));
      if (i % 100 === 0) expect(await jti(busy)).toBe(kept);
    }
    expect(await jti(busy)).toBe(kept);
  });
});

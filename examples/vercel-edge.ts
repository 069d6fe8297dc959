/**
 * A Vercel Edge Function (e.g. `api/token.ts` in a Vercel project): an app-only token for
 * Microsoft Graph on each request, with Upstash Redis as the L2 cache shared by every isolate,
 * lease included. msal-node cannot run in the Edge runtime (it needs Node's built-ins:
 * vercel/vercel#8281); entra-edge needs only `fetch` and `crypto.subtle`.
 *
 * Environment (Vercel provides `process.env` in Edge Functions): `CLIENT_ID`, `CLIENT_SECRET`,
 * `TENANT_ID`; optional `AUTHORITY_HOST` (another cloud, e.g. https://login.microsoftonline.us);
 * optional `UPSTASH_REDIS_REST_URL` and `UPSTASH_REDIS_REST_TOKEN` (set by the Upstash
 * integration; without them the cache is the isolate's memory only).
 *
 * `npm test` runs this file in an EdgeRuntime against the Entra emulator and a local Upstash
 * endpoint: the first isolate gets its token from the identity provider then from L1, a second
 * isolate from L2 then L1.
 */
import { Redis } from "@upstash/redis";
import {
  ConfidentialClientApplicationBuilder,
  type ConfidentialClientApplication,
} from "entra-edge";
import { redisCache } from "entra-edge/adapters/redis";

export const config = { runtime: "edge" };

/** What Vercel passes as the second argument of an Edge Function. */
interface RequestContext {
  waitUntil(promise: Promise<unknown>): void;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

// Built once per isolate and kept: its L1 cache, its imported credential and the Upstash client
// live as long as the isolate.
let app: ConfidentialClientApplication | undefined;

function application(): ConfidentialClientApplication {
  const authorityHost = process.env["AUTHORITY_HOST"] ?? "https://login.microsoftonline.com";
  const builder = ConfidentialClientApplicationBuilder.create(env("CLIENT_ID"))
    .withClientSecret(env("CLIENT_SECRET"))
    .withAuthority(`${authorityHost}/${env("TENANT_ID")}`);
  if (process.env["UPSTASH_REDIS_REST_URL"]) {
    builder.withCache(redisCache(Redis.fromEnv()), { lease: true });
  }
  return builder.build();
}

export default async function handler(
  _request: Request,
  context?: RequestContext,
): Promise<Response> {
  app ??= application();
  let pending = app.acquireTokenForClient(["https://graph.microsoft.com/.default"]);
  // Cache writes and background refreshes outlive the response.
  if (context) pending = pending.withWaitUntil(context.waitUntil.bind(context));
  const result = await pending;
  const { tokenSource, cacheLevel } = result.authenticationResultMetadata;
  // await fetch("https://graph.microsoft.com/v1.0/organization", { headers: { authorization: `Bearer ${result.accessToken}` } });
  return new Response(
    JSON.stringify({ tokenSource, cacheLevel, expiresOn: result.expiresOn.toISOString() }),
    { headers: { "content-type": "application/json" } },
  );
}

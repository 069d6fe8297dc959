// Bun: an app-only token for Microsoft Graph, with Redis (through Bun's built-in RedisClient) as
// the L2 cache shared by every instance of the service.
//
//   CLIENT_ID=... CLIENT_SECRET=... TENANT_ID=... REDIS_URL=redis://127.0.0.1:6379 bun run examples/bun.ts
//
// Optional: AUTHORITY_HOST (another cloud, e.g. https://login.microsoftonline.us; default the public cloud).
import { RedisClient } from "bun";
import { ConfidentialClientApplicationBuilder } from "entra-edge";
import { redisCache } from "entra-edge/adapters/redis";

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

// Bound the connection: by default Bun's client waits for a server for ever.
const redis = new RedisClient(env("REDIS_URL"), { connectionTimeout: 5_000 });
const authorityHost = process.env.AUTHORITY_HOST ?? "https://login.microsoftonline.com";

// Build it once and keep it: its L1 cache and imported keys live as long as it does.
const app = ConfidentialClientApplicationBuilder.create(env("CLIENT_ID"))
  .withClientSecret(env("CLIENT_SECRET"))
  .withAuthority(`${authorityHost}/${env("TENANT_ID")}`)
  .withCache(redisCache(redis), { lease: true })
  .build();

for (let i = 0; i < 2; i++) {
  const result = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]);
  const { tokenSource, cacheLevel, durationTotalInMs } = result.authenticationResultMetadata;
  console.log(
    `token from ${tokenSource} (cache level ${cacheLevel}) in ${durationTotalInMs} ms, expires ${result.expiresOn.toISOString()}`,
  );
  // await fetch("https://graph.microsoft.com/v1.0/organization", { headers: { authorization: `Bearer ${result.accessToken}` } });
}
redis.close();

// Deno: an app-only token for Microsoft Graph, with Deno KV as the L2 cache shared by every
// process on this machine (or by every isolate on Deno Deploy).
//
//   CLIENT_ID=... CLIENT_SECRET=... TENANT_ID=... deno run --allow-net --allow-env --unstable-kv examples/deno.ts
//
// Optional: DENO_KV_PATH (a database file; also needs --allow-read/--allow-write for it) and
// AUTHORITY_HOST (another cloud, e.g. https://login.microsoftonline.us; default the public cloud).
import { ConfidentialClientApplicationBuilder } from "entra-edge";
import { denoKvCache } from "entra-edge/adapters/deno-kv";

function env(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`set ${name}`);
  return value;
}

const kv = await Deno.openKv(Deno.env.get("DENO_KV_PATH"));
const authorityHost = Deno.env.get("AUTHORITY_HOST") ?? "https://login.microsoftonline.com";

// Build it once and keep it: its L1 cache and imported keys live as long as it does.
const app = ConfidentialClientApplicationBuilder.create(env("CLIENT_ID"))
  .withClientSecret(env("CLIENT_SECRET"))
  .withAuthority(`${authorityHost}/${env("TENANT_ID")}`)
  .withCache(denoKvCache(kv), { lease: true })
  .build();

for (let i = 0; i < 2; i++) {
  const result = await app.acquireTokenForClient(["https://graph.microsoft.com/.default"]);
  const { tokenSource, cacheLevel, durationTotalInMs } = result.authenticationResultMetadata;
  console.log(
    `token from ${tokenSource} (cache level ${cacheLevel}) in ${durationTotalInMs} ms, expires ${result.expiresOn.toISOString()}`,
  );
  // await fetch("https://graph.microsoft.com/v1.0/organization", { headers: { authorization: `Bearer ${result.accessToken}` } });
}
kv.close();

// How each library is set up in the scenarios: entra-edge from the esbuild bundle of src/,
// @azure/msal-node from node_modules, both pointed at the same loopback token server.
import * as msal from "@azure/msal-node";
import {
  CLIENT_ID,
  SECRET,
  GRAPH,
  certificatePem,
  privateKeyPem,
  thumbprintSha256,
  tenantId,
  loadLib,
  msalNetworkClient,
} from "./common.mjs";

export { msal };

/** A token-shaped string of `length` characters, unique per `i`. */
export function fakeToken(i, length) {
  const tail = i.toString(36).padStart(8, "0");
  return "eyJ" + "x".repeat(Math.max(0, length - 3 - tail.length)) + tail;
}

/** A canned token response body, as Entra sends it. */
export function tokenBody(token) {
  return `{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"${token}"}`;
}
const responseHeaders = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store, no-cache",
  pragma: "no-cache",
  "x-ms-request-id": "00000000-0000-0000-0000-000000000000",
};

/** A `fetch` that answers every request at once with a fresh token response, no I/O at all. */
export function cannedFetch(tokenLength = 1386) {
  let i = 0;
  return async (_input, _init) =>
    new Response(tokenBody(fakeToken(i++, tokenLength)), { status: 200, headers: responseHeaders });
}

/** msal-node's network client doing what its default fetch client does with a canned Response. */
export function cannedMsalNetworkClient(tokenLength = 1386) {
  let i = 0;
  async function send() {
    const response = new Response(tokenBody(fakeToken(i++, tokenLength)), {
      status: 200,
      headers: responseHeaders,
    });
    const dict = {};
    response.headers.forEach((value, key) => (dict[key] = value));
    return { headers: dict, body: await response.json(), status: response.status };
  }
  return { sendGetRequestAsync: send, sendPostRequestAsync: send };
}

/** entra-edge application options against the loopback server (`origin`). */
export function oursOptions(origin, { credential = "secret", fetch, memoryCache } = {}) {
  const options = { clientId: CLIENT_ID, authority: `${origin}/${tenantId(0)}` };
  if (credential === "secret") options.clientSecret = SECRET;
  else options.certificate = { privateKey: privateKeyPem, certificate: certificatePem };
  if (fetch) options.fetch = fetch;
  if (memoryCache) options.memoryCache = memoryCache;
  return options;
}

export async function oursApp(origin, settings) {
  const lib = await loadLib();
  return { lib, app: new lib.ConfidentialClientApplication(oursOptions(origin, settings)) };
}

export const msalAuthority = (tenant) => `https://login.microsoftonline.com/${tenant}`;

/** msal-node configuration against the loopback server through its `system.networkClient`. */
export function msalConfig(
  origin,
  { credential = "secret", networkClient, cachePlugin, tenant = tenantId(0) } = {},
) {
  const auth = { clientId: CLIENT_ID, authority: msalAuthority(tenant) };
  if (credential === "secret") auth.clientSecret = SECRET;
  else auth.clientCertificate = { thumbprintSha256, privateKey: privateKeyPem };
  const config = { auth, system: { networkClient: networkClient ?? msalNetworkClient(origin) } };
  if (cachePlugin) config.cache = { cachePlugin };
  return config;
}

export function msalApp(origin, settings) {
  return new msal.ConfidentialClientApplication(msalConfig(origin, settings));
}

/**
 * msal-node's serialized cache with `entries` (an iterable of [tenant, scope]) added to what
 * `serialized` holds: the exact key and entity format msal-node 7 writes (checked against its
 * own serialize() output), with tokens of `tokenLength` characters.
 */
export function msalCacheJson(serialized, entries, tokenLength, { keepExisting = true } = {}) {
  const cache = JSON.parse(serialized);
  const template = Object.values(cache.AccessToken)[0];
  if (template === undefined)
    throw new Error("msal-node cache has no access token to copy the format from");
  const parts = [];
  let i = 0;
  for (const [tenant, scope] of entries) {
    const key =
      `-${template.environment}-accesstoken-${CLIENT_ID}-${tenant}-${scope}-`.toLowerCase();
    const entity = {
      ...template,
      secret: fakeToken(i++, tokenLength),
      realm: tenant,
      target: scope,
    };
    parts.push(`${JSON.stringify(key)}:${JSON.stringify(entity)}`);
  }
  const existing = JSON.stringify(cache.AccessToken).slice(1, -1);
  if (keepExisting && existing.length > 0) parts.unshift(existing);
  const { AccessToken: _, ...rest } = cache;
  const restJson = JSON.stringify(rest).slice(1, -1);
  return `{"AccessToken":{${parts.join(",")}},${restJson}}`;
}

export { GRAPH };

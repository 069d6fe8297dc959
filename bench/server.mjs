// The loopback token endpoint both libraries talk to: entra-edge's Entra ID emulator behind a
// real node:http server on 127.0.0.1, in its own process (so the client's CPU can be measured
// apart from the server's). Requests to http://127.0.0.1:{port}/{tenant}/oauth2/v2.0/token are
// answered as by that loopback origin; a request carrying `x-bench-host: login.microsoftonline.com`
// (msal-node's network client) is answered as https://login.microsoftonline.com/... would be.
// Prints `{"port":N}` on stdout once listening. Admin: GET /__bench/counts, POST /__bench/reset,
// GET /__bench/delay?ms=N (token responses held back N ms from now on; 0 by default).
import { createServer } from "node:http";
import { CLIENT_ID, SECRET, certificatePem, tenantId, loadTesting, args } from "./lib/common.mjs";

const options = args();
const tenantCount = Number(options.tenants ?? 3000);
const { createEntraEmulator } = await loadTesting();
const emulator = await createEntraEmulator({
  tenants: Array.from({ length: tenantCount }, (_, i) => tenantId(i)),
  apps: [{ clientId: CLIENT_ID, secrets: [SECRET], certificates: [certificatePem] }],
  // Entra accepts an assertion reused until it expires (both libraries reuse theirs).
  jtiReplay: "allow",
  accessTokenFormat: options.opaque ? "opaque" : "jwt",
});

const counts = { token: 0, other: 0 };
let tokenDelayMs = 0;
const server = createServer(async (req, res) => {
  try {
    if (req.url.startsWith("/__bench/delay")) {
      tokenDelayMs = Number(new URL(req.url, "http://x").searchParams.get("ms") ?? "0");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(counts));
      return;
    }
    if (req.url.startsWith("/__bench/")) {
      if (req.url === "/__bench/reset") {
        counts.token = 0;
        counts.other = 0;
        emulator.reset();
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(counts));
      return;
    }
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const forwardedHost = req.headers["x-bench-host"];
    const url = forwardedHost
      ? `https://${forwardedHost}${req.url}`
      : `http://${req.headers.host}${req.url}`;
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (
        name === "host" ||
        name === "x-bench-host" ||
        name === "connection" ||
        name === "content-length" ||
        name === "transfer-encoding"
      )
        continue;
      headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const isToken = req.method === "POST" && /\/token$/.test(new URL(url).pathname);
    if (isToken) counts.token++;
    else counts.other++;
    if (isToken && tokenDelayMs > 0) await new Promise((r) => setTimeout(r, tokenDelayMs));
    const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
    const response = await emulator.fetch(url, { method: req.method, headers, body });
    const out = Buffer.from(await response.arrayBuffer());
    const outHeaders = {};
    response.headers.forEach((value, name) => (outHeaders[name] = value));
    outHeaders["content-length"] = String(out.length);
    res.writeHead(response.status, outHeaders).end(out);
    // The emulator records every request; the benchmark does not need them.
    if (emulator.requests.length > 5000) emulator.reset();
  } catch (error) {
    res.writeHead(502, { "content-type": "text/plain" }).end(String(error?.message ?? error));
  }
});
server.keepAliveTimeout = 60_000;
server.maxRequestsPerSocket = 0;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

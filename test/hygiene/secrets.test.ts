// Secret hygiene: drive every error path we can reach (bad secret, bad PEM, wrong password,
// mismatched certificate, legacy pfx, throttling, 5xx, network errors, invalid responses, L2
// failures, invalid scopes and tenants, assertion callback errors, background refresh failures,
// federated tokens refused, expired or thrown with, a refused Actions bearer) at
// every log level, with and without PII logging, and check that no client secret, private key
// (any 16-character chunk of its base64, encrypted or not), password, client assertion or access
// token appears in any log line or in any error's message, String(), JSON.stringify(),
// util.inspect(depth 10) or stack. With PII logging off, tenant and client ids must not be logged.
import { createPrivateKey } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { SignJWT, importPKCS8 } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConfidentialClientApplicationBuilder,
  type CacheAdapter,
  type LogLevel,
} from "../../src/index";
import { createEntraEmulator, faults, type EntraEmulator } from "../../src/testing/index";
import { githubActionsToken, kubernetesTokenFile, vercelOidcToken } from "../../federation/index";
import { startOidcIssuer, type OidcIssuer } from "../support/oidc-issuer";
import { clientId, emulator, graph, keyBytes, keys, secret, tenantA, tenantB } from "../app/setup";

const wrongSecret = "Wr0ng~Client.Secret-Value_987654321";
const unicodePassword = "pässwörd€";
const wrongPassword = "Wr0ng-P@ssphrase!zq8";
const bogusAssertionValue = "not-a-jwt-Sup3rS3cretAssertionValue";
/** An access token in crafted bodies: long and unique. */
const craftedToken =
  "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJoeWdpZW5lIjoiY3JhZnRlZCJ9.Y3JhZnRlZC1zaWduYXR1cmUtaHlnaWVuZS10ZXN0LXRva2Vu";

const levels: readonly LogLevel[] = ["error", "warning", "info", "verbose"];

interface Output {
  readonly scenario: string;
  readonly where: string;
  readonly text: string;
}

interface Capture {
  /** Log lines (message and data), as text. */
  readonly logs: Output[];
  /** Every surface of every error. */
  readonly errors: Output[];
  /** Assertions and access tokens seen on the wire or returned. */
  readonly dynamicSecrets: Set<string>;
  /** The codes (or names) of the errors seen. */
  readonly codes: Set<string>;
}

// ---------------------------------------------------------------------------------------------
// Secrets

const pemBase64 = (pem: string): string[] =>
  [...pem.matchAll(/-----BEGIN [^-]+-----([\s\S]*?)-----END/g)].map((m) =>
    (m[1] ?? "")
      .split(/\r?\n/)
      .filter((l) => l !== "" && !l.includes(":"))
      .join(""),
  );

function keyForms(pem: string, passphrase?: string): string[] {
  const key = createPrivateKey(passphrase === undefined ? pem : { key: pem, passphrase });
  return [
    key.export({ type: "pkcs8", format: "der" }).toString("base64"),
    key.export({ type: "pkcs1", format: "der" }).toString("base64"),
    key.export({ format: "jwk" }).d as string,
  ];
}

/**
 * The part of a JWT worth protecting: claims and signature. The header (alg, typ, thumbprints) is
 * public and the same for every token of a kind, so a match there would be noise.
 */
function secretPart(jwt: string): string {
  const parts = jwt.split(".");
  return parts.length === 3 ? `${parts[1]}.${parts[2]}` : jwt;
}

/** Long secrets checked chunk by chunk (any 16 characters of them). */
function chunkedSecrets(): Map<string, string> {
  const sources: [string, string][] = [
    ...pemBase64(keys("rsa.pkcs8.pem")).map((b): [string, string] => ["rsa.pkcs8.pem base64", b]),
    ...pemBase64(keys("rsa.enc-unicode.pem")).map((b): [string, string] => [
      "rsa.enc-unicode.pem base64",
      b,
    ]),
    ...pemBase64(keys("rsa.enc-default.pem")).map((b): [string, string] => [
      "rsa.enc-default.pem base64",
      b,
    ]),
    ...pemBase64(keys("other-rsa.pkcs8.pem")).map((b): [string, string] => [
      "other-rsa.pkcs8.pem base64",
      b,
    ]),
    ...keyForms(keys("rsa.pkcs8.pem")).map((b): [string, string] => [
      "the RSA key (decoded forms)",
      b,
    ]),
    ...keyForms(keys("other-rsa.pkcs8.pem")).map((b): [string, string] => [
      "the other RSA key (decoded forms)",
      b,
    ]),
    ["rsa.unicode.pfx base64", Buffer.from(keyBytes("rsa.unicode.pfx")).toString("base64")],
    ["rsa.legacy.pfx base64", Buffer.from(keyBytes("rsa.legacy.pfx")).toString("base64")],
    ["a crafted access token", secretPart(craftedToken)],
  ];
  const chunks = new Map<string, string>();
  for (const [label, value] of sources) {
    for (let i = 0; i + 16 <= value.length; i++) chunks.set(value.slice(i, i + 16), label);
  }
  return chunks;
}

/** Short secrets checked whole. */
const wholeSecrets: readonly [string, string][] = [
  ["client secret", secret],
  ["wrong client secret", wrongSecret],
  ["pfx/key password", unicodePassword],
  ["wrong password", wrongPassword],
  ["assertion returned by a callback", bogusAssertionValue],
];

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Context {
  readonly entra: EntraEmulator;
  readonly level: LogLevel;
  readonly pii: boolean;
  readonly capture: Capture;
}

type Builder = ConfidentialClientApplicationBuilder;

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

function recordError(capture: Capture, scenario: string, error: unknown): void {
  capture.codes.add(String((error as { code?: unknown }).code ?? (error as Error).name));
  const surfaces: [string, () => string][] = [
    ["message", () => (error instanceof Error ? error.message : "")],
    ["String()", () => String(error)],
    ["JSON.stringify", () => stringify(error)],
    ["util.inspect", () => inspect(error, { depth: 10 })],
    ["stack", () => (error instanceof Error ? (error.stack ?? "") : "")],
  ];
  for (const [where, read] of surfaces) capture.errors.push({ scenario, where, text: read() });
}

function builderFor(ctx: Context, scenario: string): Builder {
  const at = (level: string) => (message: string, data?: Record<string, unknown>) =>
    void ctx.capture.logs.push({
      scenario,
      where: `log ${level}`,
      text: `${message} ${stringify(data)} ${inspect(data, { depth: 10 })}`,
    });
  return ConfidentialClientApplicationBuilder.create(clientId)
    .withHttpClient(ctx.entra.fetch)
    .withMemoryCache({ shared: false })
    .withRetry({ delayMs: 5 })
    .withLogging(
      { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") },
      { level: ctx.level, piiLoggingEnabled: ctx.pii },
    );
}

/** Runs one attempt: a build or an acquisition; keeps its error, or the token it returned. */
async function attempt(ctx: Context, scenario: string, action: () => unknown): Promise<unknown> {
  try {
    const result = (await action()) as { accessToken?: string } | undefined;
    if (typeof result?.accessToken === "string") ctx.capture.dynamicSecrets.add(result.accessToken);
    return result;
  } catch (error) {
    recordError(ctx.capture, scenario, error);
    return error;
  }
}

const graphOf = (b: Builder) => b.build().acquireTokenForClient(graph);
const certificate = { privateKey: keys("rsa.pkcs8.pem"), certificate: keys("rsa.crt.pem") };

/** The issuer of federated tokens, and an emulator whose app trusts it (set up once). */
let issuer: OidcIssuer;
let federatedEntra: EntraEmulator;
const federatedSubject = "system:serviceaccount:hygiene:app";
const tokenDir = mkdtempSync(join(tmpdir(), "entra-edge-hygiene-"));
afterAll(async () => {
  await issuer?.stop();
  rmSync(tokenDir, { recursive: true, force: true });
});

/** A token of the issuer, written to a file of its own; the token counts as a secret. */
async function federatedTokenFile(ctx: Context, options: Parameters<OidcIssuer["mint"]>[0]) {
  const token = await issuer.mint(options);
  ctx.capture.dynamicSecrets.add(token);
  const path = join(tokenDir, crypto.randomUUID());
  writeFileSync(path, `${token}\n`);
  return path;
}

const scenarios: Record<string, (ctx: Context, name: string) => Promise<void>> = {
  async "federation: a token file accepted, one refused (wrong subject), one expired"(ctx, name) {
    const federated = (b: Builder) => b.withHttpClient(federatedEntra.fetch).withTenantId(tenantA);
    for (const options of [
      { sub: federatedSubject },
      { sub: "system:serviceaccount:other:app" },
      { sub: federatedSubject, lifetimeSeconds: -60 },
    ]) {
      const path = await federatedTokenFile(ctx, options);
      await attempt(ctx, name, () =>
        graphOf(federated(builderFor(ctx, name).withClientAssertion(kubernetesTokenFile(path)))),
      );
    }
  },
  async "federation: a refused Actions bearer, a Vercel function that throws with its token"(
    ctx,
    name,
  ) {
    const bearer = `hygiene-actions-bearer-${crypto.randomUUID()}`;
    ctx.capture.dynamicSecrets.add(bearer);
    process.env["ACTIONS_ID_TOKEN_REQUEST_URL"] = issuer.actionsUrl;
    process.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = bearer;
    try {
      await attempt(ctx, name, () =>
        graphOf(
          builderFor(ctx, name)
            .withClientAssertion(githubActionsToken())
            .withHttpClient(federatedEntra.fetch)
            .withTenantId(tenantA),
        ),
      );
    } finally {
      delete process.env["ACTIONS_ID_TOKEN_REQUEST_URL"];
      delete process.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"];
    }
    const token = await issuer.mint({ sub: federatedSubject });
    ctx.capture.dynamicSecrets.add(token);
    const throwing = vercelOidcToken(() => {
      throw new Error(`could not use ${token}`);
    });
    await attempt(ctx, name, () =>
      graphOf(
        builderFor(ctx, name)
          .withClientAssertion(throwing)
          .withHttpClient(federatedEntra.fetch)
          .withTenantId(tenantA),
      ),
    );
  },
  async "client secret: success, then from the cache"(ctx, name) {
    const app = builderFor(ctx, name).withClientSecret(secret).withTenantId(tenantA).build();
    await attempt(ctx, name, () => app.acquireTokenForClient(graph));
    await attempt(ctx, name, () => app.acquireTokenForClient(graph));
  },
  async "wrong client secret"(ctx, name) {
    await attempt(ctx, name, () =>
      graphOf(builderFor(ctx, name).withClientSecret(wrongSecret).withTenantId(tenantA)),
    );
  },
  async "empty client secret"(ctx, name) {
    await attempt(ctx, name, () =>
      graphOf(builderFor(ctx, name).withClientSecret("   ").withTenantId(tenantA)),
    );
  },
  async "bad PEM: a corrupted, a truncated and a certificate-only private key"(ctx, name) {
    const pem = keys("rsa.pkcs8.pem");
    const corrupted = pem.replace(/(\n[A-Za-z0-9+/]{30})[A-Za-z0-9+/]/, "$1@");
    const lines = pem.split("\n");
    const truncated = [
      ...lines.slice(0, Math.floor(lines.length / 2)),
      "-----END PRIVATE KEY-----",
    ].join("\n");
    const bitFlipped = pem.replace(
      /(\n[A-Za-z0-9+/]{40})([A-Za-z0-9+/])/,
      (_, head: string, c: string) => head + (c === "A" ? "B" : "A"),
    );
    for (const privateKey of [
      corrupted,
      truncated,
      bitFlipped,
      keys("rsa.crt.pem"),
      `${pem}\n${pem}`,
      pem.replace("PRIVATE KEY", "EC PRIVATE KEY").replace("END PRIVATE KEY", "END EC PRIVATE KEY"),
    ]) {
      await attempt(ctx, name, () =>
        graphOf(
          builderFor(ctx, name)
            .withCertificate({ privateKey, certificate: keys("rsa.crt.pem") })
            .withTenantId(tenantA),
        ),
      );
    }
    await attempt(ctx, name, () =>
      graphOf(
        builderFor(ctx, name)
          .withCertificate({ privateKey: pem, certificate: pem })
          .withTenantId(tenantA),
      ),
    );
  },
  async "wrong password: encrypted PEM and pfx"(ctx, name) {
    await attempt(ctx, name, () =>
      graphOf(
        builderFor(ctx, name)
          .withCertificate({
            privateKey: keys("rsa.enc-unicode.pem"),
            password: wrongPassword,
            certificate: keys("rsa.crt.pem"),
          })
          .withTenantId(tenantA),
      ),
    );
    await attempt(ctx, name, () =>
      graphOf(
        builderFor(ctx, name)
          .withCertificate({
            privateKey: keys("rsa.enc-unicode.pem"),
            certificate: keys("rsa.crt.pem"),
          })
          .withTenantId(tenantA),
      ),
    );
    await attempt(ctx, name, () =>
      graphOf(
        builderFor(ctx, name)
          .withCertificate({ pfx: keyBytes("rsa.unicode.pfx"), password: wrongPassword })
          .withTenantId(tenantA),
      ),
    );
  },
  async "right password: encrypted PEM and pfx, then 5xx twice"(ctx, name) {
    for (const credential of [
      {
        privateKey: keys("rsa.enc-unicode.pem"),
        password: unicodePassword,
        certificate: keys("rsa.crt.pem"),
      },
      { pfx: keyBytes("rsa.unicode.pfx"), password: unicodePassword },
    ]) {
      const app = builderFor(ctx, name).withCertificate(credential).withTenantId(tenantA).build();
      await attempt(ctx, name, () => app.acquireTokenForClient(graph));
      ctx.entra.injectFault(faults.serverError(500, { times: 2 }));
      await attempt(ctx, name, () => app.acquireTokenForClient(graph).withForceRefresh());
    }
  },
  async "mismatched certificate"(ctx, name) {
    await attempt(ctx, name, () =>
      graphOf(
        builderFor(ctx, name)
          .withCertificate({
            privateKey: keys("rsa.pkcs8.pem"),
            certificate: keys("other-rsa.crt.pem"),
          })
          .withTenantId(tenantA),
      ),
    );
  },
  async "certificate not registered with the app (AADSTS700027)"(ctx, name) {
    await attempt(ctx, name, () =>
      graphOf(
        builderFor(ctx, name)
          .withCertificate({
            privateKey: keys("other-rsa.pkcs8.pem"),
            certificate: keys("other-rsa.crt.pem"),
          })
          .withTenantId(tenantA),
      ),
    );
  },
  async "legacy pfx"(ctx, name) {
    await attempt(ctx, name, () =>
      graphOf(
        builderFor(ctx, name)
          .withCertificate({ pfx: keyBytes("rsa.legacy.pfx"), password: "secret" })
          .withTenantId(tenantA),
      ),
    );
  },
  async "throttling: 429, then blocked"(ctx, name) {
    const app = builderFor(ctx, name).withCertificate(certificate).withTenantId(tenantA).build();
    ctx.entra.injectFault(faults.throttled(60));
    await attempt(ctx, name, () => app.acquireTokenForClient(graph));
    await attempt(ctx, name, () => app.acquireTokenForClient(graph));
    ctx.entra.injectFault(faults.serverError(503, { retryAfter: 30 }));
    await attempt(ctx, name, () => app.acquireTokenForClient(graph, { tenantId: tenantB }));
  },
  async "5xx twice and HTML pages, with a secret and with a certificate"(ctx, name) {
    for (const b of [
      builderFor(ctx, name).withClientSecret(secret),
      builderFor(ctx, name).withCertificate(certificate),
    ]) {
      const app = b.withTenantId(tenantA).build();
      ctx.entra.injectFault(faults.serverError(502, { times: 2 }));
      await attempt(ctx, name, () => app.acquireTokenForClient(graph));
      ctx.entra.injectFault(faults.html(503, { times: 2 }));
      await attempt(ctx, name, () => app.acquireTokenForClient(graph));
    }
  },
  async "network errors: reset, timeout, abort"(ctx, name) {
    const app = builderFor(ctx, name)
      .withCertificate(certificate)
      .withTenantId(tenantA)
      .withTimeout(100)
      .build();
    ctx.entra.injectFault(faults.network({ times: 2 }));
    await attempt(ctx, name, () => app.acquireTokenForClient(graph));
    ctx.entra.injectFault(faults.delay(400, { times: 2 }));
    await attempt(ctx, name, () => app.acquireTokenForClient(graph));
    await new Promise((resolve) => setTimeout(resolve, 50));
    ctx.entra.clearFaults();
    ctx.entra.injectFault(faults.delay(200));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("caller gave up")), 10);
    const slow = builderFor(ctx, name).withClientSecret(secret).withTenantId(tenantA).build();
    await attempt(ctx, name, () =>
      slow.acquireTokenForClient(graph).withAbortSignal(controller.signal),
    );
    await attempt(ctx, name, () =>
      slow.acquireTokenForClient(graph).withAbortSignal(AbortSignal.abort()),
    );
  },
  async "invalid responses: bad expires_in, truncated JSON, HTML 200, empty body"(ctx, name) {
    const app = builderFor(ctx, name).withCertificate(certificate).withTenantId(tenantA).build();
    const bodies = [
      JSON.stringify({ token_type: "Bearer", expires_in: "soon", access_token: craftedToken }),
      JSON.stringify({
        token_type: "Bearer",
        expires_in: -5,
        access_token: craftedToken,
        ext_expires_in: "x",
      }),
      JSON.stringify({ token_type: "", expires_in: 3599, access_token: craftedToken }),
      JSON.stringify({
        error: "invalid_request",
        error_description: "AADSTS90002: Tenant not found.",
        access_token: craftedToken,
      }),
    ];
    for (const body of bodies) {
      ctx.entra.injectFault({ type: "body", body });
      await attempt(ctx, name, () => app.acquireTokenForClient(graph).withForceRefresh());
    }
    for (const fault of [
      faults.truncated(),
      { type: "body" as const, body: "<html>ok</html>", contentType: "text/html" },
      { type: "body" as const, body: "" },
    ]) {
      ctx.entra.injectFault(fault);
      await attempt(ctx, name, () => app.acquireTokenForClient(graph).withForceRefresh());
    }
  },
  async "L2 failures: throwing, hanging, garbage, and errors quoting the stored value"(ctx, name) {
    const adapters: CacheAdapter[] = [
      {
        name: "throws",
        get: () => Promise.reject(new Error("ECONNREFUSED")),
        set: () => Promise.reject(new Error("ECONNREFUSED")),
        delete: async () => undefined,
      },
      {
        name: "hangs",
        get: () => new Promise(() => undefined),
        set: () => new Promise(() => undefined),
        delete: async () => undefined,
      },
      {
        name: "garbage",
        get: async () => `{"v":1,"k":"x","at":"${craftedToken}"`,
        set: async () => undefined,
        delete: async () => undefined,
      },
      {
        name: "quoting",
        get: async (key) => {
          throw new Error(`GET ${key} failed`);
        },
        set: async (key, value) => {
          throw new Error(`ERR value too large: SET ${key} ${value}`);
        },
        delete: async () => undefined,
      },
      {
        // A store client that quotes the rejected value in its error (as size-limit errors may).
        name: "quoting-value",
        get: async () => undefined,
        set: async (_key, value) => {
          throw new Error(`Value rejected: ${value}`);
        },
        delete: async () => undefined,
      },
    ];
    for (const adapter of adapters) {
      const app = builderFor(ctx, name)
        .withCertificate(certificate)
        .withTenantId(tenantA)
        .withCache(adapter, { timeoutMs: 30, onCacheError: () => undefined })
        .build();
      await attempt(ctx, name, () => app.acquireTokenForClient(graph));
      ctx.entra.injectFault(faults.serverError(500, { times: 2 }));
      await attempt(ctx, name, () => app.acquireTokenForClient(graph).withForceRefresh());
    }
  },
  async "invalid scopes and tenants"(ctx, name) {
    const app = builderFor(ctx, name).withClientSecret(secret).withTenantId(tenantA).build();
    for (const scopes of [
      ["https://graph.microsoft.com/User.Read"],
      [],
      ["a b"],
      ["https://graph.microsoft.com/.default", "https://management.azure.com/.default"],
      ["openid"],
    ]) {
      await attempt(ctx, name, () => app.acquireTokenForClient(scopes));
    }
    for (const tenant of ["common", "organizations", "bad tenant|x", "", "../etc"])
      await attempt(ctx, name, () => app.acquireTokenForClient(graph).withTenantId(tenant));
    await attempt(ctx, name, () => graphOf(builderFor(ctx, name).withClientSecret(secret)));
    await attempt(ctx, name, () =>
      graphOf(
        builderFor(ctx, name)
          .withClientSecret(secret)
          .withAuthority("http://login.microsoftonline.com/x"),
      ),
    );
    await attempt(ctx, name, () =>
      graphOf(
        builderFor(ctx, name)
          .withClientSecret(secret)
          .withAuthority("https://user:pw@login.microsoftonline.com/x"),
      ),
    );
  },
  async "assertion callback errors and rejected assertions"(ctx, name) {
    const key = await importPKCS8(keys("other-rsa.pkcs8.pem"), "RS256");
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256", typ: "JWT" })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(`https://login.microsoftonline.com/${tenantA}/oauth2/v2.0/token`)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(key);
    ctx.capture.dynamicSecrets.add(foreign);
    const callbacks = [
      () => Promise.reject(new Error("signing service unavailable")),
      () => bogusAssertionValue,
      () => foreign,
      () => new Promise<string>((resolve) => setTimeout(() => resolve(foreign), 5)),
    ];
    for (const callback of callbacks)
      await attempt(ctx, name, () =>
        graphOf(builderFor(ctx, name).withClientAssertion(callback).withTenantId(tenantA)),
      );
    await attempt(ctx, name, () =>
      graphOf(builderFor(ctx, name).withClientAssertion(foreign).withTenantId(tenantA)),
    );
    await attempt(ctx, name, () =>
      graphOf(builderFor(ctx, name).withClientAssertion(bogusAssertionValue).withTenantId(tenantA)),
    );
  },
  async "a fetch whose errors quote the request body: in the message, the cause and a failing body stream"(
    ctx,
    name,
  ) {
    // A wrapping fetch (a proxy client, an instrumentation layer) that puts the request, form
    // body and client secret included, into its error's message and cause.
    const quoting = (mode: "throw" | "cause only" | "stream"): typeof fetch =>
      (async (input: RequestInfo | URL, init?: RequestInit) => {
        const body = String(init?.body ?? "");
        const form = new URLSearchParams(body);
        const assertion = form.get("client_assertion");
        if (assertion !== null) ctx.capture.dynamicSecrets.add(assertion);
        // The credential first, so that even a message cut short would hold it.
        const credential = form.get("client_secret") ?? assertion ?? "";
        const failure = new TypeError(
          `fetch failed: ${credential} (POST ${String(input)} ${body})`,
          {
            cause: Object.assign(new Error(`socket hang up while writing ${body}`), {
              code: "ECONNRESET",
              body,
              bodyDecoded: decodeURIComponent(body),
            }),
          },
        );
        if (mode === "throw") throw failure;
        if (mode === "cause only") throw new TypeError("fetch failed", { cause: failure });
        return new Response(
          new ReadableStream({ start: (controller) => controller.error(failure) }),
          { status: 200, headers: { "content-type": "application/json" } },
        );
      }) as typeof fetch;
    for (const mode of ["throw", "cause only", "stream"] as const) {
      for (const b of [
        builderFor(ctx, name).withClientSecret(secret),
        builderFor(ctx, name).withCertificate(certificate),
        builderFor(ctx, name).withClientSecret(secret).withAzureRegion("westus"),
      ]) {
        const app = b.withTenantId(tenantA).withHttpClient(quoting(mode)).build();
        await attempt(ctx, name, () => app.acquireTokenForClient(graph));
      }
    }
  },
  async "background refresh failure"(ctx, name) {
    const app = builderFor(ctx, name).withClientSecret(secret).withTenantId(tenantA).build();
    ctx.entra.injectFault({
      type: "body",
      body: JSON.stringify({
        token_type: "Bearer",
        expires_in: 3599,
        refresh_in: 0,
        access_token: craftedToken,
      }),
    });
    await attempt(ctx, name, () => app.acquireTokenForClient(graph));
    ctx.entra.injectFault(faults.serverError(500, { times: 2 }));
    const pending: Promise<unknown>[] = [];
    await attempt(ctx, name, () =>
      app.acquireTokenForClient(graph).withWaitUntil((p) => pending.push(p)),
    );
    await Promise.all(pending);
  },
};

async function runAll(entra: EntraEmulator, level: LogLevel, pii: boolean): Promise<Capture> {
  const capture: Capture = { logs: [], errors: [], dynamicSecrets: new Set(), codes: new Set() };
  const ctx: Context = { entra, level, pii, capture };
  for (const [name, scenario] of Object.entries(scenarios)) {
    entra.reset();
    await scenario(ctx, name);
    for (const request of entra.tokenRequests()) {
      const assertion = request.form["client_assertion"];
      if (assertion !== undefined) capture.dynamicSecrets.add(assertion);
    }
  }
  return capture;
}

// ---------------------------------------------------------------------------------------------
// Checks

const chunks = chunkedSecrets();

function leaksIn(outputs: readonly Output[], dynamicSecrets: ReadonlySet<string>): string[] {
  const dynamicChunks = new Map<string, string>();
  for (const value of dynamicSecrets) {
    const part = secretPart(value);
    for (let i = 0; i + 16 <= part.length; i++)
      dynamicChunks.set(part.slice(i, i + 16), "a client assertion or access token");
  }
  const found = new Set<string>();
  for (const { scenario, where, text } of outputs) {
    for (const [label, value] of wholeSecrets)
      if (text.includes(value)) found.add(`${label} in ${where} (${scenario})`);
    for (let i = 0; i + 16 <= text.length; i++) {
      const window = text.slice(i, i + 16);
      const label = chunks.get(window) ?? dynamicChunks.get(window);
      if (label !== undefined) found.add(`${label} ("${window}") in ${where} (${scenario})`);
    }
  }
  return [...found];
}

let entra: EntraEmulator;
beforeAll(async () => {
  entra = await emulator();
  issuer = await startOidcIssuer();
  federatedEntra = await createEntraEmulator({
    tenants: [tenantA],
    apps: [
      { clientId, federatedCredentials: [{ issuer: issuer.issuer, subject: federatedSubject }] },
    ],
  });
});

describe.each(levels.flatMap((level) => [false, true].map((pii) => [level, pii] as const)))(
  "log level %s, piiLoggingEnabled %s",
  (level, pii) => {
    let capture: Capture;
    beforeAll(async () => {
      capture = await runAll(entra, level, pii);
    }, 60_000);

    it("drives the error paths (the logger hears from the library at this level)", () => {
      expect(capture.errors.length).toBeGreaterThan(100);
      expect([...capture.codes].sort()).toEqual(
        expect.arrayContaining([
          "aborted",
          "certificate_key_mismatch",
          "insecure_authority",
          "invalid_authority",
          "invalid_certificate",
          "invalid_client_assertion",
          "invalid_client_secret",
          "invalid_password",
          "invalid_pem",
          "invalid_private_key",
          "invalid_scopes",
          "invalid_tenant",
          "invalid_token_response",
          "legacy_pkcs12_encryption",
          "network_error",
          "request_timeout",
          "service_error",
          "throttled",
        ]),
      );
      expect(capture.dynamicSecrets.size).toBeGreaterThan(5);
      if (level !== "error") expect(capture.logs.length).toBeGreaterThan(0);
      for (const line of capture.logs) {
        const rank =
          { "log error": 0, "log warn": 1, "log info": 2, "log debug": 3 }[line.where] ?? 9;
        expect(rank, line.text).toBeLessThanOrEqual(levels.indexOf(level));
      }
    });

    it("no secret, key, password, assertion or access token in any error surface", () => {
      expect(leaksIn(capture.errors, capture.dynamicSecrets)).toEqual([]);
    });

    it("no secret, key, password, assertion or access token in any log line", () => {
      expect(leaksIn(capture.logs, capture.dynamicSecrets)).toEqual([]);
    });

    // Only the applicable checks are registered: no test is skipped.
    if (pii && (level === "info" || level === "verbose"))
      it("with PII logging on, the tenant does appear (the switch is real)", () => {
        expect(capture.logs.some((line) => line.text.includes(tenantA))).toBe(true);
      });

    if (!pii)
      it("no tenant or client id in any log line while PII logging is off", () => {
        const personal = [tenantA, tenantB, clientId, "contoso.onmicrosoft.com"];
        const found = capture.logs
          .filter((line) => personal.some((id) => line.text.toLowerCase().includes(id)))
          .map((line) => `${line.scenario}: ${line.text.slice(0, 240)}`);
        expect(found).toEqual([]);
      });
  },
);

describe("the leak detector", () => {
  it("finds planted secrets, key chunks, passwords, assertions and tokens", () => {
    const keyBase64 = pemBase64(keys("rsa.pkcs8.pem"))[0] as string;
    const assertion =
      "eyJhbGciOiJQUzI1NiJ9.eyJhdWQiOiJodHRwczovL2xvZ2luIiwiaXNzIjoiYXBwIn0.c2lnbmF0dXJlLWJ5dGVzLWhlcmUtMTIzNA";
    const planted = [
      `failed with ${secret}`,
      `key material ${keyBase64.slice(100, 116)} here`,
      `password ${unicodePassword}`,
      `assertion ${assertion.split(".")[2]}`,
      `token ${craftedToken.split(".")[1]}`,
      `pkcs1 ${(keyForms(keys("rsa.pkcs8.pem"))[1] as string).slice(300, 320)}`,
    ].map((text, i) => ({ scenario: "planted", where: `line ${i}`, text }));
    const found = leaksIn(planted, new Set([assertion]));
    for (const line of planted)
      expect(
        found.some((f) => f.includes(` in ${line.where} (`)),
        line.text,
      ).toBe(true);
    expect(
      leaksIn(
        [
          {
            scenario: "clean",
            where: "line",
            text: "AADSTS7000215: Invalid client secret provided.",
          },
        ],
        new Set([assertion]),
      ),
    ).toEqual([]);
  });
});

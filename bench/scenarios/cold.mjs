// Scenario 4: the cold path (a token request per acquisition), for a client secret and for a
// certificate (assertion signing), in two settings:
//  - "loopback": a real HTTP round trip to the token server (a separate process, so the CPU
//    measured here is the client's own: library + HTTP client + kernel);
//  - "no-network": a canned in-process response, no I/O at all: the library's own CPU.
// "repeat" asks again for one tenant (forceRefresh / skipCache; a certificate's assertion is
// reused); "new-tenant" asks for a tenant never seen before (a real miss; a certificate's
// assertion has a new audience, so it is signed).
import { webcrypto, createPrivateKey, sign as nodeSign } from "node:crypto";
import {
  GRAPH,
  tenantId,
  emit,
  stats,
  cpuOf,
  serverCounts,
  privateKeyPem,
} from "../lib/common.mjs";
import {
  oursApp,
  cannedFetch,
  cannedMsalNetworkClient,
  msalApp,
  msalAuthority,
} from "../lib/clients.mjs";

const scopes = [GRAPH];

async function measure(call, iterations, warmup) {
  for (let i = 0; i < warmup; i++) await call(i, true);
  const samples = [];
  const { cpuUs, wallUs } = await cpuOf(async () => {
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      await call(i, false);
      samples.push((performance.now() - t0) * 1000);
    }
  });
  const s = stats(samples);
  return {
    iterations,
    medianUs: s.median,
    p99Us: s.p99,
    meanUs: wallUs / iterations,
    cpuPerCallUs: cpuUs / iterations,
  };
}

async function rsaBaseline() {
  const der = createPrivateKey(privateKeyPem).export({ format: "der", type: "pkcs8" });
  const pss = await webcrypto.subtle.importKey(
    "pkcs8",
    der,
    { name: "RSA-PSS", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const pkcs1 = await webcrypto.subtle.importKey(
    "pkcs8",
    der,
    { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const data = new TextEncoder().encode("x".repeat(700));
  const nodeKey = createPrivateKey(privateKeyPem);
  const time = async (fn) => {
    for (let i = 0; i < 20; i++) await fn();
    const samples = [];
    const { cpuUs } = await cpuOf(async () => {
      for (let i = 0; i < 200; i++) {
        const t0 = performance.now();
        await fn();
        samples.push((performance.now() - t0) * 1000);
      }
    });
    return { medianUs: stats(samples).median, cpuPerCallUs: cpuUs / 200 };
  };
  return {
    pss: await time(() => webcrypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, pss, data)),
    pkcs1: await time(() => webcrypto.subtle.sign({ name: "RSASSA-PKCS1-v1_5" }, pkcs1, data)),
    nodeRs256: await time(() => nodeSign("sha256", data, nodeKey)),
  };
}

export async function run(options) {
  const { origin, lib } = options;
  const iterations = Number(options.iterations ?? 400);
  const warmup = 40;
  if (lib === "entra-edge") {
    const rsa = await rsaBaseline();
    emit({
      scenario: "rsa-sign-2048",
      lib: "webcrypto",
      medianUs: rsa.pss.medianUs,
      cpuPerCallUs: rsa.pss.cpuPerCallUs,
      note: "crypto.subtle.sign RSA-PSS SHA-256 (PS256, what entra-edge signs for Entra)",
      pkcs1MedianUs: rsa.pkcs1.medianUs,
      nodeRs256MedianUs: rsa.nodeRs256.medianUs,
    });
  }
  for (const credential of ["secret", "certificate"]) {
    for (const network of ["loopback", "no-network"]) {
      for (const mode of ["repeat", "new-tenant"]) {
        // New tenants: each (setting, credential) gets its own range of emulator tenants.
        // Loopback new tenants must exist in the emulator (tenants 1000..2499); canned ones need not.
        let base = network === "loopback" ? 1000 + (credential === "secret" ? 0 : 700) : 100_000;
        const count =
          network === "loopback"
            ? mode === "repeat"
              ? iterations
              : Math.min(iterations, 600)
            : mode === "repeat"
              ? 5_000
              : 1_000;
        const warm = network === "loopback" ? warmup : mode === "repeat" ? 500 : 100;
        const before = await serverCounts(origin);
        let result;
        if (lib === "entra-edge") {
          const fetch = network === "loopback" ? undefined : cannedFetch();
          const { app } = await oursApp(origin, {
            credential,
            fetch,
            memoryCache: { shared: false },
          });
          result = await measure(
            (i, warm) =>
              mode === "repeat"
                ? app.acquireTokenForClient(scopes, { tenantId: tenantId(1), forceRefresh: true })
                : app.acquireTokenForClient(scopes, { tenantId: tenantId(base++) }),
            count,
            warm,
          );
          const check = await app.acquireTokenForClient(scopes, {
            tenantId: tenantId(1),
            forceRefresh: true,
          });
          if (check.authenticationResultMetadata.tokenSource !== "IdentityProvider")
            throw new Error("not a token request");
        } else {
          const networkClient = network === "loopback" ? undefined : cannedMsalNetworkClient();
          const cca = msalApp(origin, { credential, networkClient });
          result = await measure(
            (i, warm) =>
              mode === "repeat"
                ? cca.acquireTokenByClientCredential({
                    scopes,
                    authority: msalAuthority(tenantId(1)),
                    skipCache: true,
                  })
                : cca.acquireTokenByClientCredential({
                    scopes,
                    authority: msalAuthority(tenantId(base++)),
                  }),
            count,
            warm,
          );
        }
        const after = await serverCounts(origin);
        emit({
          scenario: `cold-${network}-${credential}-${mode}`,
          lib,
          ...result,
          httpTokenRequests: after.token - before.token,
        });
      }
    }
  }
}

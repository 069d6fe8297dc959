// kubernetesTokenFile in Node: lazy (a build reads nothing), trimmed, reused for every tenant
// while the token lives, read again when it nears its expiry (the kubelet rotates the file), and
// clear ClientErrors that never quote the token.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { ClientError, TokenSource } from "../../src/index";
import { kubernetesTokenFile } from "../../federation/index";
import {
  appWith,
  capturedLogger,
  errorText,
  failureOf,
  federatedEmulator,
  graph,
  graphTokenFailure,
  sentAssertions,
  subject,
  tenantB,
  tenantC,
  useIssuer,
} from "./setup";

const env = useIssuer();
const dir = mkdtempSync(join(tmpdir(), "entra-edge-k8s-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env["AZURE_FEDERATED_TOKEN_FILE"];
  vi.useRealTimers();
});

let files = 0;
const newPath = () => join(dir, `token-${++files}`);

describe("kubernetesTokenFile", () => {
  it("reads nothing at construction or build: neither the file nor AZURE_FEDERATED_TOKEN_FILE", async () => {
    const emulator = await federatedEmulator(env.issuer);
    const path = newPath();
    const app = appWith(kubernetesTokenFile(), emulator.fetch);
    // Only now do the variable and the file exist: the first acquisition reads them.
    process.env["AZURE_FEDERATED_TOKEN_FILE"] = path;
    const token = await env.issuer.mint({ sub: subject });
    writeFileSync(path, `${token}\n`);
    const result = await app.acquireTokenForClient([graph]);
    expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    // Trimmed: the trailing newline is not sent.
    expect(sentAssertions(emulator)).toEqual([token]);
    expect(emulator.tokenRequests()[0]?.form["client_assertion_type"]).toBe(
      "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    );
  });

  it("reuses one read for every tenant while the token lives, and reads the rotated file once it nears expiry", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now());
    const emulator = await federatedEmulator(env.issuer);
    const path = newPath();
    const first = await env.issuer.mint({ sub: subject, lifetimeSeconds: 3600 });
    writeFileSync(path, first);
    const app = appWith(kubernetesTokenFile(path), emulator.fetch);
    await app.acquireTokenForClient([graph]);
    // The kubelet rotates the file; the kept token still has an hour: not read again.
    const second = await env.issuer.mint({ sub: subject, lifetimeSeconds: 3600 });
    writeFileSync(path, second);
    await app.acquireTokenForClient([graph]).withTenantId(tenantB);
    expect(sentAssertions(emulator)).toEqual([first, first]);

    // 59 minutes and 30 seconds later the first token is inside the margin: the file is read again.
    vi.setSystemTime(Date.now() + 3570_000);
    const third = await env.issuer.mint({ sub: subject, lifetimeSeconds: 3600 });
    writeFileSync(path, third);
    await app.acquireTokenForClient([graph]).withTenantId(tenantC);
    expect(sentAssertions(emulator)).toEqual([first, first, third]);
  });

  it("never sends an expired token: a file whose token has expired is a ClientError before any token request", async () => {
    const emulator = await federatedEmulator(env.issuer);
    const path = newPath();
    const expired = await env.issuer.mint({ sub: subject, lifetimeSeconds: -60 });
    writeFileSync(path, expired);
    const error = await graphTokenFailure(kubernetesTokenFile(path), emulator.fetch);
    expect(error).toBeInstanceOf(ClientError);
    expect(error.message).toMatch(/kubernetesTokenFile.*expired/);
    expect(errorText(error)).not.toContain(expired);
    expect(errorText(error)).not.toContain(expired.split(".")[1]);
    expect(emulator.tokenRequests()).toHaveLength(0);
  });

  it("names AZURE_FEDERATED_TOKEN_FILE when it is unset, and the path when the file is missing, empty or not a JWT", async () => {
    const emulator = await federatedEmulator(env.issuer);
    const unset = await graphTokenFailure(kubernetesTokenFile(), emulator.fetch);
    expect(unset).toBeInstanceOf(ClientError);
    expect(unset.message).toContain("AZURE_FEDERATED_TOKEN_FILE");

    const missing = newPath();
    const notFound = await graphTokenFailure(kubernetesTokenFile(missing), emulator.fetch);
    expect(notFound).toBeInstanceOf(ClientError);
    expect(notFound.message).toContain(missing);
    expect(notFound.message).toContain("ENOENT");

    const empty = newPath();
    writeFileSync(empty, " \n");
    const emptyError = await graphTokenFailure(kubernetesTokenFile(empty), emulator.fetch);
    expect(emptyError.message).toContain("empty");

    const garbage = newPath();
    const secretLooking = "not-a-jwt-but-private-0123456789";
    writeFileSync(garbage, secretLooking);
    const notJwt = await graphTokenFailure(kubernetesTokenFile(garbage), emulator.fetch);
    expect(notJwt).toBeInstanceOf(ClientError);
    expect(notJwt.message).toMatch(/kubernetesTokenFile.*not a JWT/);
    expect(errorText(notJwt)).not.toContain(secretLooking);
    expect(emulator.tokenRequests()).toHaveLength(0);
  });

  it("recovers once the file is there: a failed read is not kept", async () => {
    const emulator = await federatedEmulator(env.issuer);
    const path = newPath();
    const app = appWith(kubernetesTokenFile(path), emulator.fetch);
    expect(await failureOf(app.acquireTokenForClient([graph]))).toBeInstanceOf(ClientError);
    writeFileSync(path, await env.issuer.mint({ sub: subject }));
    await expect(app.acquireTokenForClient([graph])).resolves.toMatchObject({
      tenantId: expect.any(String),
    });
  });

  it("puts the external token in no log line, with PII logging on at the most verbose level", async () => {
    const emulator = await federatedEmulator(env.issuer);
    const path = newPath();
    const token = await env.issuer.mint({ sub: subject });
    writeFileSync(path, token);
    const { logger, lines } = capturedLogger();
    const app = appWith(kubernetesTokenFile(path), emulator.fetch, { logger });
    await app.acquireTokenForClient([graph]);
    const wrong = newPath();
    writeFileSync(wrong, await env.issuer.mint({ sub: "system:serviceaccount:other:app" }));
    const refused = await graphTokenFailure(kubernetesTokenFile(wrong), emulator.fetch, { logger });
    expect(refused.name).toBe("ServiceError");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toContain(token.split(".")[2]);
      expect(line).not.toContain(token.split(".")[1]);
    }
    expect(errorText(refused)).not.toContain(token);
  });
});

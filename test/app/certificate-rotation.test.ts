// withCertificate(async () => ...): the loader is called when a token request first needs the
// certificate, kept while it works, and called once more when the identity provider refuses the
// certificate; the request is then retried once, and a second refusal is the ServiceError.
import { describe, expect, it } from "vitest";
import { ClientError, ServiceError, type CertificateOptions } from "../../src/index";
import { builder, clientId, emulator, graph, keys, rejectionOf, tenantA, tenantB } from "./setup";

const registered = { privateKey: keys("rsa.pkcs8.pem"), certificate: keys("rsa.crt.pem") };
const next = { privateKey: keys("other-rsa.pkcs8.pem"), certificate: keys("other-rsa.crt.pem") };

/** A loader that returns `current()` and counts its calls. */
function countingLoader(current: () => CertificateOptions) {
  const loader = async () => {
    loader.calls++;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return current();
  };
  loader.calls = 0;
  return loader;
}

describe("certificate rotation", () => {
  it("calls the loader at the first token request, not at build, once for concurrent needs", async () => {
    const entra = await emulator({ jtiReplay: "allow" });
    const loader = countingLoader(() => registered);
    const app = builder(entra.fetch).withCertificate(loader).withTenantId(tenantA).build();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(loader.calls).toBe(0);
    const results = await Promise.all([
      app.acquireTokenForClient(graph).executeAsync(),
      app.acquireTokenForClient(graph).withTenantId(tenantB).executeAsync(),
    ]);
    expect(results.map((result) => result.tenantId)).toEqual([tenantA, tenantB]);
    expect(loader.calls).toBe(1);
    await app.acquireTokenForClient(["https://management.azure.com/.default"]);
    expect(loader.calls).toBe(1);
    expect(entra.tokenRequests()).toHaveLength(3);
    const claims = await entra.verifyAccessToken(results[0]?.accessToken as string);
    expect(claims.appidacr).toBe("2");
  });

  it("loads the certificate again when the identity provider refuses it, and retries once", async () => {
    const entra = await emulator();
    let current = registered;
    const loader = countingLoader(() => current);
    const app = builder(entra.fetch).withCertificate(loader).withTenantId(tenantA).build();
    await app.acquireTokenForClient(graph);
    // The certificate is rotated in the app registration and in the store the loader reads.
    await entra.addCertificate(clientId, next.certificate);
    expect(await entra.removeCertificate(clientId, registered.certificate)).toBe(true);
    current = next;
    const rotated = await app.acquireTokenForClient(graph).withTenantId(tenantB);
    expect(rotated.tenantId).toBe(tenantB);
    expect(loader.calls).toBe(2);
    const statuses = entra.tokenRequests().map((request) => request.status);
    expect(statuses).toEqual([200, 401, 200]);
    // Kept from then on.
    await app.acquireTokenForClient(graph).withForceRefresh();
    expect(loader.calls).toBe(2);
    expect(entra.tokenRequests().at(-1)?.status).toBe(200);
  });

  it("does not loop: a certificate refused again is the ServiceError", async () => {
    const entra = await emulator();
    const loader = countingLoader(() => next); // never registered
    const app = builder(entra.fetch).withCertificate(loader).withTenantId(tenantA).build();
    const error = await rejectionOf(() => app.acquireTokenForClient(graph));
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ status: 401, errorCodes: [700027] });
    expect((error as ServiceError).errorDescription).toContain(
      "The certificate with identifier used to sign the client assertion is not registered on application.",
    );
    expect(loader.calls).toBe(2);
    expect(entra.tokenRequests()).toHaveLength(2);
  });

  it("a loader that throws is a ClientError naming it, and is called again next time", async () => {
    const entra = await emulator();
    let fail = true;
    const loader = countingLoader(() => {
      if (fail) throw new TypeError("vault unreachable");
      return registered;
    });
    const app = builder(entra.fetch).withCertificate(loader).withTenantId(tenantA).build();
    const error = await rejectionOf(() => app.acquireTokenForClient(graph));
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: "certificate_loader_failed" });
    expect((error as Error).message).toContain("TypeError");
    expect(entra.tokenRequests()).toHaveLength(0);
    fail = false;
    await expect(app.acquireTokenForClient(graph)).resolves.toMatchObject({ tenantId: tenantA });
    expect(loader.calls).toBe(2);
  });

  it("a loader returning something that is not a certificate is the certificate's ClientError", async () => {
    const entra = await emulator();
    const loader = countingLoader(() => ({ privateKey: "not a key", certificate: "nor a cert" }));
    const app = builder(entra.fetch).withCertificate(loader).withTenantId(tenantA).build();
    await expect(app.acquireTokenForClient(graph)).rejects.toBeInstanceOf(ClientError);
    await expect(app.acquireTokenForClient(graph)).rejects.toBeInstanceOf(ClientError);
    expect(loader.calls).toBe(2);
    expect(entra.tokenRequests()).toHaveLength(0);
  });

  it("a fixed certificate that is refused is not retried", async () => {
    const entra = await emulator();
    const app = builder(entra.fetch).withCertificate(next).withTenantId(tenantA).build();
    await expect(app.acquireTokenForClient(graph)).rejects.toMatchObject({
      errorCodes: [700027],
    });
    expect(entra.tokenRequests()).toHaveLength(1);
  });
});

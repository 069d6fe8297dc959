// The emulator's app certificates change at run time, as an app registration's key credentials
// do: an added certificate is accepted at once, a removed one gets Entra's AADSTS700027.
import { describe, expect, it } from "vitest";
import { builder, clientId, emulator, graph, keys, tenantA } from "../app/setup";

const other = { privateKey: keys("other-rsa.pkcs8.pem"), certificate: keys("other-rsa.crt.pem") };

describe("registered certificates at run time", () => {
  it("accepts an added certificate and refuses it again once removed", async () => {
    const entra = await emulator({ jtiReplay: "allow" });
    const app = () => builder(entra.fetch).withCertificate(other).withTenantId(tenantA).build();
    await expect(app().acquireTokenForClient(graph)).rejects.toMatchObject({
      status: 401,
      error: "invalid_client",
      errorCodes: [700027],
    });
    await entra.addCertificate(clientId.toUpperCase(), other.certificate);
    await entra.addCertificate(clientId, other.certificate); // twice is once
    await expect(app().acquireTokenForClient(graph)).resolves.toMatchObject({ tenantId: tenantA });
    expect(await entra.removeCertificate(clientId, other.certificate)).toBe(true);
    expect(await entra.removeCertificate(clientId, other.certificate)).toBe(false);
    const refused = await app()
      .acquireTokenForClient(graph)
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ errorCodes: [700027] });
    expect((refused as { errorDescription: string }).errorDescription).toMatch(
      /^AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application\. \[Reason - The key was not found\., Thumbprint of key used by client: '[0-9A-F]{64}'/,
    );
    // The other registered certificates still work.
    const registered = { privateKey: keys("rsa.pkcs8.pem"), certificate: keys("rsa.crt.pem") };
    await expect(
      builder(entra.fetch)
        .withCertificate(registered)
        .withTenantId(tenantA)
        .build()
        .acquireTokenForClient(graph),
    ).resolves.toMatchObject({ tenantId: tenantA });
  });

  it("throws a TypeError for an unknown app or a certificate it cannot register", async () => {
    const entra = await emulator();
    await expect(
      entra.addCertificate("00000000-0000-0000-0000-000000000001", other.certificate),
    ).rejects.toThrow(TypeError);
    await expect(entra.addCertificate(clientId, keys("ec256.crt.pem"))).rejects.toThrow(
      /must be RSA/,
    );
    await expect(entra.removeCertificate(clientId, "no certificate here")).rejects.toThrow(
      TypeError,
    );
  });
});

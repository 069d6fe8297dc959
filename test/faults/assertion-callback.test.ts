// A client assertion callback that fails (a signing service or workload identity source down):
// a typed error before any token request, nothing cached, and the next acquisition asks again.
import { createHash, X509Certificate } from "node:crypto";
import { SignJWT, importPKCS8 } from "jose";
import { describe, expect, it } from "vitest";
import {
  ClientError,
  ConfidentialClientApplication,
  EntraEdgeError,
  TokenSource,
} from "../../src/index";
import { clientId, failureOf, graph, keys, now, tenantA, useEmulator } from "./helpers";

const env = useEmulator();

function appWith(callback: () => string | Promise<string>) {
  return new ConfidentialClientApplication({
    clientId,
    tenantId: tenantA,
    clientAssertion: callback,
    fetch: env.entra.fetch,
    now,
    memoryCache: { shared: false },
    retry: { delayMs: 10 },
  });
}

describe("assertion callback faults", () => {
  it("a callback that throws fails the acquisition with an EntraEdgeError carrying the cause, before any request", async () => {
    const cause = new Error("workload identity token file not found");
    const app = appWith(() => {
      throw cause;
    });
    const error = await failureOf(app.acquireTokenForClient(graph));
    expect(error, "a failing callback must surface as a typed error").toBeInstanceOf(
      EntraEdgeError,
    );
    expect(error).toMatchObject({ cause });
    expect(env.entra.tokenRequests()).toHaveLength(0);
  });

  it("a callback that returns something other than a JWT is a ClientError invalid_client_assertion, before any request", async () => {
    for (const value of ["", "not-a-jwt", "a.b", 42, undefined, null]) {
      const app = appWith(() => value as string);
      const error = await failureOf(app.acquireTokenForClient(graph));
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toMatchObject({ code: "invalid_client_assertion" });
    }
    expect(env.entra.tokenRequests()).toHaveLength(0);
  });

  it("a callback that fails once is asked again on the next acquisition (nothing cached, nothing stuck)", async () => {
    let calls = 0;
    const key = await importPKCS8(keys("rsa.pkcs8.pem"), "PS256");
    const x5tS256 = createHash("sha256")
      .update(new X509Certificate(keys("rsa.crt.pem")).raw)
      .digest("base64url");
    const app = appWith(async () => {
      calls++;
      if (calls === 1) throw new Error("signing service unavailable");
      return new SignJWT({})
        .setProtectedHeader({ alg: "PS256", typ: "JWT", "x5t#S256": x5tS256 })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(`https://login.microsoftonline.com/${tenantA}/oauth2/v2.0/token`)
        .setJti(crypto.randomUUID())
        .setIssuedAt(Math.floor(now() / 1000))
        .setNotBefore(Math.floor(now() / 1000))
        .setExpirationTime(Math.floor(now() / 1000) + 600)
        .sign(key);
    });
    await failureOf(app.acquireTokenForClient(graph));
    const result = await app.acquireTokenForClient(graph);
    expect(result.authenticationResultMetadata.tokenSource).toBe(TokenSource.IdentityProvider);
    expect(calls).toBe(2);
    expect(env.entra.tokenRequests()).toHaveLength(1);
  });
});

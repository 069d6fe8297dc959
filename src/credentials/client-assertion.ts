/**
 * A client assertion the application brings itself: a fixed JWT string, or a callback (workload
 * identity federation, a signing service) called only when a token request is about to be sent.
 *
 * @module
 */

import { ClientError, NetworkError } from "../errors";
import {
  jwtBearerAssertionType,
  type ClientAssertionOptions,
  type ClientCredential,
} from "./client-credential";

/** A client assertion: a JWT, or a function returning one for each token request. */
export type ClientAssertion =
  string | ((options: ClientAssertionOptions) => string | Promise<string>);

/**
 * Creates the client assertion credential.
 * @throws ClientError `invalid_client_assertion` for an empty string or a non-function.
 */
export function clientAssertionCredential(assertion: ClientAssertion): ClientCredential {
  if (typeof assertion === "string") {
    if (assertion.split(".").length !== 3) {
      throw new ClientError(
        "invalid_client_assertion",
        "The client assertion is not a compact JWT (three dot-separated parts): pass the signed JWT, or a callback that returns one.",
      );
    }
  } else if (typeof assertion !== "function") {
    throw new ClientError(
      "invalid_client_assertion",
      "The client assertion must be a JWT string or a function that returns one.",
    );
  }
  return {
    kind: "assertion",
    ready: Promise.resolve(),
    async addTo(form, context) {
      let jwt: unknown = assertion;
      if (typeof assertion === "function") {
        try {
          const options = {
            clientId: context.clientId,
            tokenEndpoint: context.tokenEndpoint,
            tenantId: context.tenantId,
            claims: context.claims,
            correlationId: context.correlationId,
            signal: context.signal,
          };
          Object.defineProperty(options, "now", { value: context.now, enumerable: false });
          jwt = await assertion(options);
        } catch (error) {
          // A library error (the helpers of entra-edge/federation throw these) already names
          // its source and the fix: passed on as it is.
          if (error instanceof ClientError || error instanceof NetworkError) throw error;
          throw new ClientError(
            "invalid_client_assertion",
            `The client assertion callback failed (${error instanceof Error ? error.name : typeof error}): fix the callback or the service it calls; its error is the cause.`,
            { correlationId: context.correlationId, cause: error },
          );
        }
      }
      if (typeof jwt !== "string" || jwt.split(".").length !== 3) {
        throw new ClientError(
          "invalid_client_assertion",
          "The client assertion callback did not return a compact JWT: return the signed assertion as a string.",
          { correlationId: context.correlationId },
        );
      }
      form.set("client_assertion_type", jwtBearerAssertionType);
      form.set("client_assertion", jwt);
    },
  };
}

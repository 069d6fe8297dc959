/**
 * A client secret, sent as `client_secret` in the form body (`client_secret_post`), as every
 * MSAL does.
 *
 * @module
 */

import { ClientError } from "../errors";
import type { ClientCredential } from "./client-credential";

/**
 * Creates the client secret credential.
 * @throws ClientError `invalid_client_secret` for an empty or non-string secret.
 */
export function clientSecretCredential(secret: string): ClientCredential {
  if (typeof secret !== "string" || secret.trim() === "") {
    throw new ClientError(
      "invalid_client_secret",
      "The client secret is empty: pass the secret's Value from the app registration (Certificates & secrets), usually read from an environment variable or a secret binding.",
    );
  }
  return {
    kind: "secret",
    ready: Promise.resolve(),
    async addTo(form) {
      form.set("client_secret", secret);
    },
  };
}

/**
 * The certificate credential with a loader (`withCertificate(async () => ...)`): certificate
 * rotation. The loader is called when a token request first needs the certificate (never at
 * build; concurrent first needs share one call), its certificate is kept while it works, and
 * it is called once more when the identity provider refuses the certificate; the token request
 * (`acquisition/token-request.ts`) then retries once. A loader that fails is called again by
 * the next token request.
 *
 * @module
 */

import { ClientError, EntraEdgeError } from "../errors";
import { describeThrown } from "../internal/safe-error";
import type { CertificateLoader, ClientClaimsOptions } from "./certificate";
import { certificateCredential } from "./certificate-credential";
import type { ClientCredential, CredentialContext } from "./client-credential";

/** The loader itself threw or rejected: its error, for the caller's own `ClientError`. */
class LoaderFailure {
  constructor(readonly error: unknown) {}
}

/**
 * Creates the credential over `loader`.
 * @throws ClientError `invalid_configuration` when `loader` is not a function.
 */
export function certificateLoaderCredential(
  loader: CertificateLoader,
  clientClaims?: ClientClaimsOptions,
): ClientCredential {
  if (typeof loader !== "function") {
    throw new ClientError(
      "invalid_configuration",
      "withCertificate needs a certificate ({ privateKey, certificate }, { pfx, password }, { sign, certificate }) or a function that returns one.",
    );
  }
  /** The certificate being loaded or loaded; `undefined` before the first need and after a refusal. */
  let current: Promise<ClientCredential> | undefined;
  /** The loaded certificate, once `current` has settled successfully. */
  let loaded: ClientCredential | undefined;

  const load = (): Promise<ClientCredential> => {
    if (current !== undefined) return current;
    const loading = (async () => {
      let options: Awaited<ReturnType<CertificateLoader>>;
      try {
        options = await loader();
      } catch (error) {
        throw new LoaderFailure(error);
      }
      const credential = certificateCredential(options, clientClaims);
      await credential.ready;
      return credential;
    })();
    current = loading;
    // Registered before any caller's await, so `loaded` is set when the callers resume. A failed
    // load is not kept: the next token request calls the loader again.
    loading.then(
      (credential) => {
        if (current === loading) loaded = credential;
      },
      () => {
        if (current === loading) current = undefined;
      },
    );
    return loading;
  };

  return {
    kind: "certificate",
    // Never blocks the build or an acquisition that is served from a cache.
    ready: Promise.resolve(),
    async addTo(form: URLSearchParams, context: CredentialContext) {
      let credential: ClientCredential;
      try {
        credential = await load();
      } catch (error) {
        throw loadError(error, context.correlationId);
      }
      await credential.addTo(form, context);
      return credential;
    },
    rejected(tokenEndpoint: string): boolean {
      return loaded?.rejected?.(tokenEndpoint) ?? false;
    },
    certificateRefused(used: unknown): boolean {
      if (used === undefined) return false;
      // Refused with the current certificate: forget it. Otherwise another request already did.
      if (used === loaded) {
        current = undefined;
        loaded = undefined;
      }
      return true;
    },
  };
}

/** The error of a failed load for one caller: its own object, with its correlation id. */
function loadError(error: unknown, correlationId: string): EntraEdgeError {
  if (error instanceof LoaderFailure) {
    return new ClientError(
      "certificate_loader_failed",
      `The certificate loader given to withCertificate failed (${describeThrown(error.error)}): fix the loader or the store it reads; its error is the cause.`,
      { correlationId, cause: error.error },
    );
  }
  if (error instanceof EntraEdgeError) return error.clone();
  return new ClientError(
    "certificate_loader_failed",
    `The certificate the loader returned could not be used (${describeThrown(error)}).`,
    { correlationId },
  );
}

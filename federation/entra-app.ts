/**
 * `entraTokenAssertion(otherApp)`: app-to-app federation. Another entra-edge application's
 * token for `api://AzureADTokenExchange/.default` (per cloud) is this application's assertion,
 * as MSAL.NET does for a managed identity used as a federated credential.
 *
 * @module
 */

import type { AuthenticationResult } from "../src/result";
import type { AcquireTokenForClientOptions } from "../src/options";
import { ClientError, EntraEdgeError, NetworkError } from "../src/errors";
import { defaultAudience } from "./audience";
import { federatedAssertion, type FederatedAssertion } from "./federated-assertion";

/** What {@link entraTokenAssertion} needs of the other application: its token acquisition. */
export interface TokenExchangeApplication {
  /** Acquires an app-only token, as `ConfidentialClientApplication.acquireTokenForClient` does. */
  acquireTokenForClient(
    scopes: readonly string[],
    options?: AcquireTokenForClientOptions,
  ): PromiseLike<AuthenticationResult>;
}

/**
 * Options of {@link entraTokenAssertion}.
 *
 * @example
 * ```ts
 * const options: EntraTokenAssertionOptions = { tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47" };
 * ```
 */
export interface EntraTokenAssertionOptions {
  /** The resource to ask for (without `/.default`). Default: the token exchange audience of the cloud the assertion is sent to. */
  readonly audience?: string;
  /** The tenant the other application gets its token in. Default: its own tenant. */
  readonly tenantId?: string;
}

const source = "entraTokenAssertion";

/**
 * A client assertion that is `otherApp`'s access token for `<audience>/.default`
 * (`api://AzureADTokenExchange` in the public cloud, `…USGov`, `…China` by the cloud the
 * assertion is sent to), sent as is. On Entra, this application's federated credential then has
 * the issuer `https://login.microsoftonline.com/{other app's tenant}/v2.0` and, as subject, the
 * object id of the other application's service principal (the token's `sub`/`oid`). The token
 * is asked for only when a token request needs an assertion, kept per audience while it has
 * more than 60 s left, and `otherApp` keeps its own cache.
 *
 * Errors, at the first acquisition and before this application's token request: `otherApp`'s
 * failure as a `ClientError` `invalid_client_assertion` (a `NetworkError` when it got no
 * answer), whose message names the other application's error code and whose cause is that error.
 *
 * @example
 * ```ts
 * import { entraTokenAssertion } from "entra-edge/federation";
 *
 * const broker = ConfidentialClientApplicationBuilder.create(brokerClientId)
 *   .withCertificate({ privateKey, certificate }).withTenantId(homeTenant).build();
 * const app = ConfidentialClientApplicationBuilder.create(clientId)
 *   .withTenantId(customerTenant)
 *   .withClientAssertion(entraTokenAssertion(broker))
 *   .build();
 * ```
 */
export function entraTokenAssertion(
  otherApp: TokenExchangeApplication,
  options: EntraTokenAssertionOptions = {},
): FederatedAssertion {
  const request = options.tenantId === undefined ? {} : { tenantId: options.tenantId };
  return federatedAssertion(
    source,
    (context) => options.audience ?? defaultAudience(context.tokenEndpoint),
    async (audience, signal) => {
      if (typeof otherApp?.acquireTokenForClient !== "function") {
        throw new ClientError(
          "invalid_client_assertion",
          `${source}(otherApp) needs an application built by ConfidentialClientApplicationBuilder (or anything with acquireTokenForClient).`,
        );
      }
      const scope = `${audience.replace(/\/+$/, "")}/.default`;
      try {
        return (await otherApp.acquireTokenForClient([scope], { ...request, signal })).accessToken;
      } catch (error) {
        const code = error instanceof EntraEdgeError ? error.code : "error";
        const message = `${source}: the other application could not get its token for ${scope} (${code}${error instanceof EntraEdgeError ? `: ${error.message}` : ""}).`;
        if (error instanceof NetworkError)
          throw new NetworkError(error.code, message, { cause: error });
        throw new ClientError("invalid_client_assertion", message, { cause: error });
      }
    },
  );
}

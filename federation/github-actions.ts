/**
 * `githubActionsToken(options?)`: the OIDC token of a GitHub Actions job, asked of the runner's
 * token service (`ACTIONS_ID_TOKEN_REQUEST_URL`, with `ACTIONS_ID_TOKEN_REQUEST_TOKEN` as bearer).
 *
 * @module
 */

import { ClientError, NetworkError } from "../src/errors";
import { readCappedText } from "../src/internal/read-body";
import { describeThrown, sanitizedCause } from "../src/internal/safe-error";
import { defaultAudience } from "./audience";
import { environmentVariable } from "./environment";
import { federatedAssertion, type FederatedAssertion } from "./federated-assertion";

/**
 * Options of {@link githubActionsToken}.
 *
 * @example
 * ```ts
 * const options: GitHubActionsTokenOptions = { audience: "api://AzureADTokenExchange" };
 * ```
 */
export interface GitHubActionsTokenOptions {
  /**
   * The `aud` to ask for. Default: the federated credential audience of the cloud the token is
   * sent to (`api://AzureADTokenExchange`, `…USGov`, `…China`).
   */
  readonly audience?: string;
  /** The `fetch` the runner's token service is called with. Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
}

const source = "githubActionsToken";
const urlVariable = "ACTIONS_ID_TOKEN_REQUEST_URL";
const tokenVariable = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
const permissionHint = "give the job (or workflow) `permissions: id-token: write`";

function configurationError(message: string): ClientError {
  return new ClientError("invalid_client_assertion", `${source}: ${message}`);
}

/** The request URL with `audience` added to the query it already has (`api-version=2.0`). */
function requestUrl(value: string, audience: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configurationError(`${urlVariable} is not a URL: ${permissionHint}.`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw configurationError(
      `${urlVariable} must be an https: URL (plain http: only on loopback), not ${url.protocol}.`,
    );
  }
  url.searchParams.set("audience", audience);
  return url;
}

/**
 * A client assertion from the GitHub Actions OIDC token service: `GET
 * $ACTIONS_ID_TOKEN_REQUEST_URL&audience=<audience>` with `Authorization: Bearer
 * $ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answered `{ "value": "<jwt>" }`. Nothing is read until a
 * token request needs an assertion. A token (about 5 minutes of life) is kept per audience and
 * reused for every tenant while it has more than 60 s left.
 *
 * Errors, at the first acquisition and before any token request: a `ClientError`
 * `invalid_client_assertion` when a variable is unset (the job lacks `permissions: id-token:
 * write`), or the service refuses or answers without a token; a `NetworkError` when it cannot
 * be reached. Neither quotes the bearer or the token.
 *
 * @example
 * ```ts
 * import { githubActionsToken } from "entra-edge/federation";
 *
 * const app = ConfidentialClientApplicationBuilder.create(process.env.AZURE_CLIENT_ID!)
 *   .withTenantId(process.env.AZURE_TENANT_ID!)
 *   .withClientAssertion(githubActionsToken())
 *   .build();
 * ```
 */
export function githubActionsToken(options: GitHubActionsTokenOptions = {}): FederatedAssertion {
  const fetcher = options.fetch;
  return federatedAssertion(
    source,
    (context) => options.audience ?? defaultAudience(context.tokenEndpoint),
    async (audience, signal) => {
      const urlValue = environmentVariable(urlVariable, source);
      const bearer = environmentVariable(tokenVariable, source);
      if (urlValue === undefined || bearer === undefined) {
        throw configurationError(
          `${urlValue === undefined ? urlVariable : tokenVariable} is not set: ${permissionHint}, so that the runner sets ${urlVariable} and ${tokenVariable}.`,
        );
      }
      const url = requestUrl(urlValue, audience);
      let response: Response;
      let body: Awaited<ReturnType<typeof readCappedText>>;
      try {
        const init: RequestInit = {
          headers: { authorization: `Bearer ${bearer}`, accept: "application/json" },
          // A redirect would carry the bearer elsewhere.
          redirect: "manual",
          signal,
        };
        response = await (fetcher === undefined ? fetch(url, init) : fetcher(url, init));
        body = await readCappedText(response, 64 * 1024, signal);
      } catch (error) {
        throw new NetworkError(
          "network_error",
          `${source}: the Actions token service (${urlVariable}, ${url.origin}) could not be reached (${describeThrown(error)}).`,
          { cause: sanitizedCause(error) },
        );
      }
      if (!response.ok) {
        throw configurationError(
          `the Actions token service (${urlVariable}) answered HTTP ${response.status}: check ${tokenVariable} and that the job has \`permissions: id-token: write\`.`,
        );
      }
      let value: unknown;
      try {
        value = body.tooLarge ? undefined : (JSON.parse(body.text) as { value?: unknown }).value;
      } catch {
        value = undefined;
      }
      if (typeof value !== "string" || value === "") {
        throw configurationError(
          `the Actions token service (${urlVariable}) answered without a token (no "value" in its JSON).`,
        );
      }
      return value;
    },
  );
}

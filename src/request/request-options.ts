/**
 * The checks of one acquisition's options that the request builder cannot make (the options
 * form bypasses it), and what the miss path keys on: the cache key part of the extra form
 * fields and the rejected token's hash.
 *
 * @module
 */

import { ClientError } from "../errors";
import type { AcquireTokenForClientOptions } from "../options";
import {
  bodyParametersKey,
  checkedBodyParameters,
  checkedHttpHeaders,
  checkedTokenHash,
} from "./extra-parameters";

/** What the miss path needs of the checked options. */
export interface CheckedRequestOptions {
  /** The extra form fields as a cache key part; empty without any. */
  readonly bodyParametersKey: string;
  /** `accessTokenSha256ToRefresh` in lower case, if given. */
  readonly rejectedHash: string | undefined;
}

const none: CheckedRequestOptions = { bodyParametersKey: "", rejectedHash: undefined };

/**
 * Checks the extra form fields, headers and token hash of `options`.
 * @throws ClientError `invalid_body_parameters`, `invalid_http_headers`, `invalid_token_hash`,
 * or `invalid_configuration` for a token hash with `forceRefresh`.
 */
export function checkedRequestOptions(
  options: AcquireTokenForClientOptions,
): CheckedRequestOptions {
  const { extraBodyParameters, extraHttpHeaders, accessTokenSha256ToRefresh } = options;
  if (
    extraBodyParameters === undefined &&
    extraHttpHeaders === undefined &&
    accessTokenSha256ToRefresh === undefined
  )
    return none;
  if (extraHttpHeaders !== undefined) checkedHttpHeaders(extraHttpHeaders);
  const rejectedHash =
    accessTokenSha256ToRefresh === undefined
      ? undefined
      : checkedTokenHash(accessTokenSha256ToRefresh);
  if (rejectedHash !== undefined && options.forceRefresh === true) {
    throw new ClientError(
      "invalid_configuration",
      "forceRefresh and accessTokenSha256ToRefresh cannot be combined: forceRefresh bypasses every cached token, the hash only the one a resource rejected. Use one of them.",
    );
  }
  return {
    bodyParametersKey:
      extraBodyParameters === undefined
        ? ""
        : bodyParametersKey(checkedBodyParameters(extraBodyParameters)),
    rejectedHash,
  };
}

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
  /**
   * The options to send with: the caller's object, or a copy holding frozen copies of the extra
   * fields and headers (a caller changing its record later cannot change what was checked).
   */
  readonly options: AcquireTokenForClientOptions;
  /** The extra form fields as a cache key part; empty without any. */
  readonly bodyParametersKey: string;
  /** `accessTokenSha256ToRefresh` in lower case, if given. */
  readonly rejectedHash: string | undefined;
}

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
    return { options, bodyParametersKey: "", rejectedHash: undefined };
  const headers = extraHttpHeaders === undefined ? undefined : checkedHttpHeaders(extraHttpHeaders);
  const fields =
    extraBodyParameters === undefined ? undefined : checkedBodyParameters(extraBodyParameters);
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
    options: { ...options, extraBodyParameters: fields, extraHttpHeaders: headers },
    bodyParametersKey: bodyParametersKey(fields),
    rejectedHash,
  };
}

/**
 * Entra ID error bodies (docs/protocol.md §5.1) and the AADSTS errors the emulator returns.
 *
 * Codes, `error` values and texts follow recorded responses and the public error reference where
 * those exist; where the service's exact answer is unconfirmed the choice is marked
 * "(emulator choice)" and documented on the factory.
 *
 * @module
 */

import { type Envelope, formatEntraTimestamp, jsonResponse } from "./envelope";

/** One error answer before rendering: HTTP status, OAuth `error`, AADSTS number and text. */
export interface EntraErrorSpec {
  /** HTTP status. */
  readonly status: number;
  /** The OAuth 2.0 `error` value. */
  readonly error: string;
  /** The AADSTS number, e.g. `7000215`. */
  readonly code: number;
  /** The text after `AADSTSnnnn: ` in `error_description`. */
  readonly message: string;
  /** Extra response headers (e.g. discovery errors are cacheable). */
  readonly headers?: Readonly<Record<string, string>>;
}

const CERT_DOCS =
  "Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .";

function spec(status: number, error: string, code: number, message: string): EntraErrorSpec {
  return { status, error, code, message };
}

/** The errors of the token endpoint, the discovery endpoints and client-assertion checks. */
export const entraErrors = {
  /** 400 invalid_request 900561: the token endpoint was called with another method than POST. */
  postOnly: (method: string) =>
    spec(
      400,
      "invalid_request",
      900561,
      `The endpoint only accepts POST requests. Received a ${method} request.`,
    ),
  /** 400 invalid_request 900144: a required form parameter is missing or empty. */
  missingParameter: (name: string) =>
    spec(
      400,
      "invalid_request",
      900144,
      `The request body must contain the following parameter: '${name}'.`,
    ),
  /** 400 unsupported_grant_type 70003. */
  unsupportedGrantType: (grantType: string) =>
    spec(
      400,
      "unsupported_grant_type",
      70003,
      `The app requested an unsupported grant type '${grantType}'.`,
    ),
  /** 400 invalid_request 9001023: client credentials on `/common`, `/consumers` (and, by emulator choice, `/organizations`). */
  reservedTenant: () =>
    spec(
      400,
      "invalid_request",
      9001023,
      "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
    ),
  /** 400 `error` 90002: a well-formed tenant id or domain that no configured tenant has. */
  tenantNotFound: (tenant: string, error: "invalid_request" | "invalid_tenant") =>
    spec(
      400,
      error,
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  /** 400 `error` 900023: the tenant path segment is neither a GUID nor a DNS name. */
  invalidTenant: (tenant: string, error: "invalid_request" | "invalid_tenant") =>
    spec(
      400,
      error,
      900023,
      `Specified tenant identifier '${tenant}' is neither a valid DNS name, nor a valid external domain.`,
    ),
  /** 400 unauthorized_client 700016: unknown client id, or the app is not installed in the tenant. */
  applicationNotFound: (clientId: string, directory: string) =>
    spec(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  /** 400 invalid_scope 1002012: a scope that is not `{resource}/.default`. */
  scopeNotDefault: (scope: string) =>
    spec(
      400,
      "invalid_scope",
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  /** 400 invalid_scope 700022: scopes of more than one resource. */
  multipleResources: (scope: string) =>
    spec(
      400,
      "invalid_scope",
      700022,
      `The provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
    ),
  /** 400 invalid_resource 500011: the resource is not in the configured `resources` list. */
  resourceNotFound: (resource: string, directory: string) =>
    spec(
      400,
      "invalid_resource",
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${directory}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    ),
  /** 400 invalid_request 90100 (emulator choice): `claims` is not a JSON object. */
  invalidClaims: () =>
    spec(400, "invalid_request", 90100, "claims parameter is empty or not valid."),
  /** 401 invalid_client 7000218: no client credential at all. */
  missingCredential: () =>
    spec(
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  /** 401 invalid_client 7000215: a secret (body or Basic) that is not one of the app's. */
  invalidSecret: (clientId: string) =>
    spec(
      401,
      "invalid_client",
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    ),
  /**
   * 400 invalid_request 9002313 (emulator choice): the request is malformed, e.g. it carries two
   * client credentials (a secret and an assertion, or a body secret and HTTP Basic), a broken
   * Basic header, or a Basic user name that differs from the body's `client_id`.
   */
  malformedRequest: (reason: string) =>
    spec(
      400,
      "invalid_request",
      9002313,
      `Invalid request. Request is malformed or invalid. - The reason: ${reason}`,
    ),
  /** 400 invalid_request 90100 (emulator choice): `client_assertion_type` is not the JWT bearer URN. */
  invalidAssertionType: () =>
    spec(400, "invalid_request", 90100, "client_assertion_type parameter is empty or not valid."),
  /** 400 invalid_request 50027: the assertion is not a well-formed JWT, or `aud` is not a single string. */
  malformedAssertion: () =>
    spec(400, "invalid_request", 50027, "JWT token is invalid or malformed."),
  /** 400 invalid_request 90014: a required claim (`aud`, `iss`, `sub`, `exp`) is missing from the assertion. */
  missingAssertionClaim: (claim: string) =>
    spec(
      400,
      "invalid_request",
      90014,
      `The required field '${claim}' is missing from the credential. Ensure that you have all the necessary parameters for the login request.`,
    ),
  /**
   * 401 invalid_client 700027: no registered certificate has the header's thumbprint (never
   * registered, or removed from the app). The service's current text; before 2024 it began
   * "Client assertion contains an invalid signature.", as the other 700027 answers still do.
   */
  keyNotFound: (thumbprintHex: string, clientId: string) =>
    spec(
      401,
      "invalid_client",
      700027,
      `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprintHex}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/${clientId}']`,
    ),
  /** 401 invalid_client 700027: the signature does not verify with the registered certificate, or the algorithm is not RS256/PS256. */
  invalidSignature: (reason: string, thumbprintHex: string) =>
    spec(
      401,
      "invalid_client",
      700027,
      `Client assertion contains an invalid signature. [Reason - ${reason}, Thumbprint of key used by client: '${thumbprintHex}']`,
    ),
  /** 401 invalid_client 700021: `iss` differs from `client_id`. */
  issuerMismatch: () =>
    spec(
      401,
      "invalid_client",
      700021,
      `Client assertion application identifier doesn't match 'client_id' parameter. ${CERT_DOCS}`,
    ),
  /** 401 invalid_client 50048: `sub` differs from `iss`. */
  subjectMismatch: () =>
    spec(401, "invalid_client", 50048, "Subject mismatches Issuer claim in the client assertion."),
  /** 401 invalid_client 700023: `aud` is not the token endpoint the request was sent to. */
  audienceMismatch: () =>
    spec(
      401,
      "invalid_client",
      700023,
      `Client assertion audience claim does not match Realm issuer. ${CERT_DOCS}`,
    ),
  /** 401 invalid_client 700024: `nbf`/`exp` do not cover the current time (with clock skew). */
  assertionTimeRange: (now: string, validFrom: string, expiry: string) =>
    spec(
      401,
      "invalid_client",
      700024,
      `Client assertion is not within its valid time range. Current time: ${now}, assertion valid from ${validFrom}, expiry time of assertion ${expiry}. ${CERT_DOCS}`,
    ),
  /**
   * 401 invalid_client 50013 (emulator choice; the service's replay policy is unconfirmed): the
   * assertion's `jti` was already accepted for this client and the assertion has not expired.
   */
  assertionReplayed: (jti: string) =>
    spec(
      401,
      "invalid_client",
      50013,
      `Assertion is invalid. The client assertion with 'jti' '${jti}' was already used; send a new assertion with a unique 'jti'.`,
    ),
  /** 400 invalid_instance 50049: instance discovery for a host that is not an Entra ID instance. */
  unknownInstance: () => spec(400, "invalid_instance", 50049, "Unknown or invalid instance."),
} as const;

/** The body of an Entra ID error answer, field for field (docs/protocol.md §5.1). */
interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

/** Renders `spec` as the Entra body of docs/protocol.md §5.1; the description ends with trace, correlation and timestamp lines. */
function entraErrorBody(spec: EntraErrorSpec, envelope: Envelope): EntraErrorBody {
  const timestamp = formatEntraTimestamp(envelope.now);
  return {
    error: spec.error,
    error_description: `AADSTS${spec.code}: ${spec.message}\r\nTrace ID: ${envelope.traceId}\r\nCorrelation ID: ${envelope.correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [spec.code],
    timestamp,
    trace_id: envelope.traceId,
    correlation_id: envelope.correlationId,
    error_uri: `${envelope.origin}/error?code=${spec.code}`,
  };
}

/** An Entra error answer: `spec` rendered, `headers` plus the spec's own headers, JSON content type. */
export function entraErrorResponse(
  spec: EntraErrorSpec,
  envelope: Envelope,
  headers: Headers,
): Response {
  for (const [name, value] of Object.entries(spec.headers ?? {})) headers.set(name, value);
  return jsonResponse(spec.status, entraErrorBody(spec, envelope), headers);
}

/**
 * An ADFS error answer: the plain RFC 6749 §5.2 body `{"error","error_description"}`, with the
 * message but no AADSTS number, trace or correlation fields (ADFS's exact texts are unconfirmed).
 */
export function adfsErrorResponse(spec: EntraErrorSpec, headers: Headers): Response {
  return jsonResponse(spec.status, { error: spec.error, error_description: spec.message }, headers);
}

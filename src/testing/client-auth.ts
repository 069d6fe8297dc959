/**
 * How a token request authenticates its client: a `client_secret` in the body, HTTP Basic
 * (RFC 6749 §2.3.1: base64 of form-encoded `client_id:client_secret`), or a
 * `client_assertion` with `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`.
 * Exactly one method is allowed; empty parameters count as absent.
 *
 * @module
 */

import { decodeBase64 } from "../internal/base64";
import { type EntraErrorSpec, entraErrors } from "./errors";
import { decodeFormComponent } from "./form";

/** The only `client_assertion_type` Entra ID accepts. */
const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** The credential a request presents. */
export type PresentedCredential =
  | { readonly kind: "secret"; readonly secret: string }
  | { readonly kind: "assertion"; readonly assertion: string }
  | { readonly kind: "none" };

/** The client a request names and the credential it presents, or why the request is malformed. */
export type ClientAuthentication =
  | { readonly ok: true; readonly clientId: string; readonly credential: PresentedCredential }
  | { readonly ok: false; readonly error: EntraErrorSpec; readonly clientId: string | undefined };

function readBasic(
  authorization: string | null,
): { id: string; secret: string } | "malformed" | undefined {
  const match = authorization === null ? null : /^\s*basic\s+(\S*)\s*$/i.exec(authorization);
  if (!match) return undefined;
  try {
    const decoded = new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64(match[1] ?? ""));
    const colon = decoded.indexOf(":");
    if (colon <= 0) return "malformed";
    return {
      id: decodeFormComponent(decoded.slice(0, colon)),
      secret: decodeFormComponent(decoded.slice(colon + 1)),
    };
  } catch {
    return "malformed";
  }
}

/**
 * Reads the client id (body `client_id`, else the Basic user name) and the one credential. Errors:
 * a malformed Basic header, a Basic user that differs from `client_id`, or two credentials at
 * once: 9002313; a `client_assertion` without `client_assertion_type`: 900144; a wrong
 * `client_assertion_type`: 90100; no client id: 900144. A missing credential is not an error
 * here (the app lookup comes first): it is reported as `kind: "none"`.
 */
export function readClientAuthentication(
  form: Readonly<Record<string, string>>,
  headers: Headers,
): ClientAuthentication {
  const basic = readBasic(headers.get("authorization"));
  const bodyId = form["client_id"] || undefined;
  const clientId = bodyId ?? (typeof basic === "object" ? basic.id : undefined);
  const error = (spec: EntraErrorSpec): ClientAuthentication => ({
    ok: false,
    error: spec,
    clientId,
  });
  if (basic === "malformed") {
    return error(
      entraErrors.malformedRequest(
        "The Authorization header is not valid HTTP Basic client authentication.",
      ),
    );
  }
  if (basic && bodyId !== undefined && basic.id.toLowerCase() !== bodyId.toLowerCase()) {
    return error(
      entraErrors.malformedRequest(
        "The client_id parameter does not match the client id of the Authorization header.",
      ),
    );
  }
  const bodySecret = form["client_secret"] || undefined;
  const assertion = form["client_assertion"] || undefined;
  const assertionType = form["client_assertion_type"] || undefined;
  const presented = [bodySecret, basic, assertion].filter((value) => value !== undefined).length;
  if (presented > 1) {
    return error(
      entraErrors.malformedRequest(
        "More than one client credential was presented; send exactly one of client_secret, HTTP Basic or client_assertion.",
      ),
    );
  }
  if (assertion !== undefined && assertionType === undefined)
    return error(entraErrors.missingParameter("client_assertion_type"));
  if (assertionType !== undefined && assertionType !== JWT_BEARER_ASSERTION_TYPE)
    return error(entraErrors.invalidAssertionType());
  if (clientId === undefined) return error(entraErrors.missingParameter("client_id"));
  const credential: PresentedCredential =
    assertion !== undefined
      ? { kind: "assertion", assertion }
      : bodySecret !== undefined
        ? { kind: "secret", secret: bodySecret }
        : basic
          ? { kind: "secret", secret: basic.secret }
          : { kind: "none" };
  return { ok: true, clientId, credential };
}

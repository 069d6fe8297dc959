/**
 * The credential as configured, before it is created: what the application options name. Its
 * identity lets applications built again and again (a Worker builds one per request) find the
 * credential, imported key and token cache created the first time.
 *
 * @module
 */

import { ClientError } from "../errors";
import { encodeBase64 } from "../internal/base64";
import { objectId } from "../internal/object-id";
import type { CertificateLoader, CertificateOptions, ClientClaimsOptions } from "./certificate";
import { certificateCredential } from "./certificate-credential";
import { certificateLoaderCredential } from "./certificate-loader-credential";
import { clientAssertionCredential, type ClientAssertion } from "./client-assertion";
import type { ClientCredential } from "./client-credential";
import { clientSecretCredential } from "./client-secret";

/** One configured credential. */
export type CredentialSpec =
  | { readonly kind: "secret"; readonly secret: string }
  | {
      readonly kind: "certificate";
      readonly certificate: CertificateOptions | CertificateLoader;
      readonly clientClaims: ClientClaimsOptions | undefined;
    }
  | { readonly kind: "assertion"; readonly assertion: ClientAssertion };

/** Creates the credential; synchronous validation errors are thrown here. */
export function createCredential(spec: CredentialSpec): ClientCredential {
  switch (spec.kind) {
    case "secret":
      return clientSecretCredential(spec.secret);
    case "certificate":
      return typeof spec.certificate === "function"
        ? certificateLoaderCredential(spec.certificate, spec.clientClaims)
        : certificateCredential(spec.certificate, spec.clientClaims);
    case "assertion":
      return clientAssertionCredential(spec.assertion);
  }
}

/**
 * A string that is equal for equal credentials. It holds secrets, so it lives only in memory as
 * a `Map` key and is never logged.
 */
export function credentialIdentity(spec: CredentialSpec): string {
  switch (spec.kind) {
    case "secret":
      return `secret\u0000${String(spec.secret)}`;
    case "assertion":
      return typeof spec.assertion === "string"
        ? `assertion\u0000${spec.assertion}`
        : `assertion-callback\u0000${objectId(spec.assertion)}`;
    case "certificate":
      return `certificate\u0000${certificateIdentity(spec.certificate)}\u0000${spec.clientClaims === undefined ? "" : JSON.stringify(spec.clientClaims)}`;
  }
}

function certificateIdentity(options: CertificateOptions | CertificateLoader): string {
  if (typeof options === "function") return `loader\u0000${objectId(options)}`;
  if (typeof options !== "object" || options === null) {
    throw new ClientError(
      "invalid_configuration",
      "withCertificate needs { privateKey, certificate }, { pfx, password } or { sign, certificate }.",
    );
  }
  const common = `${options.algorithm ?? ""}\u0000${options.sendX5c ?? ""}`;
  if ("pfx" in options) {
    const bytes =
      options.pfx instanceof Uint8Array
        ? options.pfx
        : options.pfx instanceof ArrayBuffer
          ? new Uint8Array(options.pfx)
          : new Uint8Array();
    return `pfx\u0000${encodeBase64(bytes)}\u0000${options.password}\u0000${common}`;
  }
  if ("sign" in options)
    return `sign\u0000${typeof options.sign === "function" ? objectId(options.sign) : ""}\u0000${options.certificate}\u0000${common}`;
  if (!("certificate" in options)) {
    const thumbprints = options as { thumbprint?: string; thumbprintSha256?: string };
    return `thumbprint\u0000${String(options.privateKey)}\u0000${thumbprints.thumbprint ?? ""}\u0000${thumbprints.thumbprintSha256 ?? ""}\u0000${options.password ?? ""}\u0000${common}`;
  }
  const key =
    typeof options.privateKey === "string"
      ? options.privateKey
      : typeof options.privateKey === "object" && options.privateKey !== null
        ? `key\u0000${objectId(options.privateKey)}`
        : "";
  return `pem\u0000${key}\u0000${options.password ?? ""}\u0000${options.certificate}\u0000${common}`;
}

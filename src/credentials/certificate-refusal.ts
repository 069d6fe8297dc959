/**
 * The identity provider's answers that mean "this certificate is no good": unknown to the app
 * registration, expired, not yet valid or revoked. A certificate loader
 * (`withCertificate(async () => ...)`) is called again on one of these, and the request retried
 * once with what it returns.
 *
 * @module
 */

import { ServiceError } from "../errors";

/**
 * AADSTS codes that a reloaded certificate can cure, as Microsoft.Identity.Web reloads on them:
 * - 700027: the assertion's signature does not verify ("The certificate with identifier used to
 *   sign the client assertion is not registered on application", "The key was not found.",
 *   "The key used is expired.");
 * - 7000214: the certificate has been revoked;
 * - 7000274: the certificate is not within its validity period;
 * - 7000277: the certificate was revoked;
 * - 1000502: the certificate is outside its validity window;
 * - 50012: authentication failed (an unauthorized thumbprint or subject, an invalid signature).
 *
 * Not 700024 (the assertion's time range: the clock, which another certificate cannot fix).
 */
export const certificateRefusalCodes: ReadonlySet<number> = new Set([
  700027, 7000214, 7000274, 7000277, 1000502, 50012,
]);

/** Whether `error` is the identity provider refusing the certificate (see {@link certificateRefusalCodes}). */
export function isCertificateRefusal(error: unknown): boolean {
  return (
    error instanceof ServiceError &&
    error.code === "service_error" &&
    error.errorCodes.some((code) => certificateRefusalCodes.has(code))
  );
}

/**
 * `entra-edge/federation`: secretless client credentials (workload identity federation). Each
 * helper returns a callback for `withClientAssertion(...)` that gets an external token (a
 * Kubernetes service account token, a GitHub Actions or Vercel OIDC token, another Entra
 * application's token) only when a token request needs one, and reuses it for every tenant until
 * shortly before its `exp`. Entra checks it against the app's federated identity credentials
 * (issuer, subject, audience). Nothing here imports a runtime module, statically or dynamically:
 * the subpath loads in workerd without `nodejs_compat`, and `kubernetesTokenFile` reads files
 * through the runtime's own API (`Deno.readTextFile`, `Bun.file`, Node's
 * `process.getBuiltinModule`).
 *
 * @example
 * ```ts
 * import { ConfidentialClientApplicationBuilder } from "entra-edge";
 * import { kubernetesTokenFile } from "entra-edge/federation";
 *
 * const app = ConfidentialClientApplicationBuilder.create(process.env.AZURE_CLIENT_ID!)
 *   .withTenantId(process.env.AZURE_TENANT_ID!)
 *   .withClientAssertion(kubernetesTokenFile())
 *   .build();
 * ```
 *
 * @module
 */

export { kubernetesTokenFile } from "./kubernetes";
export { githubActionsToken } from "./github-actions";
export type { GitHubActionsTokenOptions } from "./github-actions";
export { vercelOidcToken } from "./vercel";
export type { VercelOidcTokenSource } from "./vercel";
export { entraTokenAssertion } from "./entra-app";
export type { EntraTokenAssertionOptions, TokenExchangeApplication } from "./entra-app";
export type { FederatedAssertion } from "./federated-assertion";

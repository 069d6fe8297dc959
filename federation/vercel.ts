/**
 * `vercelOidcToken(tokenOrFunction?)`: the OIDC token Vercel gives a deployment, from the
 * `VERCEL_OIDC_TOKEN` environment variable, a function (the `x-vercel-oidc-token` request header
 * on the Edge runtime) or a string.
 *
 * @module
 */

import { ClientError } from "../src/errors";
import { describeThrown, sanitizedCause } from "../src/internal/safe-error";
import { environmentVariable } from "./environment";
import { federatedAssertion, type FederatedAssertion } from "./federated-assertion";

/** Where {@link vercelOidcToken} gets its token: the token, or a function returning it. */
export type VercelOidcTokenSource =
  string | (() => string | null | undefined | Promise<string | null | undefined>);

const source = "vercelOidcToken";
const variable = "VERCEL_OIDC_TOKEN";

/**
 * A client assertion from Vercel's OIDC federation: with no argument, `VERCEL_OIDC_TOKEN`, read
 * when a token request needs an assertion; with a function, its result, called then (e.g. `() =>
 * request.headers.get("x-vercel-oidc-token")`); with a string, that token. The token is kept and
 * reused for every tenant while it has more than 60 s left, and got
 * again after that. Runs wherever `fetch` does: Vercel's Node and Edge runtimes, workerd (with a
 * function or a string: no environment there), Deno (`--allow-env`), Bun.
 *
 * Errors, at the first acquisition and before any token request: a `ClientError`
 * `invalid_client_assertion` when `VERCEL_OIDC_TOKEN` is unset, the function throws or returns
 * nothing, or the token is not a JWT or has expired. No error quotes the token.
 *
 * @example
 * ```ts
 * import { vercelOidcToken } from "entra-edge/federation";
 *
 * const app = ConfidentialClientApplicationBuilder.create(process.env.AZURE_CLIENT_ID!)
 *   .withTenantId(process.env.AZURE_TENANT_ID!)
 *   .withClientAssertion(vercelOidcToken())
 *   .build();
 * ```
 */
export function vercelOidcToken(tokenOrFunction?: VercelOidcTokenSource): FederatedAssertion {
  return federatedAssertion(
    source,
    () => "",
    async () => {
      if (
        tokenOrFunction !== undefined &&
        typeof tokenOrFunction !== "string" &&
        typeof tokenOrFunction !== "function"
      ) {
        throw new ClientError(
          "invalid_client_assertion",
          `${source} takes nothing (${variable}), a token string or a function returning the token.`,
        );
      }
      let token: unknown;
      if (typeof tokenOrFunction === "function") {
        try {
          token = await tokenOrFunction();
        } catch (error) {
          throw new ClientError(
            "invalid_client_assertion",
            `${source}: the function that gives the Vercel OIDC token failed (${describeThrown(error)}): fix it, or read ${variable}.`,
            { cause: sanitizedCause(error) },
          );
        }
      } else {
        token = tokenOrFunction ?? environmentVariable(variable, source);
      }
      if (typeof token !== "string" || token.trim() === "") {
        throw new ClientError(
          "invalid_client_assertion",
          tokenOrFunction === undefined
            ? `${source}: ${variable} is not set: turn on OIDC federation for the Vercel project (Settings, Security), or pass a function returning the token, e.g. () => request.headers.get("x-vercel-oidc-token").`
            : `${source}: ${typeof tokenOrFunction === "function" ? "the function returned no token" : "the token is empty"}: pass the Vercel OIDC token (the x-vercel-oidc-token request header, or ${variable}).`,
        );
      }
      return token.trim();
    },
  );
}

/**
 * `kubernetesTokenFile(path?)`: the projected service account token that the Azure workload
 * identity webhook mounts into a pod (its path in `AZURE_FEDERATED_TOKEN_FILE`). The kubelet
 * rotates the file; the helper reads it again when the token it holds nears its expiry.
 *
 * @module
 */

import { ClientError } from "../src/errors";
import { sanitizedCause, describeThrown } from "../src/internal/safe-error";
import { environmentVariable } from "./environment";
import { federatedAssertion, type FederatedAssertion } from "./federated-assertion";
import { NoFileSystemError, readTextFile } from "./read-file";

const variable = "AZURE_FEDERATED_TOKEN_FILE";

/**
 * A client assertion read from a Kubernetes projected service account token file: `path`, or
 * the file named by `AZURE_FEDERATED_TOKEN_FILE`. Nothing is read until a token request needs
 * an assertion; the token is then kept for every tenant while it has more than a minute left,
 * and the file is read again after that. Its content is trimmed. Runs on Node (20.16 and later), Deno (`--allow-read`, and `--allow-env` for the
 * variable) and Bun.
 *
 * Errors, at the first acquisition and before any token request: a `ClientError`
 * `invalid_client_assertion` naming the path or the variable when the variable is unset, the
 * file cannot be read or is empty, or its token is not a JWT or has expired.
 *
 * @param path the token file; default: the value of `AZURE_FEDERATED_TOKEN_FILE`, read when
 *   first needed.
 * @example
 * ```ts
 * import { kubernetesTokenFile } from "entra-edge/federation";
 *
 * const app = ConfidentialClientApplicationBuilder.create(process.env.AZURE_CLIENT_ID!)
 *   .withTenantId(process.env.AZURE_TENANT_ID!)
 *   .withClientAssertion(kubernetesTokenFile())
 *   .build();
 * ```
 */
export function kubernetesTokenFile(path?: string): FederatedAssertion {
  return federatedAssertion(
    "kubernetesTokenFile",
    () => "",
    async () => {
      if (path !== undefined && (typeof path !== "string" || path.trim() === "")) {
        throw new ClientError(
          "invalid_client_assertion",
          `kubernetesTokenFile(path) needs the path of the token file, or no argument to use ${variable}.`,
        );
      }
      const file = path ?? environmentVariable(variable, "kubernetesTokenFile");
      if (file === undefined) {
        throw new ClientError(
          "invalid_client_assertion",
          `kubernetesTokenFile: ${variable} is not set: pass the token file's path, or run in a pod whose service account uses Azure workload identity (label azure.workload.identity/use: "true"), which sets ${variable}.`,
        );
      }
      let content: string;
      try {
        content = await readTextFile(file);
      } catch (error) {
        if (error instanceof NoFileSystemError) {
          throw new ClientError(
            "invalid_client_assertion",
            "kubernetesTokenFile needs a file system (Node 20.16 or later, Deno or Bun): on this runtime, pass the token with your own withClientAssertion callback.",
          );
        }
        throw new ClientError(
          "invalid_client_assertion",
          `kubernetesTokenFile cannot read the token file '${file}' (${describeThrown(error)}): check the path${path === undefined ? ` in ${variable}` : ""}, the projected volume and the read permission (Deno: --allow-read).`,
          { cause: sanitizedCause(error) },
        );
      }
      const token = content.trim();
      if (token === "") {
        throw new ClientError(
          "invalid_client_assertion",
          `kubernetesTokenFile: the token file '${file}' is empty: check the projected service account token volume.`,
        );
      }
      return token;
    },
  );
}

/**
 * `entra-edge thumbprint <cert.pem>`: the certificate thumbprints that client assertions and the
 * Azure portal use.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { readCertificates, type CertificateInfo } from "../../src/index";
import { usageError } from "../errors";
import { THUMBPRINT_HELP } from "../help";
import type { CliIO } from "../io";
import { readBytes } from "./files";

/** What `thumbprint --json` prints. */
export interface ThumbprintResult {
  x5t: string;
  "x5t#S256": string;
  /** Hex SHA-1, upper case: the Azure portal's "Thumbprint". */
  thumbprint: string;
  /** Hex SHA-256, upper case. */
  sha256: string;
  notBefore: string;
  notAfter: string;
}

/**
 * The thumbprints and validity of the leaf certificate in `bytes`: the first CERTIFICATE block of
 * a PEM, or a DER (`.cer`) file.
 *
 * @throws ClientError for a bad PEM/certificate.
 */
export async function thumbprintOf(bytes: Uint8Array): Promise<ThumbprintResult> {
  // readCertificates throws rather than return no certificate.
  const [leaf] = (await readCertificates(bytes)) as [CertificateInfo];
  const { thumbprints, notBefore, notAfter } = leaf;
  return {
    x5t: thumbprints.x5t,
    "x5t#S256": thumbprints.x5tS256,
    thumbprint: thumbprints.sha1Hex,
    sha256: thumbprints.sha256Hex,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
  };
}

/** Runs `thumbprint` with the arguments after the command name. Returns the exit code. */
export async function thumbprintCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help === true) {
    io.stdout(THUMBPRINT_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    throw usageError(
      positionals.length === 0
        ? "Missing the certificate file (or - for stdin)."
        : "Pass one certificate file.",
      "thumbprint",
    );
  }
  const result = await thumbprintOf(await readBytes(io, positionals[0] as string, "certificate"));
  if (values.json === true) {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    io.stdout(
      [
        `x5t         ${result.x5t}`,
        `x5t#S256    ${result["x5t#S256"]}`,
        `thumbprint  ${result.thumbprint}`,
        `sha256      ${result.sha256}`,
        `notBefore   ${result.notBefore}`,
        `notAfter    ${result.notAfter}`,
        "",
      ].join("\n"),
    );
  }
  return 0;
}

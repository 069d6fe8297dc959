/**
 * `entra-edge thumbprint <cert.pem>`: the certificate thumbprints that client assertions and the
 * Azure portal use.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  certificateThumbprints,
  certificateValidity,
  checkCertificate,
  decodeCertificateChain,
} from "../../src/keys/x509";
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

const hex = (buffer: ArrayBuffer): string =>
  Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0"))
    .join("")
    .toUpperCase();

/** The leaf certificate's DER: the first CERTIFICATE block of a PEM, or a DER (`.cer`) file as is. */
function leafDer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes[0] === 0x30) {
    const der = new Uint8Array(bytes);
    checkCertificate(der);
    return der;
  }
  const [leaf] = decodeCertificateChain(new TextDecoder().decode(bytes));
  return leaf as Uint8Array<ArrayBuffer>; // decodeCertificateChain throws rather than return none
}

/** The thumbprints and validity of the certificate in `bytes`. @throws ClientError for a bad PEM/certificate. */
export async function thumbprintOf(bytes: Uint8Array): Promise<ThumbprintResult> {
  const der = leafDer(bytes);
  const [{ x5t, x5tS256 }, sha1, sha256] = await Promise.all([
    certificateThumbprints(der),
    crypto.subtle.digest("SHA-1", der),
    crypto.subtle.digest("SHA-256", der),
  ]);
  const { notBefore, notAfter } = certificateValidity(der);
  return {
    x5t,
    "x5t#S256": x5tS256,
    thumbprint: hex(sha1),
    sha256: hex(sha256),
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

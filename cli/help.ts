/**
 * The `--help` texts. Kept together so the exit codes and environment variables read the same
 * everywhere.
 *
 * @module
 */

export const EXIT_CODES = `Exit codes:
  0  success
  1  unexpected error (a bug: please report it)
  2  usage error: unknown command or option, missing or conflicting arguments
  3  configuration or input error (ClientError): bad client id, tenant, scope, authority,
     key, certificate or password; unreadable file; malformed JWT
  4  the identity provider refused (ServiceError): wrong secret, unknown app or tenant,
     missing consent, invalid scope, or an answer that is not a token response
  5  throttled (ThrottledError): wait the time the message gives, then retry
  6  network error (NetworkError): no answer, timeout
Errors are one line on stderr: "entra-edge: <code>: <message>".`;

export const MAIN_HELP = `Usage: entra-edge <command> [options]

Microsoft Entra ID client credentials (app-only tokens) from the command line.

Commands:
  token              Acquire an access token with a client secret, a certificate, a .pfx
                     or a federated token file (workload identity)
  thumbprint <cert>  Print a certificate's x5t, x5t#S256 and the SHA-1 thumbprint Azure shows
  decode <jwt>       Decode a JWT's header and claims (no signature check)
  help [command]     Show help for a command

Options:
  -h, --help     Show this help; 'entra-edge <command> --help' for a command's
  -v, --version  Print the version

Examples:
  export ENTRA_CLIENT_ID=... ENTRA_TENANT_ID=... ENTRA_CLIENT_SECRET=...
  curl -H "Authorization: Bearer $(entra-edge token)" https://graph.microsoft.com/v1.0/organization
  entra-edge token --cert cert.pem --key key.pem --decode
  entra-edge thumbprint cert.pem

${EXIT_CODES}
`;

export const TOKEN_HELP = `Usage: entra-edge token [options]

Acquire an app-only access token (client credentials flow) and print it on stdout, alone,
so that $(entra-edge token) is the token.

Application:
  --client-id <id>       Application (client) id              [env ENTRA_CLIENT_ID]
  --tenant <id|domain>   Tenant id or verified domain         [env ENTRA_TENANT_ID]
  --scope <scope>        Scope, repeatable ("<resource>/.default")
                         (default: https://graph.microsoft.com/.default)
  --authority <url>      Authority URL instead of the public cloud, e.g.
                         https://login.microsoftonline.us/<tenant>, https://adfs.contoso.com/adfs
  --oidc-issuer <url>    A generic OpenID Connect issuer (token endpoint discovered)
  --region <region>      Regional token endpoint (e.g. westus), global one as fallback

Credential (one of):
  --secret <secret>      Client secret                        [env ENTRA_CLIENT_SECRET]
                         Prefer the environment variable: a secret on the command line
                         lands in shell history and in the process list.
  --cert <pem> [--key <pem>]
                         Certificate PEM (leaf first) and its private key PEM (PKCS#8,
                         PKCS#1, SEC1 or encrypted PKCS#8); without --key, the key is read
                         from the certificate file
  --pfx <file>           PKCS#12 file (.pfx/.p12) with key and certificate
  --password <password>  Password of an encrypted key or of the .pfx
                                                              [env ENTRA_CERT_PASSWORD]
  --send-x5c             Send the certificate chain (x5c), for subject name + issuer auth
  --federated-token-file <file>
                         Workload identity federation: the file of an external token (a
                         Kubernetes service account token), sent as the client assertion
                                                              [env AZURE_FEDERATED_TOKEN_FILE]
  Flags win over the environment; with no credential flag, ENTRA_CLIENT_SECRET is used, else
  AZURE_FEDERATED_TOKEN_FILE (set by the Azure workload identity webhook in a pod).

Output:
  (default)              The access token alone, with a newline
  --json                 The result as JSON: accessToken, tokenType, expiresOn, scopes,
                         tenantId, correlationId, authenticationResultMetadata
  --decode               The token's decoded header and claims instead of the token
                         (with --json: added to the JSON as "decoded")

Other:
  --timeout <seconds>    Give up after this long (default 30)
  --no-retry             Do not retry once on a 5xx or a network error
  --verbose              Library log lines on stderr (no secrets, no tokens)
  -h, --help             Show this help

Environment for tests:
  ENTRA_EDGE_EMULATOR=1 (or --emulator) answers from the built-in Entra ID emulator instead of
  the network: it registers the given tenant, client id and credential (RSA certificates only),
  so every request succeeds unless the input is invalid. The tokens are useless elsewhere.

${EXIT_CODES}
`;

export const THUMBPRINT_HELP = `Usage: entra-edge thumbprint <cert.pem | ->

Print the thumbprints of a certificate (the first CERTIFICATE block of the PEM: the leaf),
read from a file or, with "-", from stdin:
  x5t         base64url SHA-1 of the DER (JWT header x5t: ADFS, OIDC issuers)
  x5t#S256    base64url SHA-256 of the DER (JWT header x5t#S256: Entra ID)
  thumbprint  hex SHA-1, as the Azure portal's "Thumbprint" column shows it
  sha256      hex SHA-256 (msal-node's clientCertificate.thumbprintSha256)
and its validity period.

Options:
  --json      Print the same as one JSON object
  -h, --help  Show this help

${EXIT_CODES}
`;

export const DECODE_HELP = `Usage: entra-edge decode <jwt | ->

Decode a JWT (header.payload.signature) read from the argument or, with "-", from stdin.
Prints JSON: "header", "payload", "times" (iat, nbf and exp as ISO dates) and "expired".
The signature is neither shown nor verified: never trust a decoded token's claims.
A leading "Bearer " is ignored.

Options:
  -h, --help  Show this help

${EXIT_CODES}
`;

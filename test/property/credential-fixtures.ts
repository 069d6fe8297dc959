// The credential fixtures the parser fuzzers start from, and checks they share.
import fc from "fast-check";
import { expect } from "vitest";
import { ClientError } from "../../src/errors";
import {
  defaultAlgorithmFor,
  importSigningKey,
  type PrivateKeyMaterial,
} from "../../src/keys/private-key";
import {
  expectNoChunkOf,
  fixtureBytes,
  fixtureText,
  mutatedDer,
  mutatedText,
  onlyClientError,
  pemBody,
  toPem,
} from "./support";

const keyFixtures = [
  "rsa.pkcs8.pem",
  "rsa.pkcs1.pem",
  "rsa-pss.pkcs8.pem",
  "ec256.pkcs8.pem",
  "ec256.sec1.pem",
  "ec256.sec1-nopub.pem",
  "ec256.explicit.pem",
  "ec384.pkcs8.pem",
  "ec521.sec1.pem",
  "ed25519.pkcs8.pem",
  "x25519.pkcs8.pem",
  "secp256k1.pkcs8.pem",
  "rsa.enc-default.pem",
  "rsa.enc-aes128-sha384.pem",
  "rsa.enc-aes192-sha512.pem",
  "rsa.enc-sha1.pem",
  "rsa.enc-scrypt.pem",
  "rsa.enc-des3.pem",
  "rsa.enc-pbes1.pem",
  "rsa.legacy-enc.pem",
] as const;
const certificateFixtures = [
  "rsa.crt.pem",
  "chain.pem",
  "chain-ca-first.pem",
  "ec256.crt.pem",
  "ec521.crt.pem",
  "rsa-pss.crt.pem",
] as const;
const pfxFixtures = [
  "rsa.pfx",
  "rsa.nomac.pfx",
  "rsa.nocrypt.pfx",
  "rsa.nokey.pfx",
  "chain.pfx",
  "ec256.pfx",
  "ec384.sha512mac.pfx",
  "rsa.aes128-sha1mac.pfx",
  "rsa.legacy.pfx",
  "rsa.3des.pfx",
  "rsa.empty-password.pfx",
] as const;
export const labels = [
  "PRIVATE KEY",
  "RSA PRIVATE KEY",
  "EC PRIVATE KEY",
  "ENCRYPTED PRIVATE KEY",
  "CERTIFICATE",
  "OPENSSH PRIVATE KEY",
  "PUBLIC KEY",
] as const;
export const passwords = fc.constantFrom(undefined, "secret", "", "wrong", "pässwörd€");

export const keys = keyFixtures.map((name) => ({
  name,
  pem: fixtureText(name),
  ...pemBody(fixtureText(name)),
}));
export const certificates = certificateFixtures.map((name) => ({
  name,
  pem: fixtureText(name),
  ...pemBody(fixtureText(name)),
}));
export const pfxFiles = pfxFixtures.map((name) => ({ name, bytes: fixtureBytes(name) }));
export const rsaKey = keys[0] as (typeof keys)[number];

/** A key PEM mutated at the text level or at the DER level, under its own or another label. */
export const mutatedKeyPem = fc.oneof(
  fc.constantFrom(...keys).chain((key) => mutatedText(key.pem).map((pem) => ({ key, pem }))),
  fc
    .constantFrom(...keys)
    .chain((key) =>
      fc
        .tuple(mutatedDer(key.der), fc.oneof(fc.constant(key.label), fc.constantFrom(...labels)))
        .map(([der, label]) => ({ key, pem: toPem(label, der) })),
    ),
);

/** Checks that a failure message repeats no 16-character chunk of the key it was given. */
export function expectNoKeyMaterial(outcome: unknown, base64: string): void {
  if (outcome instanceof ClientError)
    expectNoChunkOf(
      `${outcome.message} ${String(outcome.cause ?? "")}`,
      base64,
      16,
      "key material in the error",
    );
}

/** Imports a decoded key the way the certificate credential does: only ClientError may come out. */
export async function importDecoded(material: unknown): Promise<void> {
  if (material instanceof ClientError) return;
  const key = material as PrivateKeyMaterial;
  expect(["RSA", "EC"]).toContain(key.keyType);
  await onlyClientError(() => importSigningKey(key, defaultAlgorithmFor(key)));
}

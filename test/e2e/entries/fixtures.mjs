// Reads the suite's key fixtures through a runtime-provided text reader (Node's fs, Deno.readTextFile,
// Bun.file().text()), so that each entry stays a few lines.
const names = {
  rsaPkcs8Pem: "rsa.pkcs8.pem",
  rsaEncryptedPkcs8Pem: "rsa.enc-default.pem",
  rsaCertificatePem: "rsa.crt.pem",
};

/** @param {(url: URL) => Promise<string>} readText */
export async function loadFixtures(readText) {
  const url = (name) => new URL(`../../fixtures/keys/${name}`, import.meta.url);
  const fixtures = { rsaEncryptedPassword: "secret" };
  for (const [key, name] of Object.entries(names)) fixtures[key] = await readText(url(name));
  fixtures.rsaX5tS256 = JSON.parse(await readText(url("expected.json")))["rsa.crt.pem"].x5tS256;
  return fixtures;
}

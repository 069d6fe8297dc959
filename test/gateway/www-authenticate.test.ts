// The WWW-Authenticate reader: real headers from Microsoft resources, several challenges in one
// header, token68, escapes, and a round trip of generated challenges.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseClaimsChallenge } from "../../src/index";
import { parseWwwAuthenticate } from "../../src/request/www-authenticate";
import { runs } from "../property/support";

const asObjects = (header: string) =>
  parseWwwAuthenticate(header).map(({ scheme, parameters }) => ({
    scheme,
    parameters: Object.fromEntries(parameters),
  }));

describe("parseWwwAuthenticate", () => {
  it("reads Graph's claims challenge", () => {
    const claims = btoa('{"access_token":{"nbf":{"essential":true,"value":"1702682181"}}}');
    const header = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="${claims}"`;
    expect(asObjects(header)).toEqual([
      {
        scheme: "Bearer",
        parameters: {
          realm: "",
          authorization_uri: "https://login.microsoftonline.com/common/oauth2/authorize",
          client_id: "00000003-0000-0000-c000-000000000000",
          error: "insufficient_claims",
          claims,
        },
      },
    ]);
    expect(parseClaimsChallenge(header)).toBe(
      '{"access_token":{"nbf":{"essential":true,"value":"1702682181"}}}',
    );
  });

  it("separates challenges, reads token68 and unquoted values, and unescapes quoted ones", () => {
    expect(
      asObjects(
        'Negotiate YIIBhg==, PoP nonce="a\\"b", Bearer error=invalid_token, error_description="c, d",Basic realm="x"',
      ),
    ).toEqual([
      { scheme: "Negotiate", parameters: {} },
      { scheme: "PoP", parameters: { nonce: 'a"b' } },
      { scheme: "Bearer", parameters: { error: "invalid_token", error_description: "c, d" } },
      { scheme: "Basic", parameters: { realm: "x" } },
    ]);
  });

  it("keeps what it read before an unterminated quote, and reads nothing from garbage", () => {
    expect(asObjects('Bearer error="invalid_token", claims="abc')).toEqual([
      { scheme: "Bearer", parameters: { error: "invalid_token" } },
    ]);
    expect(asObjects("")).toEqual([]);
    expect(asObjects('"=,')).toEqual([]);
  });

  it("reads back any list of challenges it is given", () => {
    const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,11}$/);
    const value = fc
      .string({ maxLength: 20 })
      .filter((text) => !/[\u0000-\u001f\u007f]/.test(text));
    const challenge = fc.record({
      scheme: token,
      parameters: fc.dictionary(
        token.map((name) => name.toLowerCase()),
        value,
        { maxKeys: 4 },
      ),
    });
    fc.assert(
      fc.property(fc.array(challenge, { maxLength: 4 }), (challenges) => {
        const header = challenges
          .map(({ scheme, parameters }) => {
            const params = Object.entries(parameters).map(
              ([name, text]) => `${name}="${text.replace(/["\\]/g, (char) => `\\${char}`)}"`,
            );
            return params.length === 0 ? scheme : `${scheme} ${params.join(", ")}`;
          })
          .join(", ");
        expect(asObjects(header)).toEqual(challenges);
      }),
      { numRuns: runs.cheap },
    );
  });
});

// Fuzzing the cache: L2 records (parseTokenRecord gives a token or undefined, never throws, and
// round-trips), and cache keys, which never collide across (cloud, client, token type, tenant,
// scopes) tuples that differ after the documented normalisation (case-insensitive; scope order and
// duplicates ignored), adversarial separators and unicode included.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTenantShaped } from "../../src/authority/authority";
import { cacheKeyPrefix, tokenCacheKey } from "../../src/cache/cache-key";
import type { CachedToken } from "../../src/cache/cached-token";
import { parseTokenRecord, serializeTokenRecord } from "../../src/cache/token-record";
import { ClientError } from "../../src/errors";
import { fastHash128, prefixedHash128 } from "../../src/internal/fast-hash";
import { scopesCacheKey, validateScopes } from "../../src/request/scopes";
import { anyCodeUnits, runs } from "./support";

const key =
  "login.windows.net|11111111-2222-3333-4444-555555555555|bearer|72f988bf-86f1-41af-91ab-2d7cd011db47|https://graph.microsoft.com/.default";
const token: CachedToken = {
  accessToken: "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
  tokenType: "Bearer",
  expiresOn: 1_795_000_000_000,
  extendedExpiresOn: 1_795_000_000_000,
  refreshOn: 1_794_998_200_000,
  cachedAt: 1_794_996_400_000,
  scopes: ["https://graph.microsoft.com/.default"],
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  tokenEndpoint:
    "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token",
};
const recordFields = [
  "v",
  "k",
  "at",
  "tt",
  "exp",
  "ext",
  "ref",
  "cat",
  "sc",
  "tid",
  "te",
  "__proto__",
  "constructor",
  "toString",
] as const;

describe("L2 records", () => {
  // A record is a JSON header, a newline and the token: mutate the token as if it were one more field.
  const stored = serializeTokenRecord(key, token);
  const valid = {
    ...(JSON.parse(stored.slice(0, stored.indexOf("\n"))) as Record<string, unknown>),
    at: token.accessToken,
  };
  const serialize = (record: Record<string, unknown>): string => {
    const { at, ...header } = record;
    return (
      JSON.stringify(header) +
      (at === undefined ? "" : `\n${typeof at === "string" ? at : JSON.stringify(at)}`)
    );
  };
  const oddValues = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(
      1e308,
      -1e308,
      -0,
      0,
      Number.MAX_SAFE_INTEGER,
      "",
      [],
      {},
      null,
      [1],
      ["x"],
      [null],
      "1795000000000",
    ),
  );
  const mutatedRecord = fc
    .record({
      overrides: fc.array(fc.tuple(fc.constantFrom(...recordFields), oddValues), { maxLength: 3 }),
      drop: fc.array(fc.constantFrom(...recordFields), { maxLength: 2 }),
    })
    .map(({ overrides, drop }) => {
      const record: Record<string, unknown> = { ...valid };
      for (const [name, value] of overrides)
        Object.defineProperty(record, name, {
          value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      for (const name of drop) delete record[name];
      return serialize(record);
    });
  const values = fc.oneof(
    { weight: 4, arbitrary: mutatedRecord },
    { weight: 1, arbitrary: anyCodeUnits(80) },
    { weight: 1, arbitrary: fc.json() },
    {
      weight: 1,
      arbitrary: mutatedRecord.map((text) => text.slice(0, Math.floor(text.length / 2))),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "",
        "null",
        "1e309",
        '{"v":1}',
        '{"v":1,"exp":1e309}',
        "[]",
        "\uFEFF{}",
      ),
    },
  );

  it("parseTokenRecord: a token with sane fields or undefined, never a throw", () => {
    fc.assert(
      fc.property(values, fc.oneof(fc.constant(key), anyCodeUnits(20)), (value, readKey) => {
        let parsed: CachedToken | undefined;
        expect(() => (parsed = parseTokenRecord(readKey, value))).not.toThrow();
        if (parsed === undefined) return;
        expect(parsed.accessToken).not.toBe("");
        expect(parsed.tokenType).not.toBe("");
        for (const n of [parsed.expiresOn, parsed.extendedExpiresOn, parsed.cachedAt])
          expect(Number.isFinite(n)).toBe(true);
        expect(Number.isNaN(parsed.refreshOn)).toBe(false);
        expect(parsed.scopes.every((s) => typeof s === "string")).toBe(true);
        // The record names its own key (a mutation may have changed it): it is refused under any other.
        expect(readKey).toBe((JSON.parse(value.slice(0, value.indexOf("\n"))) as { k: unknown }).k);
        expect(parseTokenRecord(`${readKey}x`, value)).toBeUndefined();
        // And it survives a write/read cycle unchanged.
        expect(parseTokenRecord(key, serializeTokenRecord(key, parsed))).toEqual(parsed);
      }),
      { numRuns: runs.cheap },
    );
  });

  it("serializeTokenRecord / parseTokenRecord round-trip any token under any key", () => {
    const tokens = fc.record({
      accessToken: anyCodeUnits(40).filter((s) => s !== ""),
      tokenType: fc.constantFrom("Bearer", "pop", "x"),
      expiresOn: fc.integer(),
      extendedExpiresOn: fc.integer(),
      refreshOn: fc.oneof(fc.integer(), fc.constant(Infinity)),
      cachedAt: fc.integer(),
      scopes: fc.array(anyCodeUnits(10)),
      tenantId: fc.option(anyCodeUnits(10), { nil: undefined }),
      tokenEndpoint: anyCodeUnits(20),
    });
    fc.assert(
      fc.property(tokens, anyCodeUnits(60), (value, anyKey) => {
        expect(parseTokenRecord(anyKey, serializeTokenRecord(anyKey, value))).toEqual(value);
      }),
      { numRuns: runs.cheap },
    );
  });

  it("the store key hash is stable: records written by earlier versions stay readable", () => {
    expect(fastHash128("")).toBe("ab3e7c0b4f3e71d9399430e8fef8781a");
    expect(fastHash128("hello")).toBe("bf9aec5dfae6ce9d92a462f80a1252d6");
    expect(
      fastHash128(
        "login.microsoftonline.com|b3c1e2d4-5a6b-4c7d-8e9f-0a1b2c3d4e5f|bearer|contoso.onmicrosoft.com|https://graph.microsoft.com/.default",
      ),
    ).toBe("7afeb14bddca2c11a9d0cbc5f35424a4");
    expect(fastHash128("\u00e9\ud83d\ude00|x")).toBe("b18c846422ead131e72d3b87f9ba07d0");
  });

  it("the store key hash of a prefixed key equals the hash of the whole key", () => {
    fc.assert(
      fc.property(anyCodeUnits(60), anyCodeUnits(60), (prefix, rest) => {
        expect(prefixedHash128(prefix)(rest)).toBe(fastHash128(prefix + rest));
        expect(fastHash128(prefix + rest)).toMatch(/^[0-9a-f]{32}$/);
      }),
      { numRuns: runs.cheap },
    );
  });
});

describe("cache keys", () => {
  /** Adversarial pieces: the separator, escapes, spaces, case pairs and unicode that lower-cases oddly. */
  const nasty = fc.constantFrom(
    "|",
    "%",
    "%7C",
    "%7c",
    "%25",
    " ",
    "a",
    "A",
    "b",
    "B",
    ".",
    "-",
    "_",
    "0",
    "é",
    "É",
    "İ",
    "i̇",
    "ß",
    "ẞ",
    "\u212A",
    "k",
    "K",
    "/",
    ":",
    "\u0000",
    "\uFFFD",
    "/.default",
  );
  const piece = (maxLength: number) =>
    fc.array(nasty, { maxLength }).map((parts) => parts.join(""));

  const clouds = fc.oneof(
    fc.constantFrom(
      "login.windows.net",
      "LOGIN.windows.net",
      "login.microsoftonline.us",
      "https://issuer.test/realms/a",
      "https://issuer.test/realms/a|b",
    ),
    piece(6),
  );
  const clients = fc.oneof(
    fc.constantFrom("11111111-2222-3333-4444-555555555555", "11111111-2222-3333-4444-55555555555A"),
    piece(6),
  );
  const tokenTypes = fc.constantFrom("bearer", "pop", "ssh-cert");
  // Tenants reaching the key have passed the tenant pattern check.
  const tenants = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(
      "72f988bf-86f1-41af-91ab-2d7cd011db47",
      "Contoso.onmicrosoft.com",
      "a",
      "A",
      "a.b",
      "a-b",
      "a_b",
    ),
    piece(6).filter(isTenantShaped),
  );
  // Scopes reaching the key have passed validateScopes (for Entra: one resource's /.default; for OIDC: any non-blank strings).
  const rawScopes = fc.array(
    fc.oneof(
      piece(5).map((s) => `${s}/.default`),
      piece(5),
      fc.constantFrom(
        "openid",
        "OpenID",
        "profile",
        "https://graph.microsoft.com/.default",
        "https://GRAPH.microsoft.com/.default",
      ),
    ),
    { minLength: 1, maxLength: 4 },
  );
  const kinds = fc.constantFrom("entra", "oidc" as const);

  interface Tuple {
    cloud: string;
    client: string;
    tokenType: string;
    tenant: string | undefined;
    scopes: readonly string[];
    kind?: "entra" | "oidc";
  }

  const tuples: fc.Arbitrary<Tuple> = fc
    .record({
      cloud: clouds,
      client: clients,
      tokenType: tokenTypes,
      tenant: tenants,
      raw: rawScopes,
      kind: kinds,
    })
    .map(({ raw, kind, ...rest }): Tuple | undefined => {
      try {
        return { ...rest, kind, scopes: validateScopes(raw, kind) };
      } catch (error) {
        if (!(error instanceof ClientError)) throw error;
        return undefined;
      }
    })
    .filter((tuple): tuple is Tuple => tuple !== undefined);

  /**
   * The tuple after the documented normalisation: the prefix keeps cloud and client id as given
   * (the application folds them first, see the case rules), tenants fold case, and scopes fold
   * ASCII case except for a generic OIDC issuer.
   */
  const asciiFold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const normalised = (t: Tuple): string =>
    JSON.stringify([
      t.cloud,
      t.client,
      t.tokenType,
      t.tenant?.toLowerCase() ?? null,
      [...new Set(t.scopes.map((s) => (t.kind === "oidc" ? s : asciiFold(s))))].sort(),
    ]);
  const keyOf = (t: Tuple): string =>
    tokenCacheKey(
      cacheKeyPrefix(t.cloud, t.client, t.tokenType),
      t.tenant,
      scopesCacheKey(t.scopes, t.kind),
    );

  it("distinct normalised tuples never share a key, and equal ones always do (pairs)", () => {
    fc.assert(
      fc.property(tuples, tuples, (a, b) => {
        expect(keyOf(a) === keyOf(b), `${normalised(a)} vs ${normalised(b)}: ${keyOf(a)}`).toBe(
          normalised(a) === normalised(b),
        );
      }),
      { numRuns: runs.cheap },
    );
  });

  it("no collision within batches of tuples built from few adversarial pieces", () => {
    fc.assert(
      fc.property(fc.array(tuples, { minLength: 20, maxLength: 60 }), (batch) => {
        const byKey = new Map<string, string>();
        for (const tuple of batch) {
          const k = keyOf(tuple);
          const n = normalised(tuple);
          const seen = byKey.get(k);
          if (seen !== undefined) expect(seen, `key ${k}`).toBe(n);
          byKey.set(k, n);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("near-collisions: moving a separator between neighbouring components changes the key", () => {
    // cloud|client|type|tenant|scopes with a "|" that could belong to either side.
    const cases: [Tuple, Tuple][] = [
      [
        { cloud: "a|b", client: "c", tokenType: "bearer", tenant: "t", scopes: ["s/.default"] },
        { cloud: "a", client: "b|c", tokenType: "bearer", tenant: "t", scopes: ["s/.default"] },
      ],
      [
        {
          cloud: "a",
          client: "c|bearer",
          tokenType: "bearer",
          tenant: "t",
          scopes: ["s/.default"],
        },
        {
          cloud: "a",
          client: "c",
          tokenType: "bearer",
          tenant: "bearer",
          scopes: ["t|s/.default"],
        },
      ],
      [
        {
          cloud: "a",
          client: "c",
          tokenType: "bearer",
          tenant: undefined,
          scopes: ["t|s/.default"],
        },
        { cloud: "a", client: "c", tokenType: "bearer", tenant: "t", scopes: ["s/.default"] },
      ],
      [
        { cloud: "a%7Cb", client: "c", tokenType: "bearer", tenant: "t", scopes: ["s/.default"] },
        { cloud: "a|b", client: "c", tokenType: "bearer", tenant: "t", scopes: ["s/.default"] },
      ],
    ];
    for (const [a, b] of cases)
      expect(keyOf(a), `${normalised(a)} vs ${normalised(b)}`).not.toBe(keyOf(b));
  });

  it("the normalisation is honoured: folded case, scope order and duplicates do not change the key", () => {
    fc.assert(
      fc.property(tuples, fc.func(fc.boolean()), (t, upper) => {
        const flip = (s: string) => (upper(s) ? s.toUpperCase() : s);
        // Only ASCII case changes are promised to be equivalent (toUpperCase of unicode is not an inverse of toLowerCase).
        const asciiFlip = (s: string) => (/^[\x20-\x7e]*$/.test(s) ? flip(s) : s);
        // Cloud and client id are folded by the application before they reach the prefix, and a
        // generic OIDC issuer's scopes keep their case.
        const scopeFlip = t.kind === "oidc" ? (s: string) => s : asciiFlip;
        const variant: Tuple = {
          ...t,
          tenant: t.tenant === undefined ? undefined : asciiFlip(t.tenant),
          scopes: [...t.scopes].reverse().concat(t.scopes.slice(0, 1)).map(scopeFlip),
        };
        expect(keyOf(variant)).toBe(keyOf(t));
      }),
      { numRuns: runs.cheap },
    );
  });
});

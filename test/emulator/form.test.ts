import { beforeAll, describe, expect, it } from "vitest";
import { decodeFormComponent, parseForm } from "../../src/testing/form";
import type { EntraEmulator } from "../../src/testing/index";
import {
  CLIENT,
  SECRET,
  TOKEN_URL,
  type TestCertificate,
  emulatorFor,
  generateCertificate,
} from "./helpers";

let cert: TestCertificate;
let emulator: EntraEmulator;
beforeAll(async () => {
  cert = generateCertificate();
  emulator = await emulatorFor(cert);
});

const post = (body: string, contentType = "application/x-www-form-urlencoded;charset=utf-8") =>
  emulator.fetch(TOKEN_URL, { method: "POST", headers: { "content-type": contentType }, body });

describe("lenient form parsing", () => {
  it("accepts msal-node 2.x's body with raw '|', ',' and spaces in telemetry values", async () => {
    const body =
      `client_id=${CLIENT}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&grant_type=client_credentials` +
      "&x-client-SKU=msal.js.node&x-client-VER=2.15.0&x-client-OS=linux&x-client-CPU=x64" +
      "&x-ms-lib-capability=retry-after, h429&x-client-current-telemetry=5|771,2,,,|,&x-client-last-telemetry=5|0|||0,0" +
      "&client-request-id=6f0b2b1e-1c1a-4f0e-9d5f-2f8d0c7c1a11" +
      `&client_secret=${encodeURIComponent(SECRET)}`;
    const response = await emulator.fetch(
      `${TOKEN_URL}?client-request-id=6f0b2b1e-1c1a-4f0e-9d5f-2f8d0c7c1a11`,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8" },
        body,
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("x-ms-clitelem")).toBe("1,0,0,,");
    const form = emulator.requests.at(-1)?.form ?? {};
    expect(form["x-ms-lib-capability"]).toBe("retry-after, h429");
    expect(form["x-client-current-telemetry"]).toBe("5|771,2,,,|,");
    expect(form["x-client-last-telemetry"]).toBe("5|0|||0,0");
    expect(form["client_secret"]).toBe(SECRET);
  });

  it("accepts spaces as '+' (.NET, Python) and as '%20' (msal-node), and ignores client_info and unknown keys", async () => {
    const scope = "https%3A%2F%2Fgraph.microsoft.com%2F.default";
    for (const space of ["+", "%20"]) {
      const body = `client_id=${CLIENT}&client_secret=${encodeURIComponent(SECRET)}&scope=${scope}${space}openid${space}profile&grant_type=client_credentials&client_info=2&x-app-name=demo&unknown=1`;
      expect((await post(body)).status, space).toBe(200);
    }
  });

  it("accepts the content type without parameters, in any case", async () => {
    const body = new URLSearchParams({
      client_id: CLIENT,
      client_secret: SECRET,
      scope: "https://graph.microsoft.com/.default",
      grant_type: "client_credentials",
    });
    expect((await post(body.toString(), "Application/X-WWW-Form-Urlencoded")).status).toBe(200);
  });

  it("decodes components: '+', %XX as UTF-8, invalid escapes kept literally", () => {
    expect(decodeFormComponent("a+b%20c")).toBe("a b c");
    expect(decodeFormComponent("%C3%A9t%C3%A9")).toBe("été");
    expect(decodeFormComponent("100%")).toBe("100%");
    expect(decodeFormComponent("%zz%4")).toBe("%zz%4");
    expect(decodeFormComponent("ü|,")).toBe("ü|,");
  });

  it("parses pairs: first value of a repeated key wins, keys without '=' are empty, prototype keys are plain data", () => {
    const form = parseForm("a=1&a=2&flag&&=x&__proto__=p&constructor=c");
    expect(Object.entries(form)).toEqual([
      ["a", "1"],
      ["flag", ""],
      ["__proto__", "p"],
      ["constructor", "c"],
    ]);
    expect(Object.getPrototypeOf(form)).toBeNull();
    expect(parseForm("")["toString"]).toBeUndefined();
  });
});

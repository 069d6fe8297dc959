import { beforeAll, describe, expect, it } from "vitest";
import type { EntraEmulator } from "../../src/testing/index";
import {
  GUID,
  TENANT,
  TOKEN_URL,
  type TestCertificate,
  emulatorFor,
  generateCertificate,
  postForm,
  secretForm,
} from "./helpers";

let cert: TestCertificate;
let emulator: EntraEmulator;
const clock = Date.UTC(2023, 4, 6, 6, 3, 0, 250);
beforeAll(async () => {
  cert = generateCertificate();
  emulator = await emulatorFor(cert, { now: () => clock });
});

const CORRELATION = "5fc87507-4086-4e77-b415-cee677eb232e";

describe("Entra error bodies", () => {
  it("have exactly the fields, order and description format of docs/protocol.md §5.1", async () => {
    const response = await postForm(emulator, TOKEN_URL, secretForm({ client_secret: "wrong" }));
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store, no-cache");
    expect(response.headers.get("pragma")).toBe("no-cache");
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      "error",
      "error_description",
      "error_codes",
      "timestamp",
      "trace_id",
      "correlation_id",
      "error_uri",
    ]);
    const traceId = response.headers.get("x-ms-request-id");
    expect(traceId).toMatch(GUID);
    expect(body["trace_id"]).toBe(traceId);
    expect(body["correlation_id"]).toMatch(GUID);
    expect(body["timestamp"]).toBe("2023-05-06 06:03:00Z");
    expect(body["error_codes"]).toEqual([7000215]);
    expect(body["error_uri"]).toBe("https://login.microsoftonline.com/error?code=7000215");
    expect(body["error_description"]).toBe(
      `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '11111111-2222-3333-4444-555555555555'.\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${String(body["correlation_id"])}\r\nTimestamp: 2023-05-06 06:03:00Z`,
    );
  });

  it("use a fresh trace id per request", async () => {
    const a = await postForm(emulator, TOKEN_URL, secretForm({ client_secret: "wrong" }));
    const b = await postForm(emulator, TOKEN_URL, secretForm({ client_secret: "wrong" }));
    expect(a.headers.get("x-ms-request-id")).not.toBe(b.headers.get("x-ms-request-id"));
  });

  it("echo client-request-id from the query (msal-node), the header (MSAL.NET) or the body as correlation_id", async () => {
    const viaQuery = await postForm(
      emulator,
      `${TOKEN_URL}?client-request-id=${CORRELATION}`,
      secretForm({ client_secret: "wrong" }),
    );
    const viaHeader = await postForm(emulator, TOKEN_URL, secretForm({ client_secret: "wrong" }), {
      "client-request-id": CORRELATION,
    });
    const viaBody = await postForm(
      emulator,
      TOKEN_URL,
      secretForm({ client_secret: "wrong", "client-request-id": CORRELATION }),
    );
    for (const response of [viaQuery, viaHeader, viaBody]) {
      const body = (await response.json()) as { correlation_id: string; error_description: string };
      expect(body.correlation_id).toBe(CORRELATION);
      expect(body.error_description).toContain(`\r\nCorrelation ID: ${CORRELATION}\r\n`);
    }
    const notGuid = (await (
      await postForm(emulator, TOKEN_URL, secretForm({ client_secret: "wrong" }), {
        "client-request-id": "abc",
      })
    ).json()) as {
      correlation_id: string;
    };
    expect(notGuid.correlation_id).toMatch(GUID);
  });

  it("echo the client-request-id header only when return-client-request-id is true", async () => {
    const asked = await postForm(emulator, TOKEN_URL, secretForm(), {
      "client-request-id": CORRELATION,
      "return-client-request-id": "true",
    });
    expect(asked.headers.get("client-request-id")).toBe(CORRELATION);
    const notAsked = await postForm(emulator, TOKEN_URL, secretForm(), {
      "client-request-id": CORRELATION,
    });
    expect(notAsked.headers.get("client-request-id")).toBeNull();
  });

  it("send x-ms-clitelem when the client sent current telemetry", async () => {
    const withTelemetry = await postForm(emulator, TOKEN_URL, secretForm(), {
      "x-client-current-telemetry": "5|1004,2,,,|0,1,1,,,",
    });
    expect(withTelemetry.headers.get("x-ms-clitelem")).toBe("1,0,0,,");
    expect(
      (await postForm(emulator, TOKEN_URL, secretForm())).headers.get("x-ms-clitelem"),
    ).toBeNull();
  });

  it("build error_uri on the host the request was sent to", async () => {
    for (const origin of [
      "https://login.windows.net",
      "https://westeurope.login.microsoft.com",
      "http://127.0.0.1:8443",
    ]) {
      const body = (await (
        await postForm(
          emulator,
          `${origin}/${TENANT}/oauth2/v2.0/token`,
          secretForm({ client_secret: "wrong" }),
        )
      ).json()) as {
        error_uri: string;
      };
      expect(body.error_uri).toBe(`${origin}/error?code=7000215`);
    }
  });
});

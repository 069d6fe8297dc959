/**
 * What `emulator.fetch` does with one request: reads it, classifies its host and path, records
 * it, applies the first matching injected fault, answers it and completes the record.
 *
 * @module
 */

import { readClientAuthentication } from "./client-auth";
import { answerDiscovery } from "./discovery-answer";
import { createEnvelope } from "./envelope";
import type { Exchange } from "./exchange";
import type { FaultQueue } from "./fault-queue";
import { faultResponse } from "./fault-response";
import { faultType } from "./fault-types";
import { isFormContentType, parseForm } from "./form";
import { classifyHost } from "./hosts";
import { connectionFailure, sleep } from "./network";
import type { MutableRecordedRequest, RecordedRequest } from "./recording";
import { routeOf } from "./routes";
import type { EmulatorSettings } from "./settings";
import { answerToken } from "./token-answer";

/** The emulator state every request works with. */
export interface RequestContext {
  readonly settings: EmulatorSettings;
  readonly faultQueue: FaultQueue;
  /** The live array behind `emulator.requests`; each request is appended when it arrives. */
  readonly records: RecordedRequest[];
}

/** Dispatches by route: the token endpoint, discovery (`GET` only), else a bare 404. */
function answer(exchange: Exchange, settings: EmulatorSettings): Promise<Response> | Response {
  const { route, method, envelope } = exchange;
  if (route.kind === "token") return answerToken(exchange, settings);
  if (route.kind !== "other" && method === "GET")
    return answerDiscovery(exchange, settings.issuer.jwks);
  return new Response(null, { status: 404, headers: { "x-ms-request-id": envelope.traceId } });
}

/**
 * Handles one request to the emulator, as `fetch(input, init)` would send it. Rejects like a
 * failed fetch for unknown hosts and network faults, and with the signal's reason on abort.
 */
export async function handleRequest(
  context: RequestContext,
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
  const { settings, faultQueue, records } = context;
  const { now, directory } = settings;
  const request = new Request(input, init);
  const { signal } = request;
  if (signal.aborted) throw signal.reason;
  const url = new URL(request.url);
  const role = classifyHost(url, settings.adfsHost);
  const route =
    role.kind === "unknown"
      ? { kind: "other" as const, tenantSegment: undefined }
      : routeOf(url.pathname, role.kind === "adfs");
  const headers = new Headers(request.headers);
  const body = await request.text();
  const form = isFormContentType(headers.get("content-type")) ? parseForm(body) : {};
  const lookup =
    route.tenantSegment === undefined || role.kind === "adfs"
      ? undefined
      : directory.lookupTenant(route.tenantSegment);
  const record: MutableRecordedRequest = {
    method: request.method,
    url: url.href,
    host: url.host,
    path: url.pathname,
    tenant: route.tenantSegment,
    tenantId: lookup?.kind === "tenant" ? lookup.tenant.id : undefined,
    kind: route.kind,
    form,
    headers: Object.fromEntries(headers),
    clientId:
      route.kind === "token" ? readClientAuthentication(form, headers).clientId : form["client_id"],
    receivedAt: now(),
    grantedAt: undefined,
    status: undefined,
    fault: undefined,
  };
  // Recorded before anything can fail, so a test sees requests that got no answer too.
  records.push(record);
  if (role.kind === "unknown")
    throw connectionFailure("ENOTFOUND", `getaddrinfo ENOTFOUND ${url.hostname}`);

  const fault = faultQueue.take({
    kind: route.kind,
    host: url.host,
    tenant: route.tenantSegment,
    tenantId: record.tenantId,
  });
  if (fault) record.fault = faultType(fault);
  if (fault?.type === "network") throw connectionFailure("ECONNRESET", "read ECONNRESET");
  if (fault?.type === "delay") await sleep(fault.ms, signal);
  const envelope = createEnvelope(url, headers, form, now());
  const exchange: Exchange = {
    method: request.method,
    headers,
    url,
    role,
    route,
    lookup,
    form,
    envelope,
    record,
  };
  const response =
    fault && fault.type !== "delay"
      ? faultResponse(fault, envelope)
      : await answer(exchange, settings);
  // An abort during the answer wins over it, as with a real fetch.
  if (signal.aborted) throw signal.reason;
  record.status = response.status;
  return response;
}

/**
 * The emulated directory: tenants (by id or verified domain), app registrations with their
 * credentials and service principals, and the resources tokens may be issued for. Built once from
 * the emulator options, which it validates.
 *
 * @module
 */

import { isGuid } from "./envelope";
import { type RegisteredCertificate, registerCertificate } from "./certificate";
import type {
  EmulatorApp,
  EmulatorFederatedCredential,
  EmulatorTenant,
  EntraEmulatorOptions,
} from "./options";
import { fastHash128 } from "../internal/fast-hash";

/** A configured tenant. */
export interface DirectoryTenant {
  /** Lower-case tenant id. */
  readonly id: string;
  /** The directory name of error texts. */
  readonly name: string;
}

/** A configured app registration. */
export interface DirectoryApp {
  /** Lower-case client id. */
  readonly clientId: string;
  readonly secrets: readonly string[];
  readonly certificates: readonly RegisteredCertificate[];
  readonly federatedCredentials: readonly EmulatorFederatedCredential[];
  /** The configured service principal object id, if any. */
  readonly servicePrincipalId: string | undefined;
  /** Lower-case ids of the tenants holding a service principal. */
  readonly tenants: ReadonlySet<string>;
  readonly displayName: string | undefined;
  readonly roles: readonly string[];
}

/** What a tenant path segment names. */
export type TenantLookup =
  | { readonly kind: "tenant"; readonly tenant: DirectoryTenant }
  /** `common`, `organizations` or `consumers` (lower-cased). */
  | { readonly kind: "reserved"; readonly name: string }
  /** A well-formed GUID or DNS name that no tenant has: AADSTS90002. */
  | { readonly kind: "not-found" }
  /** Neither a GUID nor a DNS name: AADSTS900023. */
  | { readonly kind: "invalid" };

const RESERVED_TENANTS = new Set(["common", "organizations", "consumers"]);
const DNS_NAME =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** Whether `text` is a DNS name of at least two labels, as verified domains are. */
function isDnsName(text: string): boolean {
  return DNS_NAME.test(text);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function normaliseResource(resource: string): string {
  return resource.toLowerCase().replace(/\/$/, "");
}

/** Validates an app's federated credentials as Entra ID does (at most 20; an absolute issuer URL, a subject, audiences). */
function federatedCredentials(
  credentials: readonly EmulatorFederatedCredential[],
  clientId: string,
): EmulatorFederatedCredential[] {
  if (credentials.length > 20)
    throw new TypeError(`apps: app '${clientId}' has more than 20 federated credentials`);
  return credentials.map((credential, i) => {
    const where = `apps: federated credential ${i} of app '${clientId}'`;
    if (typeof credential.issuer !== "string" || !URL.canParse(credential.issuer))
      throw new TypeError(`${where}: issuer is not a URL`);
    if (typeof credential.subject !== "string" || credential.subject === "")
      throw new TypeError(`${where}: subject is empty`);
    const audiences = credential.audiences;
    if (
      audiences !== undefined &&
      (audiences.length === 0 || audiences.some((aud) => typeof aud !== "string" || aud === ""))
    )
      throw new TypeError(`${where}: audiences must be non-empty strings`);
    return {
      issuer: credential.issuer,
      subject: credential.subject,
      ...(audiences === undefined ? {} : { audiences: [...audiences] }),
    };
  });
}

/** The emulated directory. */
export class Directory {
  readonly #tenantsById = new Map<string, DirectoryTenant>();
  readonly #tenantsByDomain = new Map<string, DirectoryTenant>();
  readonly #apps = new Map<string, DirectoryApp>();
  readonly #adfsApps: ReadonlySet<string> | undefined;
  readonly #resources: ReadonlySet<string> | undefined;

  private constructor(options: EntraEmulatorOptions) {
    for (const entry of options.tenants)
      this.#addTenant(typeof entry === "string" ? { id: entry } : entry);
    this.#resources = options.resources && new Set(options.resources.map(normaliseResource));
    this.#adfsApps = options.adfs?.apps && new Set(options.adfs.apps.map((id) => id.toLowerCase()));
  }

  /** Validates `options` and imports every certificate; throws a `TypeError` naming the bad entry. */
  static async create(options: EntraEmulatorOptions): Promise<Directory> {
    const directory = new Directory(options);
    for (const app of options.apps) await directory.#addApp(app);
    for (const id of directory.#adfsApps ?? []) {
      if (!directory.#apps.has(id))
        throw new TypeError(`adfs.apps: '${id}' is not a configured app`);
    }
    return directory;
  }

  #addTenant(entry: EmulatorTenant): void {
    if (!isGuid(entry.id)) throw new TypeError(`tenants: '${entry.id}' is not a GUID tenant id`);
    const id = entry.id.toLowerCase();
    if (this.#tenantsById.has(id)) throw new TypeError(`tenants: '${id}' is configured twice`);
    const domains = (entry.domains ?? []).map((domain) => domain.toLowerCase());
    const tenant: DirectoryTenant = { id, name: entry.displayName ?? domains[0] ?? id };
    this.#tenantsById.set(id, tenant);
    for (const domain of domains) {
      if (!isDnsName(domain))
        throw new TypeError(`tenants: '${domain}' of tenant '${id}' is not a DNS name`);
      if (this.#tenantsByDomain.has(domain))
        throw new TypeError(`tenants: domain '${domain}' is configured twice`);
      this.#tenantsByDomain.set(domain, tenant);
    }
  }

  async #addApp(app: EmulatorApp): Promise<void> {
    if (!isGuid(app.clientId))
      throw new TypeError(`apps: '${app.clientId}' is not a GUID client id`);
    const clientId = app.clientId.toLowerCase();
    if (this.#apps.has(clientId)) throw new TypeError(`apps: '${clientId}' is configured twice`);
    const tenants = new Set(
      (app.tenants ?? [...this.#tenantsById.keys()]).map((id) => id.toLowerCase()),
    );
    for (const id of tenants) {
      if (!this.#tenantsById.has(id))
        throw new TypeError(`apps: tenant '${id}' of app '${clientId}' is not configured`);
    }
    const certificates = await Promise.all(
      (app.certificates ?? []).map((pem, i) =>
        registerCertificate(pem, `apps: certificate ${i} of app '${clientId}'`),
      ),
    );
    if (app.servicePrincipalId !== undefined && !isGuid(app.servicePrincipalId))
      throw new TypeError(`apps: servicePrincipalId of app '${clientId}' is not a GUID`);
    this.#apps.set(clientId, {
      clientId,
      secrets: [...(app.secrets ?? [])],
      certificates,
      federatedCredentials: federatedCredentials(app.federatedCredentials ?? [], clientId),
      servicePrincipalId: app.servicePrincipalId?.toLowerCase(),
      tenants,
      displayName: app.displayName,
      roles: [...(app.roles ?? [])],
    });
  }

  /**
   * Registers another certificate on the app `clientId` (as uploading one to the app
   * registration). Throws a `TypeError` for an unknown app or a certificate the emulator cannot
   * register.
   */
  async addCertificate(clientId: string, pem: string): Promise<void> {
    const app = this.#registeredApp(clientId);
    const added = await registerCertificate(
      pem,
      `addCertificate: certificate of app '${app.clientId}'`,
    );
    const known = app.certificates.some((certificate) =>
      sameBytes(certificate.sha256, added.sha256),
    );
    if (!known)
      this.#apps.set(app.clientId, { ...app, certificates: [...app.certificates, added] });
  }

  /**
   * Removes a certificate from the app `clientId` (as deleting its key credential): assertions
   * it signs get AADSTS700027 from then on. Returns whether it was registered.
   */
  async removeCertificate(clientId: string, pem: string): Promise<boolean> {
    const app = this.#registeredApp(clientId);
    const removed = await registerCertificate(
      pem,
      `removeCertificate: certificate of app '${app.clientId}'`,
    );
    const certificates = app.certificates.filter(
      (certificate) => !sameBytes(certificate.sha256, removed.sha256),
    );
    this.#apps.set(app.clientId, { ...app, certificates });
    return certificates.length < app.certificates.length;
  }

  #registeredApp(clientId: string): DirectoryApp {
    const app = this.#apps.get(String(clientId).toLowerCase());
    if (app === undefined) throw new TypeError(`'${clientId}' is not a configured app`);
    return app;
  }

  /** Lower-case ids of every configured tenant. */
  tenantIds(): string[] {
    return [...this.#tenantsById.keys()];
  }

  /** Resolves a tenant path segment (already percent-decoded). */
  lookupTenant(segment: string): TenantLookup {
    const lower = segment.toLowerCase();
    if (RESERVED_TENANTS.has(lower)) return { kind: "reserved", name: lower };
    if (isGuid(segment)) {
      const tenant = this.#tenantsById.get(lower);
      return tenant ? { kind: "tenant", tenant } : { kind: "not-found" };
    }
    if (!isDnsName(segment)) return { kind: "invalid" };
    const tenant = this.#tenantsByDomain.get(lower);
    return tenant ? { kind: "tenant", tenant } : { kind: "not-found" };
  }

  /** The app `clientId` if it has a service principal in `tenant` (or, for ADFS, is registered there). */
  findApp(clientId: string, tenant: DirectoryTenant | "adfs"): DirectoryApp | undefined {
    const app = this.#apps.get(clientId.toLowerCase());
    if (!app) return undefined;
    if (tenant === "adfs")
      return !this.#adfsApps || this.#adfsApps.has(app.clientId) ? app : undefined;
    return app.tenants.has(tenant.id) ? app : undefined;
  }

  /** Whether tokens may be issued for `resource` (always, when no `resources` option was given). */
  hasResource(resource: string): boolean {
    return !this.#resources || this.#resources.has(normaliseResource(resource));
  }

  /**
   * The object id of the app's service principal in `tenantKey`: derived from both, so it is
   * stable without the emulator keeping one entry per tenant it has served (a soak sends a
   * million), and the same in every emulator instance, so that a test can learn it (the `oid` of
   * a token) and name it as the subject of another app's federated credential.
   */
  servicePrincipalId(app: DirectoryApp, tenantKey: string): string {
    if (app.servicePrincipalId !== undefined) return app.servicePrincipalId;
    const hex = fastHash128(`service-principal/${app.clientId}/${tenantKey}`);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

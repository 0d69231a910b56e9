/**
 * The rendered Caddyfile against the real Caddy 2.6 of Debian 12.
 *
 * (a) The production Caddyfile (Origin CA TLS on 443) of every host of the example fleet passes
 *     `caddy validate`, with a throwaway self-signed certificate in place of the Origin CA one, and routes
 *     exactly the hostnames of the tenants it serves.
 * (b) Live, on loopback: the "loopback-http" rendering of a host with an active tenant with a custom domain,
 *     other active tenants, a suspended and a decommissioned one, in front of an app stand-in that answers
 *     with the X-Tenancy-Tenant header it got. Requests go to Caddy's port with explicit Host headers.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expand } from "../../expand";
import type { TenantModel } from "../../expand";
import { loadExample, manifestOf, type TenantEntry } from "../../testing/fixtures";
import {
  ACCESS_LOG_FILE,
  renderCaddyfile,
  SUSPENDED_PAGE,
  TENANT_HEADER,
  TLS_CERT_FILE,
  TLS_KEY_FILE,
} from "../caddyfile";
import { hostSpec, hostSpecs, type HostSpec } from "../spec";
import { selfSignedCertificate } from "../testing/certificates";
import {
  caddyEnv,
  runCaddy,
  startCaddy,
  startTenantEcho,
  validateCaddyfile,
  type Caddy,
  type CaddyLogEntry,
  type HttpResponse,
  type SeenRequest,
  type TenantEcho,
} from "../testing/caddy";

jest.setTimeout(60_000);

let tmp = "";
let certFile = "";
let keyFile = "";

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "tenancy-caddy-test-"));
  ({ certFile, keyFile } = selfSignedCertificate(tmp, "*.fieldcrew.app"));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The production Caddyfile of `host`, with the certificate, key and access log in the temp dir. */
function productionCaddyfile(host: HostSpec, cert = certFile, key = keyFile): string {
  const text = renderCaddyfile(host);
  // The renderer must use the paths the bundle installs; check before rewriting them.
  for (const expected of [TLS_CERT_FILE, TLS_KEY_FILE, ACCESS_LOG_FILE]) expect(text).toContain(expected);
  return text
    .split(TLS_CERT_FILE)
    .join(cert)
    .split(TLS_KEY_FILE)
    .join(key)
    .split(ACCESS_LOG_FILE)
    .join(path.join(tmp, `${host.name}-access.log`));
}

/** Every `host` matcher value in an adapted (JSON) Caddy config, wherever it sits. */
function hostMatchers(node: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) hostMatchers(item, found);
  } else if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "host" && Array.isArray(value)) {
        for (const name of value) if (typeof name === "string") found.add(name);
      } else {
        hostMatchers(value, found);
      }
    }
  }
  return found;
}

describe("(a) the production Caddyfile of every example host", () => {
  const hosts = hostSpecs(expand(loadExample()));

  it.each(hosts.map((host) => [host.name, host] as const))("%s passes `caddy validate`", (name, host) => {
    const file = path.join(tmp, `${name}.Caddyfile`);
    writeFileSync(file, productionCaddyfile(host));
    const result = validateCaddyfile(file);
    expect(result.output).toContain("Valid configuration");
    expect(result.code).toBe(0);
  });

  it.each(hosts.map((host) => [host.name, host] as const))(
    "%s routes exactly the hostnames of the tenants it serves",
    (name, host) => {
      const file = path.join(tmp, `${name}.adapt.Caddyfile`);
      writeFileSync(file, productionCaddyfile(host));
      const dir = mkdtempSync(path.join(tmp, "adapt-"));
      const result = runCaddy(["adapt", "--config", file, "--adapter", "caddyfile"], caddyEnv(dir));
      expect(result.code).toBe(0);
      const served = host.tenants.filter((tenant) => tenant.status !== "decommissioned");
      const expected = new Set(served.flatMap((tenant) => tenant.hostnames));
      expect([...hostMatchers(JSON.parse(result.stdout))].sort()).toEqual([...expected].sort());
    },
  );

  it("is really checked against the certificate: a missing one fails validation", () => {
    const [host] = hosts;
    if (!host) throw new Error("no example host");
    const file = path.join(tmp, "missing-cert.Caddyfile");
    writeFileSync(file, productionCaddyfile(host, path.join(tmp, "nope.pem"), path.join(tmp, "nope.key")));
    const result = validateCaddyfile(file);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/nope\.pem/);
  });
});

// ---------------------------------------------------------------------------------------------------
// (b) live, on loopback

const HOST = "shared-fsn1-a";
const TENANTS: TenantEntry[] = [
  { id: "alpha", plan: "starter", host: HOST, domains: ["portal.alpha-corp.example"] },
  { id: "bravo", plan: "hobby", host: HOST },
  { id: "charlie", plan: "hobby", host: HOST, status: "suspended" },
  { id: "delta", plan: "hobby", host: HOST, status: "decommissioned" },
  { id: "echo", plan: "starter", host: HOST },
];

function liveSpec(tenants: TenantEntry[] = TENANTS): HostSpec {
  const spec = hostSpec(expand(manifestOf(tenants)), HOST);
  if (!spec) throw new Error(`no host ${HOST} in the test manifest`);
  return spec;
}

describe("(b) live: the loopback-http Caddyfile in front of an app stand-in", () => {
  const spec = liveSpec();
  const tenant = (id: string): TenantModel => {
    const found = spec.tenants.find((t) => t.id === id);
    if (!found) throw new Error(`no tenant ${id}`);
    return found;
  };
  const active = spec.tenants.filter((t) => t.status === "active");
  let echo: TenantEcho | undefined;
  let caddy: Caddy | undefined;

  const running = (): { echo: TenantEcho; caddy: Caddy } => {
    if (!echo || !caddy) throw new Error("caddy or the app stand-in did not start");
    return { echo, caddy };
  };
  const seen = (response: HttpResponse): SeenRequest => JSON.parse(response.body) as SeenRequest;
  const reachedBackend = (host: string) =>
    running().echo.requests.filter((r) => r.host.toLowerCase().split(":")[0] === host.toLowerCase());

  beforeAll(async () => {
    echo = await startTenantEcho();
    const upstream = `127.0.0.1:${echo.port}`;
    caddy = await startCaddy({
      caddyfile: (ports) =>
        renderCaddyfile(spec, {
          listen: { kind: "loopback-http", port: ports.http, adminPort: ports.admin },
          upstream,
        }),
    });
  });

  afterAll(async () => {
    await caddy?.stop();
    await echo?.stop();
  });

  it("the test host has what the checks need", () => {
    expect(active.length).toBeGreaterThanOrEqual(3);
    expect(tenant("alpha").hostnames).toContain("portal.alpha-corp.example");
    expect(tenant("charlie").status).toBe("suspended");
    expect(tenant("delta").status).toBe("decommissioned");
  });

  it("routes every hostname of every active tenant (custom domain too) to the app with its tenant header", async () => {
    const { caddy } = running();
    const results: { host: string; status: number; tenant?: string; seenHost?: string }[] = [];
    const expected: typeof results = [];
    for (const t of active) {
      for (const name of t.hostnames) {
        const response = await caddy.get(name, `/probe/${t.id}`);
        const body = response.status === 200 ? seen(response) : undefined;
        results.push({ host: name, status: response.status, tenant: body?.tenant, seenHost: body?.host });
        expected.push({ host: name, status: 200, tenant: t.id, seenHost: name });
      }
    }
    expect(results).toEqual(expected);
    expect(results.some((r) => r.host === "portal.alpha-corp.example")).toBe(true);
  });

  it("matches the Host case-insensitively and with a port", async () => {
    const { caddy } = running();
    const response = await caddy.get(`BRAVO.example.com:${caddy.ports.http}`);
    expect(response.status).toBe(200);
    expect(seen(response).tenant).toBe("bravo");
  });

  it("overwrites an X-Tenancy-Tenant header sent by the client", async () => {
    const { caddy } = running();
    const alphaHost = tenant("alpha").hostnames[0] ?? "";
    for (const header of [TENANT_HEADER, TENANT_HEADER.toLowerCase()]) {
      const response = await caddy.get(alphaHost, "/spoof", { [header]: "bravo" });
      expect(response.status).toBe(200);
      expect(seen(response).tenant).toBe("alpha");
    }
  });

  it("answers an unknown Host with 404 without reaching the app", async () => {
    const { caddy } = running();
    for (const host of [
      "unknown.example.com",
      "example.com",
      "127.0.0.1",
      "alpha.example.com.evil.example",
    ]) {
      const response = await caddy.get(host, "/");
      expect({ host, status: response.status }).toEqual({ host, status: 404 });
      expect(reachedBackend(host)).toEqual([]);
    }
  });

  it("shows the suspended page (403) to a suspended tenant without reaching the app", async () => {
    const { caddy } = running();
    for (const host of tenant("charlie").hostnames) {
      const response = await caddy.get(host, "/dashboard");
      expect(response.status).toBe(403);
      expect(response.body).toBe(SUSPENDED_PAGE);
      expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(reachedBackend(host)).toEqual([]);
    }
  });

  it("answers a decommissioned tenant with 404 without reaching the app", async () => {
    const { caddy } = running();
    for (const host of tenant("delta").hostnames) {
      const response = await caddy.get(host, "/");
      expect(response.status).toBe(404);
      expect(reachedBackend(host)).toEqual([]);
    }
  });

  describe("access log", () => {
    /** The tenant a Host belongs to, among those Caddy serves (a decommissioned one falls to the 404 site). */
    const tenantOfHost = (host: string) =>
      spec.tenants.find(
        (t) => t.status !== "decommissioned" && t.hostnames.includes(host.toLowerCase().split(":")[0] ?? ""),
      )?.id;
    /** The tenant Caddy resolved: the response header it sets (the request is logged as the client sent it). */
    const logged = (entry: CaddyLogEntry) => entry.resp_headers?.[TENANT_HEADER];

    beforeAll(async () => {
      // One request of each kind, whatever ran before.
      const { caddy } = running();
      for (const t of spec.tenants) await caddy.get(t.hostnames[0] ?? "", "/logged");
      await caddy.get(tenant("bravo").hostnames[0] ?? "", "/logged-spoof", { [TENANT_HEADER]: "echo" });
      // Caddy writes the access line after the response: give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 300));
    });

    it("is JSON, one object a line, with host, status and request headers", () => {
      const { caddy } = running();
      const access = caddy.accessLog();
      expect(access.length).toBeGreaterThanOrEqual(spec.tenants.length);
      for (const entry of access) {
        expect(typeof entry.ts).toBe("number");
        expect(typeof entry.status).toBe("number");
        expect(typeof entry.request?.host).toBe("string");
        expect(typeof entry.request?.headers).toBe("object");
      }
    });

    // Caddy 2.6 logs the request as the client sent it, before `request_header` changed it; the tenant is
    // read from the response header Caddy sets, which a client cannot forge.
    it("carries the tenant header (the one Caddy set, not one the client sent) on every tenant's line", () => {
      const { caddy } = running();
      const lines = caddy
        .accessLog()
        .filter((entry) => tenantOfHost(entry.request?.host ?? "") !== undefined)
        .map((entry) => ({
          host: entry.request?.host,
          uri: entry.request?.uri,
          tenant: logged(entry),
        }));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines).toEqual(lines.map((line) => ({ ...line, tenant: [tenantOfHost(line.host ?? "")] })));
    });
  });

  describe("reload", () => {
    it("a config where the suspended tenant is active again takes effect without a restart", async () => {
      const { caddy, echo } = running();
      const reactivated = liveSpec(TENANTS.map((t) => (t.id === "charlie" ? { ...t, status: "active" } : t)));
      const file = path.join(caddy.dir, "Caddyfile.next");
      writeFileSync(
        file,
        renderCaddyfile(reactivated, {
          listen: { kind: "loopback-http", port: caddy.ports.http, adminPort: caddy.ports.admin },
          upstream: `127.0.0.1:${echo.port}`,
        }),
      );
      const result = caddy.reload(file);
      expect(result.code).toBe(0);
      const response = await caddy.get(tenant("charlie").hostnames[0] ?? "", "/back");
      expect(response.status).toBe(200);
      expect(seen(response).tenant).toBe("charlie");
    });
  });

  it("holds a request while the app restarts, and passes it on once the app listens again (no 502)", async () => {
    const { caddy, echo: before } = running();
    await before.stop();
    const started = Date.now();
    const pending = caddy.get(tenant("alpha").hostname, "/during-restart");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    echo = await startTenantEcho(before.port);
    const response = await pending;
    expect(response.status).toBe(200);
    expect(seen(response)).toMatchObject({ tenant: "alpha", url: "/during-restart" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);

    // With no app at all, the wait ends and Caddy answers 502.
    await running().echo.stop();
    expect((await caddy.get(tenant("bravo").hostname, "/no-app")).status).toBe(502);
    echo = await startTenantEcho(before.port);
  }, 60_000);
});

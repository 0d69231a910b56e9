/**
 * The host's Caddyfile: one site per tenant with all its hostnames, TLS with the host's Cloudflare Origin
 * CA certificate, proxying to the app with the tenant's id in a header; a suspended page for suspended
 * tenants; nothing for decommissioned ones; 404 for any other Host. JSON access logs carry the tenant
 * in the X-Tenancy-Tenant response header (Caddy 2.6 logs requests as the client sent them).
 */
import { isServed } from "../expand";
import type { HostSpec } from "./spec";

export const TLS_CERT_FILE = "/etc/tenancy/tls/origin.pem";
export const TLS_KEY_FILE = "/etc/tenancy/tls/origin.key";
export const ACCESS_LOG_FILE = "/var/log/caddy/tenancy-access.log";
/** Set by Caddy on every proxied request (any value the client sent is replaced). */
export const TENANT_HEADER = "X-Tenancy-Tenant";

export interface CaddyOptions {
  /**
   * "origin-tls": production, HTTPS on 443 with the Origin CA certificate. "loopback-http": for tests,
   * plain HTTP on one loopback port, the same routing.
   */
  listen: { kind: "origin-tls" } | { kind: "loopback-http"; port: number; adminPort: number };
  /** Where the app listens; defaults to the app's port on loopback. */
  upstream?: string;
}

export const SUSPENDED_PAGE = [
  "<!doctype html>",
  '<html lang="en"><head><meta charset="utf-8"><title>Account suspended</title></head>',
  "<body><h1>This account is suspended</h1>",
  "<p>The workspace at this address is suspended. Its data is kept. Please contact support to restore access.</p>",
  "</body></html>",
].join("");

/** How long a request waits for the app to listen again after a restart, before Caddy answers 502. */
export const APP_RESTART_GRACE = "15s";

export function renderCaddyfile(
  host: HostSpec,
  options: CaddyOptions = { listen: { kind: "origin-tls" } },
): string {
  const { listen } = options;
  const tls = listen.kind === "origin-tls";
  const scheme = tls ? "https://" : "http://";
  const upstream = options.upstream ?? `127.0.0.1:${host.app.port}`;
  const global =
    listen.kind === "origin-tls"
      ? [
          "\tadmin localhost:2019",
          "\t# Certificates come from Cloudflare's Origin CA (below); Caddy must never try to get its own.",
          "\tauto_https off",
        ]
      : [
          `\tadmin 127.0.0.1:${listen.adminPort}`,
          "\tauto_https off",
          `\thttp_port ${listen.port}`,
          "\tdefault_bind 127.0.0.1",
        ];
  const common = tls
    ? [
        `\ttls ${TLS_CERT_FILE} ${TLS_KEY_FILE}`,
        `\tlog {`,
        `\t\toutput file ${ACCESS_LOG_FILE} {`,
        `\t\t\troll_size 50MiB`,
        `\t\t\troll_keep 10`,
        `\t\t}`,
        `\t\tformat json`,
        `\t}`,
      ]
    : ["\tlog {", "\t\toutput stderr", "\t\tformat json", "\t}"];

  const out: string[] = [
    `# tenancy: Caddy on ${host.name}. Rendered from tenants.yaml; do not edit on the host.`,
    "{",
    ...global,
    "}",
    "",
    "(tenancy_site) {",
    ...common,
    "\tencode gzip",
    "}",
  ];
  for (const tenant of host.tenants) {
    if (!isServed(tenant.status)) continue;
    out.push("", `# ${tenant.id}: ${tenant.plan}, ${tenant.status}`);
    out.push(`${tenant.hostnames.map((name) => `${scheme}${name}`).join(", ")} {`);
    // The request header tells the app; the response header puts the tenant in the access log (Caddy 2.6
    // logs requests as the client sent them, so only the response shows the tenant).
    out.push(
      "\timport tenancy_site",
      `\trequest_header ${TENANT_HEADER} ${tenant.id}`,
      `\theader ${TENANT_HEADER} ${tenant.id}`,
    );
    if (tenant.status === "suspended") {
      out.push(`\theader Content-Type "text/html; charset=utf-8"`, `\trespond \`${SUSPENDED_PAGE}\` 403`);
    } else {
      // While the app restarts (an apply, a reboot) nothing listens for a moment: Caddy retries the
      // connection for a while instead of answering 502 at once.
      out.push(
        `\treverse_proxy ${upstream} {`,
        `\t\tlb_try_duration ${APP_RESTART_GRACE}`,
        "\t\tlb_try_interval 250ms",
        "\t}",
      );
    }
    out.push("}");
  }
  out.push(
    "",
    "# Any other Host: no such tenant on this host.",
    tls ? ":443 {" : `${scheme} {`,
    "\timport tenancy_site",
    `\trespond "no such tenant" 404`,
    "}",
  );
  if (tls) {
    out.push(
      "",
      "# Cloudflare connects over HTTPS; plain HTTP only ever gets a redirect.",
      ":80 {",
      "\tredir https://{host}{uri} 308",
      "}",
    );
  }
  return `${out.join("\n")}\n`;
}

/**
 * The host's Cloudflare Origin CA certificate for the zone and its wildcard: Cloudflare trusts it under
 * SSL "strict", and nothing else does, which is fine because only Cloudflare may reach the host.
 */
import * as cloudflare from "@pulumi/cloudflare";
import type * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { ServerResourceNames } from "../infra/expand";

/**
 * Cloudflare offers 7, 30, 90, 365, 730, 1095 or 5475 days (terraform-provider-cloudflare v5
 * internal/services/origin_ca_certificate/schema.go). Nothing renews the certificate, so the longest:
 * only Cloudflare trusts it and only Cloudflare may reach the host; rotation is in docs/deploy.md.
 */
export const ORIGIN_CERT_VALIDITY_DAYS = 5475;

export function originHostnames(zone: string): string[] {
  return [zone, `*.${zone}`];
}

/**
 * The certificate and its key. `hostnames` defaults to the zone and its wildcard (a host's); a
 * containerized tenant's names only its own hostnames in the zone.
 */
export function createOriginCertificate(
  names: Pick<ServerResourceNames, "originKey" | "originCsr" | "originCertificate">,
  zone: string,
  parent: pulumi.Resource,
  hostnames: string[] = originHostnames(zone),
) {
  const key = new tls.PrivateKey(names.originKey, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent });
  const csr = new tls.CertRequest(
    names.originCsr,
    {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName: hostnames[0] ?? zone, organization: "tenancy" },
    },
    { parent },
  );
  const certificate = new cloudflare.OriginCaCertificate(
    names.originCertificate,
    {
      csr: csr.certRequestPem,
      hostnames,
      requestType: "origin-ecc",
      requestedValidity: ORIGIN_CERT_VALIDITY_DAYS,
    },
    { parent },
  );
  return { certificate: certificate.certificate, privateKey: key.privateKeyPem };
}

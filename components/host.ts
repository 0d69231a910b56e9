/**
 * Building one host, whichever the tier: server, certificate, backup account, origin DNS, the tenants'
 * edge resources, and the bundle shipped to it. SharedHost and DedicatedTenant are thin wrappers.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { isServed, type TenantModel } from "../infra/expand";
import {
  bundleHash,
  hostSecrets,
  renderBundle,
  renderUserData,
  scramVerifierAsync,
  STORAGE_BOX_SFTP_PORT,
  type HostSpec,
} from "../infra/host";
import type { HostingProps } from "../policies/config";
import type { HostBackup } from "./backup-target";
import type { HostingContext } from "./context";
import { createHostApply } from "./host-apply";
import { createHostServer, statefulOptions, type HostServer } from "./host-server";
import { createOriginCertificate } from "./origin-certificate";
import { createOriginRecords } from "./tenant-edge";

export interface TenantEndpoint {
  url: string;
  host: string;
  ipv4: pulumi.Output<string>;
  ipv6: pulumi.Output<string>;
  /** postgresql://… with the password: secret. */
  databaseUrl: pulumi.Output<string>;
}

/**
 * What a host component registers as its inputs (and outputs): its tenants with what their plans grant
 * them, as the manifest asks. The policy pack reads them at preview time and checks them against the
 * policy config; the type is the pack's, so the two cannot drift.
 */
export function hostingProps(spec: HostSpec): HostingProps {
  return {
    tier: spec.tier,
    serverType: spec.server.serverType,
    maintenanceWindow: spec.server.maintenanceWindow,
    tenants: spec.tenants.map((t) => ({
      id: t.id,
      plan: t.plan,
      status: t.status,
      hostnames: t.hostnames,
      customDomains: t.customDomains,
      // "" for none: a component's props keep no undefined.
      residency: t.residency ?? "",
      maintenanceWindow: t.maintenanceWindow ?? "",
    })),
  };
}

export interface BuiltHost {
  server: HostServer;
  tenants: Record<string, TenantEndpoint>;
  /** Where its backups go, registered as an output for the residency policy. */
  backupTarget: HostBackup["target"];
}

export function buildHost(
  spec: HostSpec,
  context: HostingContext,
  parent: pulumi.ComponentResource,
): BuiltHost {
  const names = spec.server.names;
  const zone = { name: context.zone, id: context.zoneId };
  const authorizedKeys = pulumi
    .all([context.deployKey.publicKeyOpenssh, context.adminSshKeys])
    .apply(([deploy, admins]) => [deploy.trim(), ...admins.map((key) => key.publicKey.trim())]);

  const server = createHostServer(
    {
      server: spec.server,
      holdsData: spec.holdsData,
      adminCidrs: context.adminCidrs,
      adminSshKeyIds: pulumi.output(context.adminSshKeys).apply((keys) => keys.map((key) => key.id)),
      userData: (volumeDevice) =>
        pulumi
          .all([authorizedKeys, volumeDevice])
          .apply(([keys, device]) => renderUserData(spec, { sshAuthorizedKeys: keys, volumeDevice: device })),
    },
    parent,
  );
  const origin = createOriginCertificate(names, context.zone, parent);
  const backup = context.backups.forHost(spec.server, parent);
  // The host's own repository key: without it, none of the host's backups can be read, and the value
  // exists only in the stack's state and on the host. Every input of a RandomPassword forces a new value
  // (no keepers, so nothing else does); protected while the host holds data, a change to them fails the
  // deploy instead. Letters and digits: restic.env holds it as it is.
  const repositoryKey = new random.RandomPassword(
    names.backupKey,
    { length: 40, special: false },
    { parent, ...statefulOptions(spec.holdsData) },
  );
  createOriginRecords(
    spec.server.hetznerName,
    zone,
    { ipv4: server.server.ipv4Address, ipv6: server.server.ipv6Address },
    names,
    parent,
  );

  // The tenants' DNS records and custom hostnames are the zone's (ZoneEdge, in the shared stack); the
  // host's own origin records above are the name they point at.
  const passwords: Record<string, pulumi.Output<string>> = {};
  const tenants: Record<string, TenantEndpoint> = {};
  for (const tenant of spec.tenants) {
    passwords[tenant.id] = context.tenantPassword(tenant);
    if (isServed(tenant.status)) tenants[tenant.id] = endpoint(tenant, spec, server, passwords[tenant.id]!);
  }

  const bundle = pulumi
    .all([
      pulumi.all(passwords),
      origin.certificate,
      origin.privateKey,
      repositoryKey.result,
      context.oldBackupPassword,
      backup.repository,
      // The transport's credential: a Storage Box sub-account's SFTP login, or a bucket's access key.
      pulumi.all([backup.sftp, backup.s3]),
      context.alertWebhookUrl,
    ])
    .apply(
      async ([
        dbPasswords,
        certificate,
        key,
        resticPassword,
        oldPassword,
        repository,
        transport,
        alertUrl,
      ]) => {
        const dbVerifiers = await verifiers(spec.tenants, dbPasswords);
        const [sftp, s3] = transport;
        return renderBundle(
          spec,
          hostSecrets({
            dbPasswords,
            dbVerifiers,
            resticPassword,
            ...(oldPassword === undefined ? {} : { resticOldPassword: oldPassword }),
            resticRepository: repository,
            ...(sftp === undefined
              ? {}
              : {
                  backupSftp: {
                    server: sftp.server,
                    password: sftp.password,
                    port: STORAGE_BOX_SFTP_PORT,
                    hostKeys: context.storageBoxHostKeys,
                  },
                }),
            ...(s3 === undefined ? {} : { backupS3: s3 }),
            originCertificate: certificate,
            originKey: key,
            // Unset or empty (tenancy:alertWebhookUrl's default): no webhook, the hosts only log.
            ...(alertUrl ? { alertWebhookUrl: alertUrl } : {}),
          }),
        );
      },
    );
  createHostApply(
    names.hostApply,
    {
      address: server.server.ipv4Address,
      privateKey: context.deployKey.privateKeyOpenssh,
      bundle: bundle.apply((b) => JSON.stringify(b)),
      // A SHA-256 of the bundle reveals nothing of its secrets; in the clear, a preview shows which hosts
      // will be re-applied.
      bundleHash: pulumi.unsecret(bundle.apply(bundleHash)),
    },
    { parent, dependsOn: [server.attachment] },
  );
  return { server, tenants, backupTarget: backup.target };
}

/** Every tenant's SCRAM verifier, derived in parallel (4096 PBKDF2 rounds each). */
async function verifiers(
  tenants: TenantModel[],
  passwords: Record<string, string>,
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    tenants.map(async (t) => [t.id, await scramVerifierAsync(t.database.role, passwords[t.id]!)] as const),
  );
  return Object.fromEntries(entries);
}

function endpoint(
  tenant: TenantModel,
  spec: HostSpec,
  server: HostServer,
  password: pulumi.Output<string>,
): TenantEndpoint {
  const { name, role } = tenant.database;
  return {
    url: `https://${tenant.hostname}`,
    host: spec.name,
    ipv4: server.server.ipv4Address,
    ipv6: server.server.ipv6Address,
    databaseUrl: pulumi.secret(pulumi.interpolate`postgresql://${role}:${password}@127.0.0.1:5432/${name}`),
  };
}

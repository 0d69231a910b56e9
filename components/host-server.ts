/**
 * A Hetzner server with what makes it a tenancy host: primary IPv4 and IPv6 that outlive the server, a
 * firewall that admits the web only from Cloudflare and SSH only from the admins, and a data volume.
 * Shared by SharedHost and DedicatedTenant.
 */
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import type { ServerModel } from "../infra/expand";
import { CLOUDFLARE_RANGES } from "../infra/edge/cloudflare";

/** Each of these forces a new server at Hetzner; a new server means a new disk, so they are never updated. */
export const SERVER_REPLACING_FIELDS = ["userData", "sshKeys", "image", "location"];

/** What no change to tenants.yaml may destroy: Pulumi refuses to delete it, and forgets it rather than delete. */
export const STATEFUL: pulumi.CustomResourceOptions = { protect: true, retainOnDelete: true };

/**
 * A server's volume and addresses: protected while they hold a tenant's data. Once every tenant on the
 * server is purged, protect is lifted (retainOnDelete stays), so that removing the server from the
 * manifest forgets them, kept at Hetzner, instead of stopping the deploy half-way on a protected resource
 * after the server itself was deleted.
 */
export function statefulOptions(holdsData: boolean): pulumi.CustomResourceOptions {
  return holdsData ? STATEFUL : { protect: false, retainOnDelete: true };
}

export interface HostServerArgs {
  server: ServerModel;
  /** Whether the server holds any tenant's data (HostSpec.holdsData). */
  holdsData: boolean;
  adminCidrs: string[];
  adminSshKeyIds: pulumi.Input<number[]>;
  /** cloud-init user-data, which needs the volume's device path. */
  userData: (volumeDevice: pulumi.Output<string>) => pulumi.Input<string>;
}

export interface HostServer {
  server: hcloud.Server;
  ipv4: hcloud.PrimaryIp;
  ipv6: hcloud.PrimaryIp;
  volume: hcloud.Volume;
  firewall: hcloud.Firewall;
  attachment: hcloud.VolumeAttachment;
}

export function firewallRules(adminCidrs: string[]): hcloud.types.input.FirewallRule[] {
  const web = (port: string) => ({
    description: `HTTP${port === "443" ? "S" : ""} from Cloudflare only`,
    direction: "in",
    protocol: "tcp",
    port,
    sourceIps: [...CLOUDFLARE_RANGES],
  });
  return [
    web("80"),
    web("443"),
    {
      description: "SSH from the admin networks",
      direction: "in",
      protocol: "tcp",
      port: "22",
      sourceIps: adminCidrs,
    },
  ];
}

export function createHostServer(args: HostServerArgs, parent: pulumi.Resource): HostServer {
  const { server: model } = args;
  const names = model.names;
  const opts = { parent };
  // The policy pack reads holds-data: an unprotected volume must say it holds nobody's data.
  const labels = args.holdsData ? model.labels : { ...model.labels, "holds-data": "false" };
  const stateful = statefulOptions(args.holdsData);
  const primaryIp = (name: string, type: "ipv4" | "ipv6") =>
    new hcloud.PrimaryIp(
      name,
      {
        name: `${model.hetznerName}-${type}`,
        type,
        location: model.location,
        // No assigneeType: without an assigneeId the provider warns that it is unused
        // (terraform-provider-hcloud internal/primaryip/resource.go ValidateConfig); the server takes the
        // address through its publicNets.
        // The address must outlive the server: DNS and allow-lists point at it.
        autoDelete: false,
        deleteProtection: true,
        labels,
      },
      { ...opts, ...stateful },
    );
  const ipv4 = primaryIp(names.ipv4, "ipv4");
  const ipv6 = primaryIp(names.ipv6, "ipv6");
  const firewall = new hcloud.Firewall(
    names.firewall,
    { name: model.hetznerName, rules: firewallRules(args.adminCidrs), labels },
    opts,
  );
  const volume = new hcloud.Volume(
    names.volume,
    {
      name: `${model.hetznerName}-data`,
      size: model.volumeGb,
      location: model.location,
      format: "ext4",
      // Mounted by device from cloud-init: automount breaks when an attachment is re-created.
      automount: false,
      deleteProtection: true,
      labels,
    },
    { ...opts, ...stateful },
  );
  const server = new hcloud.Server(
    names.server,
    {
      name: model.hetznerName,
      serverType: model.serverType,
      image: model.image,
      location: model.location,
      backups: model.serverBackups,
      sshKeys: pulumi.output(args.adminSshKeyIds).apply((ids) => ids.map(String)),
      userData: args.userData(volume.linuxDevice),
      publicNets: [{ ipv4: ipv4.id.apply(Number), ipv6: ipv6.id.apply(Number) }],
      firewallIds: [firewall.id.apply(Number)],
      deleteProtection: true,
      rebuildProtection: true,
      labels,
    },
    { ...opts, ignoreChanges: SERVER_REPLACING_FIELDS },
  );
  const attachment = new hcloud.VolumeAttachment(
    names.volumeAttachment,
    { serverId: server.id.apply(Number), volumeId: volume.id.apply(Number), automount: false },
    opts,
  );
  return { server, ipv4, ipv6, volume, firewall, attachment };
}

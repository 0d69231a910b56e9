/**
 * DedicatedTenant (`tenancy:hosting:DedicatedTenant`): one tenant on its own server, with the plan's
 * server type, location and Hetzner backups, and the tenant's own app image.
 */
import * as pulumi from "@pulumi/pulumi";
import type { DedicatedTenantModel } from "../infra/expand";
import type { HostSpec } from "../infra/host";
import { hetznerServerType } from "../infra/plans";
import type { HostingContext } from "./context";
import { buildHost, hostingProps, type TenantEndpoint } from "./host";

export interface DedicatedTenantArgs {
  tenant: DedicatedTenantModel;
  spec: HostSpec;
  context: HostingContext;
}

export class DedicatedTenant extends pulumi.ComponentResource {
  readonly tenantId: string;
  readonly ipv4: pulumi.Output<string>;
  readonly ipv6: pulumi.Output<string>;
  /** Absent while the server is not serving its tenant (a move's target, a kept copy, decommissioned). */
  readonly endpoint: TenantEndpoint | undefined;

  constructor(name: string, args: DedicatedTenantArgs, opts?: pulumi.ComponentResourceOptions) {
    // Refused before anything is registered.
    checkDedicatedTenantArgs(name, args);
    super("tenancy:hosting:DedicatedTenant", name, hostingProps(args.spec), opts);
    const built = buildHost(args.spec, args.context, this);
    this.tenantId = args.tenant.id;
    this.ipv4 = built.server.server.ipv4Address;
    this.ipv6 = built.server.server.ipv6Address;
    this.endpoint = built.tenants[args.tenant.id];
    // The hosting props as outputs too: stack policies see a component's outputs, not its inputs.
    this.registerOutputs({
      ...hostingProps(args.spec),
      backupTarget: built.backupTarget,
      ipv4: built.server.server.ipv4Address,
      ipv6: built.server.server.ipv6Address,
      ...(this.endpoint ? { url: this.endpoint.url } : {}),
    });
  }
}

function checkDedicatedTenantArgs(name: string, { tenant, spec }: DedicatedTenantArgs): void {
  const fail = (message: string): never => {
    throw new Error(`DedicatedTenant ${name} (tenant "${tenant.id}"): ${message}`);
  };
  if (tenant.id !== name || spec.name !== name) fail(`tenant model and spec must be for "${name}"`);
  if (!tenant.server.serverType) fail("has no server type");
  if (!hetznerServerType(tenant.server.serverType)) fail(`unknown server type "${tenant.server.serverType}"`);
  if (!tenant.server.location) fail("has no location");
  if (!tenant.appImage) fail("has no app image");
  // A purged tenant's server holds nobody's data any more, until it leaves the manifest.
  if (spec.tenants.length > 1 || (spec.tenants.length === 1 && spec.tenants[0]?.id !== tenant.id))
    fail("spec must hold this tenant only");
}

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
  readonly endpoint: TenantEndpoint;

  constructor(name: string, args: DedicatedTenantArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tenancy:hosting:DedicatedTenant", name, hostingProps(args.spec), opts);
    checkDedicatedTenantArgs(name, args);
    const built = buildHost(args.spec, args.context, this);
    this.endpoint = built.tenants[args.tenant.id]!;
    // The hosting props as outputs too: stack policies see a component's outputs, not its inputs.
    this.registerOutputs({
      ...hostingProps(args.spec),
      url: this.endpoint.url,
      ipv4: this.endpoint.ipv4,
      ipv6: this.endpoint.ipv6,
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
  if (spec.tenants.length !== 1 || spec.tenants[0]?.id !== tenant.id)
    fail("spec must hold exactly this tenant");
}

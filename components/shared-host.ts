/**
 * SharedHost (`tenancy:hosting:SharedHost`): one server for many small tenants behind one app instance.
 */
import * as pulumi from "@pulumi/pulumi";
import type { SharedHostModel } from "../infra/expand";
import type { HostSpec } from "../infra/host";
import type { HostingContext } from "./context";
import { buildHost, hostingProps, type TenantEndpoint } from "./host";

export interface SharedHostArgs {
  host: SharedHostModel;
  spec: HostSpec;
  context: HostingContext;
}

export class SharedHost extends pulumi.ComponentResource {
  readonly tenants: Record<string, TenantEndpoint>;
  readonly ipv4: pulumi.Output<string>;
  readonly ipv6: pulumi.Output<string>;

  constructor(name: string, args: SharedHostArgs, opts?: pulumi.ComponentResourceOptions) {
    // Refused before anything is registered.
    checkSharedHostArgs(name, args);
    super("tenancy:hosting:SharedHost", name, hostingProps(args.spec), opts);
    const built = buildHost(args.spec, args.context, this);
    this.tenants = built.tenants;
    this.ipv4 = built.server.server.ipv4Address;
    this.ipv6 = built.server.server.ipv6Address;
    // The hosting props as outputs too: stack policies see a component's outputs, not its inputs.
    this.registerOutputs({
      ...hostingProps(args.spec),
      backupTarget: built.backupTarget,
      ipv4: this.ipv4,
      ipv6: this.ipv6,
    });
  }
}

function checkSharedHostArgs(name: string, { host, spec }: SharedHostArgs): void {
  const fail = (message: string): never => {
    throw new Error(`SharedHost ${name}: ${message}`);
  };
  if (host.name !== name || spec.name !== name) fail(`host model and spec must be for "${name}"`);
  if (spec.tier !== "shared") fail(`spec is for the ${spec.tier} tier`);
  if (host.capacityUsed > host.capacityUnits) {
    fail(`over capacity: ${host.capacityUsed} of ${host.capacityUnits} units used`);
  }
  for (const tenant of host.tenants) {
    if (tenant.tier !== "shared") fail(`tenant ${tenant.id} is not a shared tenant`);
    if (tenant.host !== name) fail(`tenant ${tenant.id} is placed on ${tenant.host}, not here`);
  }
}

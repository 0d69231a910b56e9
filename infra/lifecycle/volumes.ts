/** Volumes only grow: never ask Hetzner for less than what a server's volume already has. */
import type { FleetModel } from "../expand";
import type { FleetState } from "./state";

export function withDeployedVolumes(model: FleetModel, previous: FleetState | undefined): FleetModel {
  if (!previous) return model;
  const grown = <T extends { server: { volumeGb: number } }>(item: T, name: string): T => {
    const deployed = previous.volumes[name] ?? 0;
    return deployed > item.server.volumeGb
      ? { ...item, server: { ...item.server, volumeGb: deployed } }
      : item;
  };
  return {
    ...model,
    shared: { ...model.shared, hosts: model.shared.hosts.map((host) => grown(host, host.name)) },
    dedicated: {
      ...model.dedicated,
      tenants: model.dedicated.tenants.map((t) => grown(t, t.id)),
      incoming: model.dedicated.incoming.map((t) => grown(t, t.id)),
      retained: model.dedicated.retained.map((t) => grown(t, t.id)),
    },
  };
}

/**
 * `tenancy place`: pins unplaced shared tenants to hosts, first fit by capacity units in the tenant's
 * location, in manifest order. A placed tenant never moves. When no host has room, a new host is proposed.
 * With --write the edits go into tenants.yaml as text insertions, so comments and layout stay as they were.
 */
import { isMap, isScalar, isSeq, type Node, type Pair } from "yaml";
import { parseManifest, type LoadedManifest } from "../manifest";
import { HETZNER_SERVER_TYPES, sharedHostCapacity, type HetznerLocation } from "../plans";

export interface Placement {
  /** Index of the tenant in `tenants:`. */
  index: number;
  tenant: string;
  host: string;
  units: number;
}

export interface ProposedHost {
  name: string;
  location: HetznerLocation;
  serverType: string;
  capacityUnits: number;
}

export interface PlacementPlan {
  placements: Placement[];
  newHosts: ProposedHost[];
}

/** Server type proposed for a new shared host when the location has none to copy. */
const DEFAULT_SHARED_SERVER_TYPES = ["cx53", "cpx62"];

export function planPlacement({ manifest, plans }: LoadedManifest): PlacementPlan {
  const location = (t: { location?: HetznerLocation }) => t.location ?? manifest.fleet.location;
  const hosts = manifest.sharedHosts.map((host) => ({
    name: host.name,
    location: host.location,
    serverType: host.serverType,
    capacity: host.capacityUnits ?? sharedHostCapacity(host.serverType) ?? 0,
    used: 0,
  }));
  const unitsOf = (planName: string): number | undefined => {
    const plan = plans[planName];
    return plan?.tier === "shared" ? plan.capacityUnits : undefined;
  };
  for (const tenant of manifest.tenants) {
    const units = unitsOf(tenant.plan);
    const host = hosts.find((h) => h.name === tenant.host);
    if (units !== undefined && host) host.used += units;
  }

  const placements: Placement[] = [];
  const newHosts: ProposedHost[] = [];
  manifest.tenants.forEach((tenant, index) => {
    const units = unitsOf(tenant.plan);
    if (units === undefined || tenant.host !== undefined) return;
    const where = location(tenant);
    let host = hosts.find((h) => h.location === where && h.capacity - h.used >= units);
    if (!host) {
      const proposed = proposeHost(where, hosts);
      if (proposed.capacityUnits < units) {
        throw new PlacementError(
          `tenant "${tenant.id}" needs ${units} units, more than a new ${proposed.serverType} host offers`,
        );
      }
      newHosts.push(proposed);
      host = { ...proposed, capacity: proposed.capacityUnits, used: 0 };
      hosts.push(host);
    }
    host.used += units;
    placements.push({ index, tenant: tenant.id, host: host.name, units });
  });
  return { placements, newHosts };
}

function proposeHost(
  location: HetznerLocation,
  hosts: { name: string; location: string; serverType: string }[],
) {
  const taken = new Set(hosts.map((h) => h.name));
  let name = "";
  for (let n = 0; name === "" || taken.has(name); n++) name = `shared-${location}-${suffix(n)}`;
  const sameLocation = hosts.filter((h) => h.location === location).at(-1)?.serverType;
  const serverType =
    sameLocation ??
    DEFAULT_SHARED_SERVER_TYPES.find((type) => HETZNER_SERVER_TYPES[type]?.locations.includes(location)) ??
    "cpx62";
  return { name, location, serverType, capacityUnits: sharedHostCapacity(serverType) ?? 0 };
}

/** a, b, …, z, aa, ab, … */
function suffix(n: number): string {
  const letter = String.fromCharCode(97 + (n % 26));
  return n < 26 ? letter : suffix(Math.floor(n / 26) - 1) + letter;
}

/** A tenant that no host could ever hold: a problem with the manifest, not with tenancy. */
export class PlacementError extends Error {}

interface Edit {
  offset: number;
  insert: string;
}

/**
 * The manifest text with the placements and new hosts written in. The result is validated again before it
 * is returned, so a write can never leave tenants.yaml broken or with a tenant placed anywhere else.
 */
export function writePlacement(loaded: LoadedManifest, plan: PlacementPlan): string {
  const { doc, text, file } = loaded.source;
  const eol = lineEnding(text);
  const edits: Edit[] = [];
  for (const placement of plan.placements) {
    const tenant = doc.getIn(["tenants", placement.index], true) as Node | undefined;
    if (!isMap(tenant)) throw new Error(`tenants[${placement.index}] is not a mapping`);
    const last = tenant.items.at(-1);
    if (tenant.flow) {
      const end = (last?.value as Node | null)?.range?.[1] ?? (last?.key as Node).range![1];
      edits.push({ offset: end, insert: `, host: ${placement.host}` });
    } else {
      const anchor = tenant.items.find((pair) => isScalar(pair.key) && pair.key.value === "plan") ?? last!;
      const keyStart = (anchor.key as Node).range![0];
      const valueEnd = (anchor.value as Node | null)?.range?.[1] ?? (anchor.key as Node).range![1];
      const indent = keyStart - text.lastIndexOf("\n", keyStart - 1) - 1;
      edits.push(lineAfter(text, valueEnd, `${" ".repeat(indent)}host: ${placement.host}`, eol));
    }
  }
  if (plan.newHosts.length > 0) edits.push(hostEdit(loaded, plan.newHosts, eol));

  let updated = text;
  for (const edit of edits.sort((a, b) => b.offset - a.offset)) {
    updated = updated.slice(0, edit.offset) + edit.insert + updated.slice(edit.offset);
  }

  const check = parseManifest(file, updated);
  for (const placement of plan.placements) {
    const host = check.manifest.tenants[placement.index]?.host;
    if (host !== placement.host) {
      throw new Error(
        `writing placement of "${placement.tenant}" went wrong (got ${String(host)}); nothing written`,
      );
    }
  }
  return updated;
}

/** The file's line ending, as its first line ends: inserted lines keep a CRLF file CRLF. */
function lineEnding(text: string): string {
  const newline = text.indexOf("\n");
  return newline > 0 && text[newline - 1] === "\r" ? "\r\n" : "\n";
}

/** Inserts a whole line after the line that holds `offset`. */
function lineAfter(text: string, offset: number, line: string, eol: string): Edit {
  const newline = text.indexOf("\n", offset);
  return newline === -1
    ? { offset: text.length, insert: `${eol}${line}` }
    : { offset: newline + 1, insert: `${line}${eol}` };
}

function hostEdit({ source }: LoadedManifest, hosts: ProposedHost[], eol: string): Edit {
  const { doc, text } = source;
  const entry = (h: ProposedHost) =>
    `{ name: ${h.name}, location: ${h.location}, serverType: ${h.serverType} }`;
  const seq = doc.get("sharedHosts", true) as Node | undefined;
  if (seq === undefined || (isScalar(seq) && seq.value === null)) {
    const lines = hosts.map((h) => `  - ${entry(h)}`).join(eol);
    if (seq === undefined)
      return {
        offset: text.length,
        insert: `${text.endsWith("\n") ? "" : eol}sharedHosts:${eol}${lines}${eol}`,
      };
    return { offset: seq.range![0], insert: `${eol}${lines}` };
  }
  if (!isSeq(seq)) throw new Error("sharedHosts is not a list");
  if (seq.flow) {
    const close = seq.range![1] - 1;
    const sep = seq.items.length > 0 ? ", " : "";
    return { offset: close, insert: sep + hosts.map(entry).join(", ") };
  }
  const dash = seq.range![0];
  const indent = dash - text.lastIndexOf("\n", dash - 1) - 1;
  const lines = hosts.map((h) => `${" ".repeat(indent)}- ${entry(h)}`).join(eol);
  return lineAfter(text, contentEnd(seq), lines, eol);
}

/** Where a node's last value ends, before any comment that follows it. */
function contentEnd(node: Node): number {
  if (isMap(node) || isSeq(node)) {
    const last = node.items.at(-1);
    const inner = isMap(node) ? ((last as Pair | undefined)?.value ?? (last as Pair | undefined)?.key) : last;
    if (inner && !node.flow) return contentEnd(inner as Node);
  }
  return node.range![1];
}

/**
 * Address arithmetic for firewall sources: a CIDR as the first and last address it admits, so that
 * policies judge what a set of ranges admits (their union), not how the ranges are spelled.
 */

export type Family = 4 | 6;

/** The addresses from first to last, inclusive, of one family. */
export interface AddressRange {
  family: Family;
  first: bigint;
  last: bigint;
}

export const ADDRESS_BITS: Record<Family, number> = { 4: 32, 6: 128 };

function parseIpv4(text: string): bigint | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  if (octets.some((octet) => octet > 255)) return undefined;
  return octets.reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

/** The 16-bit groups of one side of "::", or undefined; an IPv4 tail (::ffff:192.0.2.1) makes two. */
function ipv6Groups(part: string, mayEndInIpv4: boolean): number[] | undefined {
  if (part === "") return [];
  const groups: number[] = [];
  const pieces = part.split(":");
  for (const [i, piece] of pieces.entries()) {
    if (mayEndInIpv4 && i === pieces.length - 1 && piece.includes(".")) {
      const ipv4 = parseIpv4(piece);
      if (ipv4 === undefined) return undefined;
      groups.push(Number(ipv4 >> 16n), Number(ipv4 & 0xffffn));
    } else if (/^[0-9a-f]{1,4}$/i.test(piece)) groups.push(parseInt(piece, 16));
    else return undefined;
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const compressed = halves.length === 2;
  const head = ipv6Groups(halves[0]!, !compressed);
  const tail = compressed ? ipv6Groups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail].reduce(
    (value, group) => (value << 16n) | BigInt(group),
    0n,
  );
}

/**
 * The range a CIDR (or a single address) admits, or undefined when the text is neither. Bits beyond the
 * prefix are ignored, as a firewall ignores them: 10.1.2.3/8 is 10.0.0.0/8.
 */
export function parseCidr(text: string): AddressRange | undefined {
  const [address = "", prefix, ...rest] = text.trim().split("/");
  if (rest.length > 0) return undefined;
  const ipv4 = parseIpv4(address);
  const family: Family = ipv4 === undefined ? 6 : 4;
  const value = ipv4 ?? (address.includes(":") ? parseIpv6(address) : undefined);
  if (value === undefined) return undefined;
  const bits = ADDRESS_BITS[family];
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return undefined;
  const length = prefix === undefined ? bits : Number(prefix);
  if (length > bits) return undefined;
  const hostBits = BigInt(bits - length);
  const first = (value >> hostBits) << hostBits;
  return { family, first, last: first + (1n << hostBits) - 1n };
}

/** The same addresses as sorted, disjoint, non-adjacent ranges. */
export function union(ranges: readonly AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) =>
    a.family !== b.family ? a.family - b.family : a.first < b.first ? -1 : a.first > b.first ? 1 : 0,
  );
  const merged: AddressRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && last.family === range.family && range.first <= last.last + 1n) {
      if (range.last > last.last) last.last = range.last;
    } else merged.push({ ...range });
  }
  return merged;
}

/** How many addresses of a family the ranges admit together (overlaps counted once). */
export function addressCount(ranges: readonly AddressRange[], family: Family): bigint {
  return union(ranges.filter((range) => range.family === family)).reduce(
    (sum, range) => sum + range.last - range.first + 1n,
    0n,
  );
}

/** Whether every address of `inner` is admitted by some range of `outer`. */
export function covers(outer: readonly AddressRange[], inner: AddressRange): boolean {
  return union(outer).some(
    (range) => range.family === inner.family && range.first <= inner.first && inner.last <= range.last,
  );
}

/** The shortest prefix whose block is no larger than `count` addresses: 2^31 addresses is "as a /1". */
export function prefixOfCount(count: bigint, family: Family): number {
  return ADDRESS_BITS[family] - (count.toString(2).length - 1);
}

/**
 * Hetzner prices the cost report uses: a dated table with the source of every figure.
 *
 * Hetzner changed its prices twice in 2026: on 1 April for every existing and new resource, and on
 * 15 June for new orders and rescales only (servers ordered before keep their rate). Figures below are
 * monthly caps in EUR excluding VAT for the EU locations. Where no 2026 list price could be read, the
 * figure is marked "estimate" with how it was made. Check them against https://www.hetzner.com/cloud
 * before quoting a margin, and override them with `tenancy cost --prices FILE` (docs/cost.md).
 */
import { z } from "zod";

/**
 * The most a price may be, in EUR a month: far above any Hetzner Cloud price (the largest server, ccx63,
 * is about €317 a month: https://www.hetzner.com/cloud), and low enough that the report's totals, summed
 * in doubles, stay exact to the cent (Number.MAX_SAFE_INTEGER cents, ECMA-262 §21.1.2.6) for any fleet of
 * fewer than 90 million priced resources. Without a bound, 1e308 overflows a total to Infinity.
 */
export const MAX_MONTHLY_PRICE = 1_000_000;

const priced = z.strictObject({
  monthly: z
    .number()
    .min(0)
    .max(MAX_MONTHLY_PRICE, {
      error: `must be at most ${MAX_MONTHLY_PRICE} (EUR a month; the cost report's totals must stay exact)`,
    })
    .describe("EUR per month, excluding VAT."),
  source: z.string().min(1).describe("Where the figure comes from, with its date."),
});

export const PriceTableSchema = z.strictObject({
  asOf: z.iso
    .date({ error: "must be a date written YYYY-MM-DD, such as 2026-12-01" })
    .describe("Date the table was last checked (YYYY-MM-DD)."),
  currency: z.literal("EUR"),
  serverTypes: z.record(z.string(), priced),
  /** Hetzner server backups cost a percentage of the server price. */
  serverBackupsPercent: z.number().min(0).max(100, { error: "must be at most 100 (a percentage)" }),
  volumePerGb: priced,
  primaryIpv4: priced,
  primaryIpv6: priced,
  /** One Storage Box per tier stack; its price is shared by the stack's hosts and dedicated tenants. */
  storageBox: priced.extend({ type: z.string().min(1) }),
});

export type PriceTable = z.output<typeof PriceTableSchema>;

const APRIL_2026 = "docs.vdhome.be cost breakdown, read 2026-04-15, prices after the 2026-04-01 adjustment";
const HOURLY_2026 =
  "estimate: hourly rate read on docs.cnap.tech (2026) × 620 h, the cap ratio of cx23 and cx33";
const LIST_2025 =
  "Hetzner list price 2025 (hetzner.com/cloud) + 10 % for the 2026-04-01 adjustment: estimate";

export const DEFAULT_PRICES: PriceTable = {
  asOf: "2026-11-22",
  currency: "EUR",
  serverTypes: {
    cx23: { monthly: 3.99, source: APRIL_2026 },
    cx33: { monthly: 6.49, source: APRIL_2026 },
    cx43: { monthly: 13.02, source: `${HOURLY_2026} (€0.021/h)` },
    cx53: { monthly: 22.32, source: `${HOURLY_2026} (€0.036/h, also docs.vdhome.be)` },
    cpx22: { monthly: 4.96, source: `${HOURLY_2026} (€0.008/h)` },
    cpx32: { monthly: 9.92, source: `${HOURLY_2026} (€0.016/h)` },
    cpx42: { monthly: 19.84, source: "estimate: twice cpx32, as memory and disk double" },
    cpx52: { monthly: 29.76, source: "estimate: three times cpx32" },
    cpx62: { monthly: 39.68, source: "estimate: four times cpx32" },
    ccx13: { monthly: 13.74, source: LIST_2025 },
    ccx23: { monthly: 26.94, source: LIST_2025 },
    ccx33: { monthly: 53.34, source: LIST_2025 },
    ccx43: { monthly: 106.14, source: LIST_2025 },
    ccx53: { monthly: 211.74, source: LIST_2025 },
    ccx63: { monthly: 317.34, source: LIST_2025 },
    cax11: { monthly: 2.48, source: `${HOURLY_2026} (€0.004/h)` },
    cax21: { monthly: 4.34, source: `${HOURLY_2026} (€0.007/h)` },
    cax31: { monthly: 8.06, source: `${HOURLY_2026} (€0.013/h)` },
    cax41: { monthly: 16.12, source: "estimate: twice cax31" },
  },
  serverBackupsPercent: 20,
  volumePerGb: {
    monthly: 0.0484,
    source: "Hetzner volume price 2025 (€0.044/GB) + 10 % for 2026-04-01: estimate",
  },
  primaryIpv4: { monthly: 0.55, source: "Hetzner primary IPv4 2025 (€0.50) + 10 % for 2026-04-01: estimate" },
  primaryIpv6: { monthly: 0, source: "Hetzner: primary IPv6 addresses are free" },
  storageBox: {
    type: "bx11",
    monthly: 3.81,
    source: "CONTEXT: figure from the users' own cost notes (BX11, 1 TB)",
  },
};

/** Every provider rule and change behaviour the offline preview knows, by provider. */
import { CLOUDFLARE_CHANGES, CLOUDFLARE_RULES } from "./cloudflare";
import type { ChangeBehaviour, ProviderRule } from "./rule";

export const PROVIDER_RULES: readonly ProviderRule[] = [...CLOUDFLARE_RULES];

export const CHANGE_BEHAVIOURS: Readonly<Record<string, ChangeBehaviour>> = { ...CLOUDFLARE_CHANGES };

/** Every provider rule and change behaviour the offline preview knows, by provider. */
import type { ChangeBehaviour, ProviderRule } from "./rule";

export const PROVIDER_RULES: readonly ProviderRule[] = [];

export const CHANGE_BEHAVIOURS: Readonly<Record<string, ChangeBehaviour>> = {};

/** Every provider rule and change behaviour the offline preview knows, by provider. */
import { CLOUDFLARE_CHANGES, CLOUDFLARE_RULES } from "./cloudflare";
import { HCLOUD_CHANGES, HCLOUD_RULES } from "./hcloud";
import { KUBERNETES_CHANGES, KUBERNETES_RULES } from "./kubernetes";
import type { ChangeBehaviour, ProviderRule } from "./rule";
import { OTHER_CHANGES, OTHER_RULES } from "./tls-random-command";

export const PROVIDER_RULES: readonly ProviderRule[] = [
  ...HCLOUD_RULES,
  ...CLOUDFLARE_RULES,
  ...KUBERNETES_RULES,
  ...OTHER_RULES,
];

export const CHANGE_BEHAVIOURS: Readonly<Record<string, ChangeBehaviour>> = {
  ...HCLOUD_CHANGES,
  ...CLOUDFLARE_CHANGES,
  ...KUBERNETES_CHANGES,
  ...OTHER_CHANGES,
};

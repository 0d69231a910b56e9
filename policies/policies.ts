/**
 * Every policy of the pack, in the order docs/policies.md lists them. Only index.ts constructs the
 * PolicyPack (constructing one starts a server); tests and `tenancy plan` import this list.
 */
import type { Policies } from "@pulumi/policy";
import { cloudflareDnsProxied } from "./cloudflare-dns-proxied";
import { cloudflareRateLimitMatchesPlan } from "./cloudflare-rate-limit-matches-plan";
import { cloudflareZoneTlsStrict } from "./cloudflare-zone-tls-strict";
import { hcloudFirewallNoWorldAdminPorts } from "./hcloud-firewall-no-world-admin-ports";
import { hcloudFirewallWebFromCloudflareOnly } from "./hcloud-firewall-web-from-cloudflare-only";
import { hcloudRequiredLabels } from "./hcloud-required-labels";
import { hcloudServerBackupsPerPlan } from "./hcloud-server-backups-per-plan";
import { hcloudServerIgnoresReplacingFields } from "./hcloud-server-ignores-replacing-fields";
import { hcloudServerLocationWithinPlan } from "./hcloud-server-location-within-plan";
import { hcloudServerTypeWithinPlan } from "./hcloud-server-type-within-plan";
import { hcloudSharedHostWithinCapacity } from "./hcloud-shared-host-within-capacity";
import { hcloudStatefulResourcesProtected } from "./hcloud-stateful-resources-protected";
import { hcloudVolumeWithinPlan } from "./hcloud-volume-within-plan";
import { kubernetesDatabasesRetained } from "./kubernetes-databases-retained";
import { kubernetesImagesPinned } from "./kubernetes-images-pinned";
import { kubernetesNamespaceIsolated } from "./kubernetes-namespace-isolated";
import { kubernetesNamespaceRestricted } from "./kubernetes-namespace-restricted";
import { kubernetesPodsHardened } from "./kubernetes-pods-hardened";
import { kubernetesQuotaWithinPlan } from "./kubernetes-quota-within-plan";
import { secretsStaySecret } from "./secrets-stay-secret";
import { tenancyBackupTargetWithinResidency } from "./tenancy-backup-target-within-residency";
import { tenancyHostHasBackupTarget } from "./tenancy-host-has-backup-target";
import { tenancyMaintenanceWindowWithinPlan } from "./tenancy-maintenance-window-within-plan";
import { tenantCustomDomainsWithinPlan } from "./tenant-custom-domains-within-plan";

export const POLICIES: Policies = [
  // Plan limits
  hcloudServerTypeWithinPlan,
  hcloudServerLocationWithinPlan,
  hcloudVolumeWithinPlan,
  hcloudServerBackupsPerPlan,
  hcloudSharedHostWithinCapacity,
  tenantCustomDomainsWithinPlan,
  cloudflareRateLimitMatchesPlan,
  tenancyMaintenanceWindowWithinPlan,
  kubernetesQuotaWithinPlan,
  // Data safety
  hcloudStatefulResourcesProtected,
  hcloudServerIgnoresReplacingFields,
  tenancyHostHasBackupTarget,
  tenancyBackupTargetWithinResidency,
  kubernetesDatabasesRetained,
  // Security
  hcloudFirewallNoWorldAdminPorts,
  hcloudFirewallWebFromCloudflareOnly,
  cloudflareDnsProxied,
  cloudflareZoneTlsStrict,
  secretsStaySecret,
  kubernetesNamespaceIsolated,
  kubernetesNamespaceRestricted,
  kubernetesPodsHardened,
  kubernetesImagesPinned,
  // Hygiene
  hcloudRequiredLabels,
];

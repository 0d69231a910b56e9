/**
 * Tenants' database passwords, derived rather than stored: HMAC-SHA256 of the tenant's id (and its rotation
 * generation) keyed by one secret of the stack, the `tenant-db-password-key-<tier>` RandomPassword. A
 * tenant costs no resource of its own for its password, the value depends on nothing but the key, the id
 * and the generation (the same on every preview, on every host of the stack, before and after a move), and
 * it is computed only inside an `apply` of the key's secret output, so it is secret wherever it flows.
 */
import { createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Tier } from "../infra/plans";

/** The key's length: 64 letters and digits, about 380 bits, well beyond the 256 bits of the HMAC. */
export const TENANT_PASSWORD_KEY_LENGTH = 64;

export function tenantPasswordKeyName(tier: Tier): string {
  return `tenant-db-password-key-${tier}`;
}

/**
 * A tenant's password: the HMAC in lowercase hex, 64 letters and digits. It goes into a URL and a SCRAM
 * verifier as it is; tenant ids are DNS labels, so `id:generation` is unambiguous.
 */
export function deriveTenantPassword(key: string, tenantId: string, generation: number): string {
  return createHmac("sha256", key).update(`tenancy-db-password:${tenantId}:${generation}`).digest("hex");
}

/**
 * The stack's key (protected: replacing it changes every tenant's password, docs/runbooks.md) and the
 * function that derives a tenant's password from it. `rotations` is tenancy:dbPasswordRotations: a
 * tenant's generation, 0 when it has none.
 */
export function tenantPasswords(
  tier: Tier,
  rotations: Readonly<Record<string, number>>,
): (tenantId: string) => pulumi.Output<string> {
  const key = new random.RandomPassword(
    tenantPasswordKeyName(tier),
    { length: TENANT_PASSWORD_KEY_LENGTH, special: false },
    // The SDK declares `result` a secret output itself (additionalSecretOutputs); protect: see above.
    { protect: true },
  );
  const made = new Map<string, pulumi.Output<string>>();
  return (tenantId) => {
    let password = made.get(tenantId);
    if (!password) {
      // hasOwn: a tenant may be called "constructor".
      const generation = Object.hasOwn(rotations, tenantId) ? rotations[tenantId]! : 0;
      password = pulumi.secret(key.result.apply((k) => deriveTenantPassword(k, tenantId, generation)));
      made.set(tenantId, password);
    }
    return password;
  };
}

/**
 * The derivation of tenants' database passwords (tenant-passwords.ts): its properties, without a stack.
 * What the stacks do with it (one key per stack, secret, stable bundles, one rotation) is in stacks.test.ts.
 */
import { deriveTenantPassword } from "../tenant-passwords";

const KEY = "k".repeat(64);
const OTHER_KEY = "K".repeat(64);
const TENANTS = ["alpha", "bravo", "charlie", "alpha-1", "alpha1"];

describe("deriveTenantPassword", () => {
  test("64 letters and digits: it goes into a URL and a SCRAM verifier as it is", () => {
    for (const id of TENANTS) expect(deriveTenantPassword(KEY, id, 0)).toMatch(/^[A-Za-z0-9]{64}$/);
  });

  test("stable: the same key, id and generation give the same password", () => {
    expect(deriveTenantPassword(KEY, "alpha", 0)).toBe(deriveTenantPassword(KEY, "alpha", 0));
    // Pinned, so that a change to the derivation (which would change every tenant's password) shows.
    expect(deriveTenantPassword(KEY, "alpha", 0)).toBe(
      "862b60b251a21b77d23ecb4009650158a6ab9c13882ce98bd688ceaf014ba3e9",
    );
  });

  test("distinct per tenant, and per stack key", () => {
    const all = TENANTS.flatMap((id) => [
      deriveTenantPassword(KEY, id, 0),
      deriveTenantPassword(OTHER_KEY, id, 0),
    ]);
    expect(new Set(all).size).toBe(2 * TENANTS.length);
  });

  test("a rotation (a new generation) changes exactly the rotated tenant's password", () => {
    const rotations: Record<string, number> = { bravo: 1 };
    const before = TENANTS.map((id) => deriveTenantPassword(KEY, id, 0));
    const after = TENANTS.map((id) => deriveTenantPassword(KEY, id, rotations[id] ?? 0));
    expect(TENANTS.filter((_, i) => before[i] !== after[i])).toEqual(["bravo"]);
    // Each generation its own password.
    expect(deriveTenantPassword(KEY, "bravo", 2)).not.toBe(deriveTenantPassword(KEY, "bravo", 1));
  });
});

import { scramVerifier, scramVerifierAsync } from "../scram";

describe("SCRAM-SHA-256 verifiers", () => {
  const password = "Rj5cXq8TnW2mLz7KpV4sHd9GfB3aYe6N";

  test("have PostgreSQL's form: iterations, salt, stored key and server key", () => {
    expect(scramVerifier("t_alpha", password)).toMatch(
      /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/,
    );
  });

  test("are the same for the same role and password (stable bundles), and differ between roles", () => {
    expect(scramVerifier("t_alpha", password)).toBe(scramVerifier("t_alpha", password));
    expect(scramVerifier("t_alpha", password)).not.toBe(scramVerifier("t_bravo", password));
    expect(scramVerifier("t_alpha", password)).not.toBe(scramVerifier("t_alpha", `${password}x`));
  });

  test("are computed alike on the thread pool", async () => {
    await expect(scramVerifierAsync("t_alpha", password)).resolves.toBe(scramVerifier("t_alpha", password));
  });

  test("refuse a password that would need SASLprep", () => {
    expect(() => scramVerifier("t_alpha", "pass word")).toThrow("printable ASCII");
  });
});

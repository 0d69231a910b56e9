/**
 * PostgreSQL SCRAM-SHA-256 verifiers, computed here so that no plaintext password is ever written into
 * SQL on a host (RFC 5802 / RFC 7677, as PostgreSQL stores them in pg_authid.rolpassword).
 */
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";

export const SCRAM_ITERATIONS = 4096;

/**
 * The verifier for a role's password. The salt is derived from the password and the role name, so the
 * same password always gives the same verifier: the host bundle stays byte-identical between previews
 * and is only re-applied when something really changed. Distinct roles still get distinct salts.
 */
export function scramVerifier(role: string, password: string): string {
  if (!/^[\x21-\x7e]+$/.test(password)) {
    // SASLprep would have to normalise anything else; generated passwords are printable ASCII.
    throw new Error(`password of role ${role} must be printable ASCII without spaces`);
  }
  const salt = createHmac("sha256", password).update(`tenancy-scram-salt:${role}`).digest().subarray(0, 16);
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  const b64 = (buffer: Buffer) => buffer.toString("base64");
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}

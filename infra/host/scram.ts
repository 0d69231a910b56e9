/**
 * PostgreSQL SCRAM-SHA-256 verifiers, computed here so that no plaintext password is ever written into
 * SQL on a host (RFC 5802 / RFC 7677, as PostgreSQL stores them in pg_authid.rolpassword).
 */
import { createHash, createHmac, pbkdf2, pbkdf2Sync } from "node:crypto";
import { promisify } from "node:util";

export const SCRAM_ITERATIONS = 4096;

/**
 * The salt is derived from the password and the role name, so the same password always gives the same
 * verifier: the host bundle stays byte-identical between previews and is only re-applied when something
 * really changed. Distinct roles still get distinct salts.
 */
function saltOf(role: string, password: string): Buffer {
  if (!/^[\x21-\x7e]+$/.test(password)) {
    // SASLprep would have to normalise anything else; generated passwords are printable ASCII.
    throw new Error(`password of role ${role} must be printable ASCII without spaces`);
  }
  return createHmac("sha256", password).update(`tenancy-scram-salt:${role}`).digest().subarray(0, 16);
}

function verifierOf(salt: Buffer, salted: Buffer): string {
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  const b64 = (buffer: Buffer) => buffer.toString("base64");
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}

/** The verifier for a role's password. */
export function scramVerifier(role: string, password: string): string {
  const salt = saltOf(role, password);
  return verifierOf(salt, pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, "sha256"));
}

const pbkdf2Async = promisify(pbkdf2);

/** The same, computed on libuv's thread pool: a host with hundreds of tenants derives them in parallel. */
export async function scramVerifierAsync(role: string, password: string): Promise<string> {
  const salt = saltOf(role, password);
  return verifierOf(salt, await pbkdf2Async(password, salt, SCRAM_ITERATIONS, 32, "sha256"));
}

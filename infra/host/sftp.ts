/**
 * The SFTP backup transport: restic to the host's Storage Box sub-account over SFTP, password login
 * through sshpass, the server's host keys pinned in a root-only known_hosts file (never trusted on first
 * use). tenancy-common.sh's `restic` reads what this renders.
 */

/** Root-only, outside /etc/tenancy (which the app mounts): the pinned host keys of the SFTP server. */
export const SFTP_KNOWN_HOSTS_FILE = "/etc/ssh/tenancy_backup_known_hosts";
/** Hetzner Storage Boxes serve SFTP with password login on port 23. */
export const STORAGE_BOX_SFTP_PORT = 23;

export interface SftpTransport {
  /** The SFTP server's name, as in the repository URL (sftp:USER@SERVER:/PATH): what the keys are pinned for. */
  server: string;
  /** The sub-account's password (secret): restic.env, then SSHPASS, never a command line. */
  password: string;
  port: number;
  /** The server's public host keys, "TYPE BASE64" each (parseHostKeys). */
  hostKeys: string[];
}

const KEY_TYPES = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "ssh-rsa",
] as const;

/**
 * Host keys from known_hosts lines as `ssh-keyscan -p 23 SERVER` prints them ("[host]:23 TYPE KEY"), or
 * bare "TYPE KEY" lines. The host field is dropped: the bundle pins the keys for the sub-account's own
 * server name. A key whose blob does not name its own type is refused, so a truncated paste is caught.
 */
export function parseHostKeys(lines: readonly string[], source: string): string[] {
  if (lines.length === 0) throw new Error(`${source} must list at least one host key`);
  return lines.map((line, i) => {
    const fields = line.trim().split(/\s+/);
    const at = fields.findIndex((f) => (KEY_TYPES as readonly string[]).includes(f));
    const [type, blob] = at >= 0 ? [fields[at]!, fields[at + 1] ?? ""] : ["", ""];
    const problem = !type
      ? `has no key type (one of ${KEY_TYPES.join(", ")})`
      : !/^[A-Za-z0-9+/]+={0,2}$/.test(blob) || !blobNames(blob, type)
        ? `has a ${type} key that is not valid base64 of a ${type} key`
        : at > 1
          ? "has more than a host field before the key type"
          : "";
    if (problem) throw new Error(`${source}[${i}] ${problem}: "${line}"`);
    return `${type} ${blob}`;
  });
}

/** An SSH public key blob: length-prefixed fields, the first its type, ending exactly with the last. */
function blobNames(blob: string, type: string): boolean {
  const bytes = Buffer.from(blob, "base64");
  const fields: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    if (at + 4 > bytes.length) return false;
    const end = at + 4 + bytes.readUInt32BE(at);
    if (end > bytes.length) return false;
    fields.push(bytes.subarray(at + 4, end));
    at = end;
  }
  return fields.length >= 2 && fields[0]!.toString("latin1") === type;
}

/** The known_hosts file: each pinned key for [SERVER]:PORT, the name ssh looks up. */
export function renderSftpKnownHosts(sftp: SftpTransport): string {
  return sftp.hostKeys.map((key) => `[${sftp.server}]:${sftp.port} ${key}\n`).join("");
}

/** The SFTP lines of restic.env. */
export function renderSftpEnv(sftp: SftpTransport): string[] {
  return [`TENANCY_SFTP_PASSWORD=${sftp.password}`, `TENANCY_SFTP_PORT=${sftp.port}`];
}

/** The exit codes of `tenancy` (README.md): a module of its own, so that `--help` loads nothing else. */
export const EXIT = {
  ok: 0,
  invalidInput: 1,
  policyViolation: 2,
  internalError: 3,
  /** Hetzner or Cloudflare would refuse a value: the deploy would fail. */
  providerRefusal: 4,
  /** A change that cannot be deployed (a protected resource replaced or deleted, a volume shrunk). */
  blockedChange: 5,
  /** `tenancy backups`: a tenant's backup is older than a day, failing or missing, or a host was unreadable. */
  backupsOverdue: 6,
} as const;

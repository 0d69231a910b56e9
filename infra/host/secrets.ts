/**
 * The secrets a host bundle needs. The component renders with the real values inside a Pulumi secret
 * output; `tenancy render` renders with references, so that nothing an operator writes to disk holds a
 * plaintext secret.
 */
import { scramVerifier } from "./scram";
import { STORAGE_BOX_SFTP_PORT, type SftpTransport } from "./sftp";

export interface HostSecrets {
  /** Plaintext database password of a tenant: only ever written to the tenant's env file (0640, root and the app's group). */
  dbPassword(tenantId: string): string;
  /** The SCRAM verifier of that password: what the SQL carries instead of the password. */
  dbVerifier(tenantId: string, role: string): string;
  /** The host's own restic repository key. */
  resticPassword: string;
  /**
   * tenancy:backupPassword, the stack-wide password of repositories created before hosts had keys of their
   * own: the host's scripts replace it by the host's key (adopt_host_key in tenancy-common.sh).
   */
  resticOldPassword?: string;
  /** restic repository URL (the host's Storage Box sub-account over SFTP); not secret. */
  resticRepository: string;
  /** How restic reaches a Storage Box sub-account over SFTP; absent for a repository reached otherwise. */
  backupSftp?: SftpTransport;
  /** Access key of the S3 bucket, for a repository in one (`s3:` URL); absent otherwise. */
  backupS3?: S3Credentials;
  /** The host's Cloudflare Origin CA certificate and its private key (the key is secret). */
  originCertificate: string;
  originKey: string;
  /** Where tenancy-notify POSTs alerts (tenancy:alertWebhookUrl); absent: alerts are only logged. */
  alertWebhookUrl?: string;
}

export interface SecretValues {
  dbPasswords: Readonly<Record<string, string>>;
  /** Verifiers computed ahead (scramVerifierAsync), by tenant id; computed on demand when absent. */
  dbVerifiers?: Readonly<Record<string, string>>;
  resticPassword: string;
  resticOldPassword?: string;
  resticRepository: string;
  backupSftp?: SftpTransport;
  backupS3?: S3Credentials;
  originCertificate: string;
  originKey: string;
  alertWebhookUrl?: string;
}

/**
 * An https URL with a host, and nothing a shell or curl's config could mistake (no quotes, spaces,
 * backslashes). The message never holds the value: it is secret.
 */
export function checkAlertWebhookUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (
    url?.protocol !== "https:" ||
    url.hostname === "" ||
    !/^[\x21-\x7e]+$/.test(value) ||
    /["'\\]/.test(value)
  )
    throw new Error(
      "tenancy:alertWebhookUrl must be an https:// URL without quotes, spaces or backslashes (the value is secret and not shown)",
    );
  return value;
}

/** An S3 access key (restic reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for every S3 provider). */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export function hostSecrets(values: SecretValues): HostSecrets {
  const password = (tenantId: string) => {
    const value = values.dbPasswords[tenantId];
    if (value === undefined) throw new Error(`no database password for tenant ${tenantId}`);
    // It goes into a URL and a SCRAM verifier as it is: letters and digits only, long enough.
    if (!/^[A-Za-z0-9]{24,}$/.test(value)) {
      throw new Error(`database password of tenant ${tenantId} must be at least 24 letters and digits`);
    }
    return value;
  };
  return {
    dbPassword: password,
    dbVerifier: (tenantId, role) => values.dbVerifiers?.[tenantId] ?? scramVerifier(role, password(tenantId)),
    resticPassword: values.resticPassword,
    ...(values.resticOldPassword === undefined ? {} : { resticOldPassword: values.resticOldPassword }),
    resticRepository: values.resticRepository,
    ...(values.backupSftp === undefined ? {} : { backupSftp: values.backupSftp }),
    ...(values.backupS3 === undefined ? {} : { backupS3: values.backupS3 }),
    originCertificate: values.originCertificate,
    originKey: values.originKey,
    ...(values.alertWebhookUrl === undefined
      ? {}
      : { alertWebhookUrl: checkAlertWebhookUrl(values.alertWebhookUrl) }),
  };
}

/** A placeholder that names a secret without holding it. */
export function secretReference(name: string): string {
  return `@@secret:${name}@@`;
}

/**
 * Secrets as references, for `tenancy render` and for tests that must not see real values. `transport`
 * is how the host reaches its repository (components/backup-target.ts): a sub-account's SFTP password,
 * or an S3 bucket's access key.
 */
export function referenceSecrets(host: string, transport: "sftp" | "s3" = "sftp"): HostSecrets {
  return {
    dbPassword: (tenantId) => secretReference(`${tenantId}-db-password`),
    dbVerifier: (tenantId) => secretReference(`${tenantId}-db-password:scram-sha-256`),
    resticPassword: secretReference(`${host}-backup-key`),
    resticRepository: secretReference(`${host}-backup-repository`),
    ...(transport === "sftp"
      ? {
          backupSftp: {
            server: secretReference(`${host}-backup-server`),
            password: secretReference(`${host}-backup-password`),
            port: STORAGE_BOX_SFTP_PORT,
            // Not secret, but the stack's config: named like the secrets, so that render needs no stack.
            hostKeys: [secretReference("storageBoxHostKeys (tenancy:storageBoxHostKeys)")],
          },
        }
      : {
          backupS3: {
            accessKeyId: secretReference("bucket access key id (tenancy:backupBucketKeys)"),
            secretAccessKey: secretReference("bucket secret access key (tenancy:backupBucketKeys)"),
          },
        }),
    originCertificate: secretReference(`${host}-origin-certificate`),
    originKey: secretReference(`${host}-origin-key`),
    alertWebhookUrl: secretReference("alertWebhookUrl (tenancy:alertWebhookUrl)"),
  };
}

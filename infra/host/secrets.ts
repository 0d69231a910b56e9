/**
 * The secrets a host bundle needs. The component renders with the real values inside a Pulumi secret
 * output; `tenancy render` renders with references, so that nothing an operator writes to disk holds a
 * plaintext secret.
 */
import { scramVerifier } from "./scram";

export interface HostSecrets {
  /** Plaintext database password of a tenant: only ever written to the tenant's 0600 env file. */
  dbPassword(tenantId: string): string;
  /** The SCRAM verifier of that password: what the SQL carries instead of the password. */
  dbVerifier(tenantId: string, role: string): string;
  /** Password of the host's restic repository. */
  resticPassword: string;
  /** restic repository URL (the host's Storage Box sub-account over SFTP); not secret. */
  resticRepository: string;
  /** Password of the Storage Box sub-account, for SFTP; absent for a repository reached otherwise. */
  backupSftpPassword?: string;
  /** Access key of the S3 bucket, for a repository in one (`s3:` URL); absent otherwise. */
  backupS3?: S3Credentials;
  /** The host's Cloudflare Origin CA certificate and its private key (the key is secret). */
  originCertificate: string;
  originKey: string;
}

export interface SecretValues {
  dbPasswords: Readonly<Record<string, string>>;
  /** Verifiers computed ahead (scramVerifierAsync), by tenant id; computed on demand when absent. */
  dbVerifiers?: Readonly<Record<string, string>>;
  resticPassword: string;
  resticRepository: string;
  backupSftpPassword?: string;
  backupS3?: S3Credentials;
  originCertificate: string;
  originKey: string;
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
    resticRepository: values.resticRepository,
    ...(values.backupSftpPassword === undefined ? {} : { backupSftpPassword: values.backupSftpPassword }),
    ...(values.backupS3 === undefined ? {} : { backupS3: values.backupS3 }),
    originCertificate: values.originCertificate,
    originKey: values.originKey,
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
    resticPassword: secretReference("backupPassword (tenancy:backupPassword)"),
    resticRepository: secretReference(`${host}-backup-repository`),
    ...(transport === "sftp"
      ? { backupSftpPassword: secretReference(`${host}-backup-password`) }
      : {
          backupS3: {
            accessKeyId: secretReference("bucket access key id (tenancy:backupBucketKeys)"),
            secretAccessKey: secretReference("bucket secret access key (tenancy:backupBucketKeys)"),
          },
        }),
    originCertificate: secretReference(`${host}-origin-certificate`),
    originKey: secretReference(`${host}-origin-key`),
  };
}

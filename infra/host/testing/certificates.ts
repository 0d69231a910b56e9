/** Throwaway self-signed certificates for the host tests, standing in for the Cloudflare Origin CA's. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  /** PEM. */
  certificate: string;
  key: string;
}

/**
 * An ECDSA P-256 certificate for `commonName` and its key, written into `dir` as `<name>.pem` and
 * `<name>.key` (valid for two days). `subjectAltName` (openssl's syntax, e.g. "IP:127.0.0.1") is for
 * clients that check it rather than the CN, as Go's do.
 */
export function selfSignedCertificate(
  dir: string,
  commonName: string,
  { name = "origin", subjectAltName }: { name?: string; subjectAltName?: string } = {},
): TestCertificate {
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}.key`);
  const args = [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-days",
    "2",
  ];
  const result = spawnSync(
    "openssl",
    [
      ...args,
      "-subj",
      `/CN=${commonName}`,
      ...(subjectAltName === undefined ? [] : ["-addext", `subjectAltName=${subjectAltName}`]),
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    {
      encoding: "utf8",
    },
  );
  if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
  return {
    certFile,
    keyFile,
    certificate: readFileSync(certFile, "utf8"),
    key: readFileSync(keyFile, "utf8"),
  };
}

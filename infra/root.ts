import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The repository's root, where package.json, Pulumi.yaml and policies/ are: the parent of infra/, both
 * for the sources (infra/root.ts) and for the build `tenancy` runs (dist/infra/root.js).
 */
export const REPO_ROOT = ((up: string) =>
  existsSync(path.join(up, "package.json")) ? up : path.dirname(up))(path.resolve(__dirname, ".."));

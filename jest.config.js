// The suite tests the sources: every `tenancy` a test starts runs them (infra/cli/bin.js), not dist/.
process.env.TENANCY_RUN_SOURCES = "1";

/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/infra", "<rootDir>/stacks", "<rootDir>/components", "<rootDir>/policies"],
  testMatch: ["**/*.test.ts"],
  // Type checking is `npm run typecheck`'s job; with isolatedModules (tsconfig) ts-jest only transpiles.
  transform: { "^.+\\.ts$": ["ts-jest", {}] },
};

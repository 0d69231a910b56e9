/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/infra", "<rootDir>/stacks", "<rootDir>/components", "<rootDir>/policies"],
  testMatch: ["**/*.test.ts"],
  // Type checking is `npm run typecheck`'s job; ts-jest only transpiles so the suite stays fast.
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true }] },
};

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    setupFiles: ["test/helpers/record-secrets.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: files that start daemons or hash with bcrypt fight for them.
    maxWorkers: 2,
  },
});

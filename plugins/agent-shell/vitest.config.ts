import { defineConfig } from "vitest/config";

// The tests run real commands, as other users, and real daemons on a real broker: seconds each.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from "vitest/config";

// The tests start and stop a real init script's daemon and run real daemons on a real broker: seconds each.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

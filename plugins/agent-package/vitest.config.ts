import { defineConfig } from "vitest/config";

// The tests install and remove real packages: one file at a time, so they never queue on dpkg's lock
// behind each other, and seconds per test (apt-get, real daemons on a real broker).
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

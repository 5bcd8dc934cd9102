import { defineConfig } from "vitest/config";

// Some tests here ask Debian's Ruby MCollective or a real broker: seconds, not milliseconds.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

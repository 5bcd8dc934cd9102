import { defineConfig } from "vitest/config";

// The plumbing test starts a simulated fleet and runs Ruby and Phobos clients: seconds.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

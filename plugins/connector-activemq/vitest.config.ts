import { defineConfig } from "vitest/config";

// Most tests here talk to a real ActiveMQ (the provisioned one, or private ones they
// start) and to Debian's Ruby MCollective: seconds, not milliseconds.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

import { defineConfig } from "vitest/config";

// The e2e suites start real Ruby and Phobos daemons on the machine's RabbitMQ and run
// both mco binaries: seconds per test, fleets shared per file.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

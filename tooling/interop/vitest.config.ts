import { defineConfig } from "vitest/config";

// The suites here start real Ruby daemons against the machine's RabbitMQ: seconds, not
// milliseconds. Each test still waits on readiness signals, never on fixed sleeps.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

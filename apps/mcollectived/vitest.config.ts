import { defineConfig } from "vitest/config";

// The end-to-end suites run the real daemon, RabbitMQ and Debian's Ruby MCollective:
// seconds per test. They wait on readiness signals (log lines, subscriptions,
// replies), never on fixed sleeps.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

import { defineConfig } from "vitest/config";

// The suites start a simulated fleet on the machine's RabbitMQ and the embedded broker,
// and run the real mco binaries: seconds, not milliseconds.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

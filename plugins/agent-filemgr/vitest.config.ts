import { defineConfig } from "vitest/config";

// The end-to-end tests start real daemons on RabbitMQ: seconds, not milliseconds.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

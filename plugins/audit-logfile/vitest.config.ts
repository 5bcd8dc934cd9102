import { defineConfig } from "vitest/config";

// The interop suites start real daemons (Ruby and Phobos) on the machine's RabbitMQ.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

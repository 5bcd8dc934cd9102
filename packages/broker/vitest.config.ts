import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Tests talk to real sockets, a real RabbitMQ and a Ruby process.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Suites share the machine's RabbitMQ; keep each file's work serial within it.
    sequence: { concurrent: false },
  },
});

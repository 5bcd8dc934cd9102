import { defineConfig, mergeConfig } from "vitest/config";

// Plain JavaScript: vitest loads a workspace package's config with Node itself,
// and Node 20 does not run TypeScript.

/**
 * Most suites start real daemons on RabbitMQ, private brokers or Debian's Ruby
 * MCollective: seconds per test, and CI runs every package's suite at once on
 * two cores. The bound guards hangs, not speed; tests wait on readiness
 * signals, never on fixed sleeps.
 */
const shared = defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});

export default shared;

/** The shared settings with a package's own on top; say why beside the call. */
export function withOverrides(overrides) {
  return mergeConfig(shared, overrides);
}

import { defineConfig } from "vitest/config";

// Property and oracle tests are CPU-bound; CI runs every package's suite at
// once on two cores, so the per-test bound is generous (it guards hangs, not speed).
export default defineConfig({ test: { testTimeout: 180_000, hookTimeout: 180_000 } });

import { describe, it } from "vitest";
import type { Check } from "./check.js";

/** Registers checks as vitest tests under one `describe`; skipped checks say why. */
export function describeChecks(
  title: string,
  checks: readonly Check[],
  options: { timeout?: number } = {},
): void {
  describe(title, () => {
    for (const check of checks) {
      if (check.skip !== undefined) it.skip(`${check.name} (skipped: ${check.skip})`, () => {});
      else it(check.name, () => check.run(), options.timeout);
    }
  });
}

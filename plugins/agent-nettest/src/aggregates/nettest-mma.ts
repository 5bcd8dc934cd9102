import { type AggregateRun, defineAggregate } from "@phobos/core";

/**
 * `nettest_mma(:rtt)`: minimum, maximum and average of a numeric output,
 * one `[min, max, average]` result for a three-conversion format. Values
 * that are not numbers are skipped. As MCollective's, a minimum of exactly 0
 * counts as "none yet", so a later value replaces it.
 */
export default defineAggregate({
  name: "nettest_mma",
  description: "Max, min, average aggregate function.",
  create: () => ({
    start({ output, format }): AggregateRun {
      let min = 0;
      let max = 0;
      let total = 0;
      let count = 0;
      return {
        process(value) {
          const n =
            typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
          if (value === null || (typeof value === "string" && value.trim() === "") || !Number.isFinite(n))
            return;
          if (n < min || min === 0) min = n;
          if (n > max) max = n;
          total += n;
          count++;
        },
        result() {
          return {
            type: "numeric",
            value: [min, max, count > 1 ? total / count : total],
            output,
            format: format ?? "Min: %.3f  Max: %.3f  Average: %.3f",
          };
        },
      };
    },
  }),
});

import { type AggregateRun, defineAggregate, rubyToS } from "@phobos/core";

/**
 * `summary(:status)`: how many replies carried each value (array values
 * count each element), printed `%<widest>s = %s`, most frequent first.
 */
export default defineAggregate({
  name: "summary",
  description: "Displays the summary of a set of results",
  create: () => ({
    start({ output, format }): AggregateRun {
      const counts = new Map<unknown, number>();
      const add = (value: unknown) => counts.set(value, (counts.get(value) ?? 0) + 1);
      return {
        process(value) {
          if (value === null || value === undefined) return;
          if (Array.isArray(value)) value.forEach(add);
          else add(value);
        },
        result() {
          const widest = Math.max(0, ...[...counts.keys()].map((k) => rubyToS(k).length));
          return { type: "collection", value: counts, output, format: format ?? `%${widest}s = %s` };
        },
      };
    },
  }),
});

import { type AggregateRun, defineAggregate } from "@phobos/core";

/** `average(:rtt)`: the mean of a numeric output over all replies. */
export default defineAggregate({
  name: "average",
  description: "Displays the average of a set of numeric values",
  create: () => ({
    start({ output, format }): AggregateRun {
      let total = 0;
      let count = 0;
      return {
        process(value) {
          const n = Number(value);
          if (typeof value === "boolean" || value === null || Number.isNaN(n)) {
            throw new TypeError(`cannot average ${JSON.stringify(value)}`);
          }
          total += n;
          count++;
        },
        result() {
          // Ruby divides by zero here and reports the summary as failed; so do we.
          if (count === 0) throw new RangeError(`no values of ${output} to average`);
          return {
            type: "numeric",
            value: total / count,
            output,
            format: format ?? `Average of ${output}: %f`,
          };
        },
      };
    },
  }),
});

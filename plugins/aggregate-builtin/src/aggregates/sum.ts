import { type AggregateRun, defineAggregate } from "@phobos/core";

/** `sum(:bytes)`: the total of a numeric output over all replies. */
export default defineAggregate({
  name: "sum",
  description: "Determine the total added value of a set of values",
  create: () => ({
    start({ output, format }): AggregateRun {
      let total = 0;
      return {
        process(value) {
          const n = Number(value);
          if (typeof value === "boolean" || value === null || Number.isNaN(n)) {
            throw new TypeError(`cannot add ${JSON.stringify(value)} to a sum`);
          }
          total += n;
        },
        result: () => ({ type: "numeric", value: total, output, format: format ?? `Sum of ${output}: %f` }),
      };
    },
  }),
});

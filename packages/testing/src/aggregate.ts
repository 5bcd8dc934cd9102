import type { AggregateResult, AggregateRun } from "@phobos/core";
import { type Check, ensure, ensureEqual, show } from "./check.js";
import { definitionChecks, type SuiteOptions, withPlugin } from "./harness.js";
import { describeChecks } from "./register.js";

export interface AggregateSuiteOptions extends SuiteOptions<"aggregate"> {
  /** The output values of a request's replies, in arrival order. */
  values: unknown[];
  /** The output aggregated (`summarize { aggregate summary(:status) }` → "status"). */
  output?: string;
  /** The DDL's further arguments. */
  args?: unknown[];
  format?: string;
  /** What result() should say for `values`. */
  expected?: Pick<AggregateResult, "type" | "value">;
}

/**
 * The aggregate contract: a run takes values one at a time and its
 * result() is a numeric value or a collection of counts for the output it
 * was started on; runs do not share state (one request's summary never
 * leaks into the next).
 */
export function aggregateChecks(options: AggregateSuiteOptions): Check[] {
  const output = options.output ?? "value";
  const spec = {
    output,
    args: options.args ?? [],
    ...(options.format !== undefined ? { format: options.format } : {}),
  };
  const feed = (run: AggregateRun, values: unknown[]) => {
    for (const value of values) run.process(value);
    return run.result();
  };
  return [
    ...definitionChecks("aggregate", options, "client"),
    {
      name: "process() then result() gives a numeric value or counts for the output",
      run: () =>
        withPlugin(options, "client", async ({ instance }) => {
          const result = feed(instance.start(spec), options.values);
          checkResult(result, output);
          if (options.expected) {
            ensureEqual({ type: result.type, value: result.value }, options.expected, "result()");
          }
        }),
    },
    {
      name: "runs are independent of each other",
      run: () =>
        withPlugin(options, "client", async ({ instance }) => {
          const first = instance.start(spec);
          const before = show(feed(first, options.values).value);
          const again = show(feed(instance.start(spec), options.values).value);
          const after = show(first.result().value);
          ensure(
            before === again,
            `a second run fed the same values says ${again}, the first said ${before}`,
          );
          ensure(
            before === after,
            `starting a second run changed the first one's result from ${before} to ${after}`,
          );
        }),
    },
  ];
}

export function describeAggregatePlugin(options: AggregateSuiteOptions): void {
  describeChecks(`aggregate plugin '${options.definition.name}' conformance`, aggregateChecks(options));
}

function checkResult(result: AggregateResult, output: string): void {
  ensure(typeof result === "object" && result !== null, `result() returned ${show(result)}`);
  ensure(result.output === output, `result().output is ${show(result.output)}, not the output '${output}'`);
  ensure(result.format === undefined || typeof result.format === "string", "result().format is not a string");
  if (result.type === "numeric") {
    const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);
    ensure(
      finite(result.value) || (Array.isArray(result.value) && result.value.every(finite)),
      `a numeric result's value is ${show(result.value)}, not a finite number or an array of them`,
    );
  } else if (result.type === "collection") {
    ensure(
      result.value instanceof Map,
      `a collection result's value is ${show(result.value)}, not a Map of counts`,
    );
    for (const [key, count] of result.value) {
      ensure(
        Number.isInteger(count) && count >= 0,
        `the count for ${show(key)} is ${show(count)}, not a whole number`,
      );
    }
  } else {
    ensure(
      false,
      `result().type is ${show((result as { type: unknown }).type)}, not "numeric" or "collection"`,
    );
  }
}

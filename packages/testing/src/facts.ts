import { type Check, ensure, show } from "./check.js";
import { definitionChecks, type SuiteOptions, withPlugin } from "./harness.js";
import { describeChecks } from "./register.js";
import { isPlainObject } from "./values.js";

export type FactsSuiteOptions = SuiteOptions<"facts">;

/**
 * The facts contract: `load` gives a plain object of JSON-like values
 * (filters compare them, `rpcutil get_facts` sends them), it can be called
 * again, and `changed()`, when there is one, answers yes or no.
 */
export function factsChecks(options: FactsSuiteOptions): Check[] {
  return [
    ...definitionChecks("facts", options, "server"),
    {
      name: "load() returns a plain object of fact values",
      run: () =>
        withPlugin(options, "server", async ({ instance }) => {
          checkFacts(await instance.load());
        }),
    },
    {
      name: "changed(), if present, returns a boolean",
      run: () =>
        withPlugin(options, "server", async ({ instance }) => {
          if (typeof instance.changed !== "function") return;
          await instance.load();
          const answer = await instance.changed();
          ensure(typeof answer === "boolean", `changed() returned ${show(answer)}, not true or false`);
        }),
    },
    {
      name: "a second load() works",
      run: () =>
        withPlugin(options, "server", async ({ instance }) => {
          await instance.load();
          checkFacts(await instance.load());
        }),
    },
  ];
}

export function describeFactsPlugin(options: FactsSuiteOptions): void {
  describeChecks(`facts plugin '${options.definition.name}' conformance`, factsChecks(options));
}

function checkFacts(facts: unknown): void {
  ensure(isPlainObject(facts), `load() returned ${show(facts)}, not a plain object`);
  ensure(Object.getOwnPropertySymbols(facts).length === 0, "load() returned an object with symbol keys");
  for (const [key, value] of Object.entries(facts)) {
    const problem = factValueProblem(value, key);
    ensure(problem === undefined, () => `fact ${problem}`);
  }
}

function factValueProblem(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${path} is ${value}`;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const problem = factValueProblem(item, `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      const problem = factValueProblem(v, `${path}.${k}`);
      if (problem) return problem;
    }
    return undefined;
  }
  return `${path} is ${show(value)}: facts are strings, numbers, booleans, null, arrays and plain objects`;
}

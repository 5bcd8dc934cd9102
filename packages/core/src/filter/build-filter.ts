/**
 * A Filter from host-filter options, in command-line order, as
 * `Optionparser#add_filter_options` builds it. The CLI parses argv; this is
 * what it does with each filter option once it has one.
 */
import { FilterSyntaxError } from "@phobos/errors";
import { emptyFilter, type FactFilter, type Filter } from "../message/filter.js";
import { parseCompound } from "./compound/parser.js";
import { parseFactFilter, parseWithFilter } from "./fact-filter.js";
import { type FilterProblem, factProblem, nameProblem } from "./validate-filter.js";

export type HostFilterOption = "-F" | "-C" | "-A" | "-I" | "-W" | "-S";

/** Refuses `value` when an entry read from it could not be evaluated by any daemon. */
function refuse(value: string, problem: FilterProblem | undefined): void {
  if (!problem) return;
  const at = problem.near === undefined ? -1 : value.indexOf(problem.near);
  throw new FilterSyntaxError(
    problem.reason,
    value,
    at < 0 ? undefined : Array.from(value.slice(0, at)).length + 1,
  );
}

function checkedFact(value: string, fact: FactFilter): FactFilter {
  refuse(value, factProblem(fact.operator, fact.value));
  return fact;
}

function checkedName(value: string, name: string): string {
  refuse(value, nameProblem(name));
  return name;
}

/**
 * Applies one option to `filter` (mutating it). Throws FilterSyntaxError for
 * text that does not parse, and for a regex Ruby would refuse: Ruby's mco
 * sends that, and every daemon fails on it while the client prints nothing.
 */
export function addFilterOption(filter: Filter, option: HostFilterOption, value: string): Filter {
  switch (option) {
    case "-F":
      filter.fact.push(checkedFact(value, parseFactFilter(value)));
      break;
    case "-C":
      filter.cf_class.push(checkedName(value, value));
      break;
    case "-A":
      filter.agent.push(checkedName(value, value));
      break;
    case "-I":
      filter.identity.push(checkedName(value, value));
      break;
    case "-W": {
      const { fact, cf_class } = parseWithFilter(value);
      const facts = fact.map((f) => checkedFact(value, f));
      const classes = cf_class.map((c) => checkedName(value, c));
      filter.fact.push(...facts);
      filter.cf_class.push(...classes);
      break;
    }
    case "-S":
      filter.compound.push(parseCompound(value, { validate: true }));
      break;
  }
  return filter;
}

/** `[["-F", "os=Debian"], ["-S", "base or web"]]` → Filter. */
export function buildFilter(options: Iterable<readonly [HostFilterOption, string]>): Filter {
  const filter = emptyFilter();
  for (const [option, value] of options) addFilterOption(filter, option, value);
  return filter;
}

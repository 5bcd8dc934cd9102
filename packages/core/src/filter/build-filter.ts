/**
 * A Filter from host-filter options, in command-line order, as
 * `Optionparser#add_filter_options` builds it. The CLI parses argv; this is
 * what it does with each filter option once it has one.
 */
import { emptyFilter, type Filter } from "../message/filter.js";
import { parseCompound } from "./compound/parser.js";
import { parseFactFilter, parseWithFilter } from "./fact-filter.js";

export type HostFilterOption = "-F" | "-C" | "-A" | "-I" | "-W" | "-S";

/** Applies one option to `filter` (mutating it). Throws FilterSyntaxError for -F and -S text that does not parse. */
export function addFilterOption(filter: Filter, option: HostFilterOption, value: string): Filter {
  switch (option) {
    case "-F":
      filter.fact.push(parseFactFilter(value));
      break;
    case "-C":
      filter.cf_class.push(value);
      break;
    case "-A":
      filter.agent.push(value);
      break;
    case "-I":
      filter.identity.push(value);
      break;
    case "-W": {
      const { fact, cf_class } = parseWithFilter(value);
      filter.fact.push(...fact);
      filter.cf_class.push(...cf_class);
      break;
    }
    case "-S":
      filter.compound.push(parseCompound(value));
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

import type { Filter, FunctionStatement } from "@phobos/core";
import { RegistryFilterError } from "./errors.js";

function describeCall(f: FunctionStatement): string {
  const argument = f.params === null ? "" : JSON.stringify(f.params);
  return `${f.name}(${argument})${f.value === undefined ? "" : `.${f.value}`}`;
}

/**
 * Data functions in `-S` (`fstat("/etc/hosts").size>0`) ask a data plugin
 * on each node, now; the registry holds what nodes reported earlier, so it
 * refuses them, naming each, rather than guess.
 */
export function refuseDataFunctions(filter: Filter): void {
  const calls: string[] = [];
  for (const expression of filter.compound) {
    for (const token of expression) {
      if ("fstatement" in token) calls.push(describeCall(token.fstatement));
    }
  }
  if (calls.length === 0) return;
  throw new RegistryFilterError(
    `the -S function${calls.length > 1 ? "s" : ""} ${calls.join(", ")}`,
    "data plugins run on the daemons; use --dm mc for this filter",
  );
}

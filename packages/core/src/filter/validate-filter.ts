/**
 * A filter checked before it is sent. Ruby MCollective sends a filter whose
 * regex does not compile, and every daemon then logs a RegexpError while the
 * client waits out its timeout and prints nothing; here the client refuses
 * it first, naming the entry. Only what no daemon could evaluate as meant is
 * refused: a pattern Ruby refuses (kind "invalid"), or a `-S` comparison with
 * nothing after its operator. A pattern that is valid Ruby but that Phobos
 * cannot translate (kind "unsupported") still goes out: Ruby daemons run it.
 *
 * Where an entry holds a regex is decided by the same functions the daemon's
 * matcher uses (ruby-pattern.ts, compound/statement.ts).
 */
import { FilterSyntaxError } from "@phobos/errors";
import { compileRubyRegexp, RubyRegexpError } from "@phobos/ruby";
import type { CompoundToken, Filter } from "../message/filter.js";
import { readStatement } from "./compound/statement.js";
import { factRegexpSource, slashedRegexpSource } from "./ruby-pattern.js";

export interface FilterProblem {
  /** The reason, one line: `invalid Ruby regular expression /[/: premature end of char-class`. */
  reason: string;
  /** Text of the entry where it went wrong (a regex source), to place a column. */
  near?: string;
  /** What is missing comes after the entry's end. */
  atEnd?: boolean;
}

function regexpProblem(source: string | undefined, options = 0): FilterProblem | undefined {
  if (source === undefined) return undefined;
  try {
    compileRubyRegexp(source, options);
  } catch (e) {
    if (!(e instanceof RubyRegexpError)) throw e;
    if (e.kind === "invalid") return { reason: e.message, near: source };
  }
  return undefined;
}

/** A `-C`, `-I` or `-A` entry: a name, or a `/regex/`. */
export function nameProblem(value: string): FilterProblem | undefined {
  return regexpProblem(slashedRegexpSource(value));
}

/** An `-F` entry (or a fact word of `-W`). */
export function factProblem(operator: string, value: string): FilterProblem | undefined {
  return operator === "=~" ? regexpProblem(factRegexpSource(value)) : undefined;
}

function dataQuery(name: string, params: string | null, field: string | undefined): string {
  return `${name}(${params === null ? "" : `'${params}'`})${field ? `.${field}` : ""}`;
}

/** One token of a `-S` execution stack. */
export function compoundTokenProblem(token: CompoundToken): FilterProblem | undefined {
  if (typeof token !== "object" || token === null) return undefined;
  if ("statement" in token) {
    if (typeof token.statement !== "string") return undefined;
    const reading = readStatement(token.statement);
    if (reading.kind === "class") return nameProblem(reading.klass);
    if (reading.kind === "fact") return factProblem(reading.operator, reading.value);
    return { reason: `'${token.statement}' has no value after '${reading.operator}'`, atEnd: true };
  }
  if ("fstatement" in token) {
    const f = token.fstatement;
    if (typeof f !== "object" || f === null || typeof f.operator !== "string") return undefined;
    if (typeof f.name !== "string" || (f.params !== null && typeof f.params !== "string")) return undefined;
    // Ruby splits a data query on its last operator, so a doubled one (`.value==x`) asks for a
    // field named `value=`, and `.value==` leaves the operator empty.
    const doubled = typeof f.value === "string" ? /[=<>!]+$/.exec(f.value)?.[0] : undefined;
    if (doubled !== undefined) {
      const field = (f.value as string).slice(0, -doubled.length);
      const query = dataQuery(f.name, f.params, field);
      if (f.operator === "" && typeof f.r_compare === "string") {
        return {
          reason: `the data query ${query} has no value after '${doubled}${f.r_compare}'`,
          atEnd: true,
        };
      }
      // Undo Ruby's renaming of the operator it split off (`=` became `==`, `=/re/` became `=~`).
      const split =
        f.operator === "==" || f.operator === "=~" ? "=" : f.operator === "!=~" ? "!=" : f.operator;
      return {
        reason: `the data query ${query} cannot be compared with '${doubled}${split}': use =, !=, <, >, <= or >=`,
      };
    }
    if (typeof f.r_compare !== "string") {
      const regexp = (f.r_compare as { regexp?: { source?: unknown; options?: unknown } } | null)?.regexp;
      if (typeof regexp?.source !== "string") return undefined;
      return regexpProblem(regexp.source, typeof regexp.options === "number" ? regexp.options : 0);
    }
    return /=~/.test(f.operator) ? regexpProblem(f.r_compare) : undefined;
  }
  return undefined;
}

function describeToken(token: CompoundToken): string {
  if ("statement" in token) return token.statement;
  if ("fstatement" in token) return `${token.fstatement.name}(${token.fstatement.params ?? ""})`;
  return Object.keys(token)[0] ?? "";
}

/**
 * Throws FilterSyntaxError for the first entry of `filter` no daemon could
 * evaluate as meant, naming the entry. For filters built in code; the
 * command line checks each option as it reads it (build-filter.ts).
 */
export function validateFilter(filter: Filter): void {
  const fail = (what: string, entry: string, problem: FilterProblem | undefined): void => {
    if (problem) throw new FilterSyntaxError(`${what} ${JSON.stringify(entry)}: ${problem.reason}`, entry);
  };
  // A shape that is not a Filter's is left to the daemons, which report it as Ruby's would.
  const list = <T>(value: readonly T[] | undefined): readonly T[] => (Array.isArray(value) ? value : []);
  // Only scalars are read: an entry such as {"toString":{}} cannot even be printed.
  const scalar = (value: unknown): string | undefined =>
    typeof value === "string" || typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : undefined;
  if (typeof filter !== "object" || filter === null) return;
  for (const f of list(filter.fact)) {
    if (typeof f !== "object" || f === null) continue;
    const [fact, operator, value] = [scalar(f.fact), scalar(f.operator), scalar(f.value)];
    if (fact === undefined || operator === undefined || value === undefined) continue;
    fail("fact filter", `${fact}${operator}${value}`, factProblem(operator, value));
  }
  const names: [string, readonly unknown[]][] = [
    ["class filter", list(filter.cf_class)],
    ["identity filter", list(filter.identity)],
    ["agent filter", list(filter.agent)],
  ];
  for (const [what, entries] of names) {
    for (const entry of entries) {
      const name = scalar(entry);
      if (name !== undefined) fail(what, name, nameProblem(name));
    }
  }
  for (const expression of list(filter.compound)) {
    if (!Array.isArray(expression)) continue;
    for (const token of expression) {
      const problem = compoundTokenProblem(token);
      if (problem) fail("compound filter", describeToken(token), problem);
    }
  }
}

/**
 * `-F/--with-fact` and `-W/--with` arguments, read the way MCollective's
 * `Util.parse_fact_string` and `Optionparser` read them.
 */
import { FilterSyntaxError } from "@phobos/errors";
import { compileRubyRegexp, rubySplitWords } from "@phobos/ruby";
import type { FactFilter, FactOperator } from "../message/filter.js";

interface Rule {
  /** Ruby source, compiled with Ruby semantics (`^` is a line anchor, `.` stops at `\n`). */
  pattern: string;
  build(m: RegExpExecArray): FactFilter;
}

// Order matters: `a=>b` must be `>=` before the plain `=` rule sees it, and a
// `=/re/` value keeps its slashes (MCollective 1.x daemons expected them).
const RULES: Rule[] = [
  { pattern: "^([^ ]+?)[ ]*=>[ ]*(.+)", build: (m) => fact(m[1], m[2], ">=") },
  { pattern: "^([^ ]+?)[ ]*=<[ ]*(.+)", build: (m) => fact(m[1], m[2], "<=") },
  {
    pattern: "^([^ ]+?)[ ]*(<=|>=|<|>|!=|==|=~)[ ]*(.+)",
    build: (m) => fact(m[1], m[3], m[2] as FactOperator),
  },
  { pattern: "^(.+?)[ ]*=[ ]*\\/(.+)\\/$", build: (m) => fact(m[1], `/${m[2]}/`, "=~") },
  { pattern: "^([^= ]+?)[ ]*=[ ]*(.+)", build: (m) => fact(m[1], m[2], "==") },
];

function fact(name: string | undefined, value: string | undefined, operator: FactOperator): FactFilter {
  return { fact: name ?? "", value: value ?? "", operator };
}

/** Where a fact filter went wrong, for the caret under it (1-based, in characters). */
function offendingColumn(text: string): number {
  const chars = Array.from(text);
  const op = chars.findIndex((c) => "=<>!".includes(c));
  if (op < 0) return chars.length + 1;
  if (chars.slice(0, op).every((c) => c === " ")) return 1;
  let value = op;
  while (value < chars.length && "=<>!~ ".includes(chars[value] as string)) value += 1;
  if (value >= chars.length) return value + 1;
  const name = chars.slice(0, op);
  while (name.at(-1) === " ") name.pop();
  const blank = name.indexOf(" ");
  return blank >= 0 ? blank + 1 : 1;
}

/**
 * `fact=value`, `fact=/re/`, `fact>=1`, `fact=>1` (read as `>=`), `fact=<1`
 * (read as `<=`), `fact!=x`, `fact=~re` … Throws FilterSyntaxError.
 */
export function parseFactFilter(text: string): FactFilter {
  for (const rule of RULES) {
    const m = compileRubyRegexp(rule.pattern).exec(text);
    if (m) return rule.build(m);
  }
  throw new FilterSyntaxError(
    `Could not parse fact ${text} it does not appear to be in a valid format`,
    text,
    offendingColumn(text),
  );
}

/**
 * `-W "base role=web /^dev/"`: each space-separated word that parses as a
 * fact filter is one, every other word is a class (a `/re/` included).
 */
export function parseWithFilter(text: string): { fact: FactFilter[]; cf_class: string[] } {
  const result: { fact: FactFilter[]; cf_class: string[] } = { fact: [], cf_class: [] };
  for (const word of rubySplitWords(text)) {
    try {
      result.fact.push(parseFactFilter(word));
    } catch (e) {
      if (!(e instanceof FilterSyntaxError)) throw e;
      result.cf_class.push(word);
    }
  }
  return result;
}

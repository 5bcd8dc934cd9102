/**
 * One fact comparison (`-F`, `-W`, or a `-S` statement such as `role=web`)
 * against a node's fact, as `Util.has_fact?` and `test_fact_value` do it:
 * an Array fact matches when any element does, a Hash fact when any key
 * does; `< > <= >= !=` compare numbers only when both sides look like
 * integers (or both like decimals) by Ruby's own loose patterns, and Strings
 * byte by byte otherwise.
 */
import { compileRubyRegexp, rubyCompareStrings, rubyKernelFloat, rubyKernelInteger } from "@phobos/ruby";
import { FilterEvaluationError } from "./evaluation-errors.js";
import type { FactValue } from "./fact-value.js";
import { factRegexpSource, filterRegexp } from "./ruby-pattern.js";

const ORDERING = new Set(["<=", ">=", "<", ">", "!="]);
// Ruby's patterns verbatim: line anchors, and an unescaped `.` that is any character.
const LOOKS_INTEGER = compileRubyRegexp("^[0-9]+$");
const LOOKS_DECIMAL = compileRubyRegexp("^[0-9]+.[0-9]+$");

type Comparable = string | number | bigint;

function compare(a: Comparable, b: Comparable): number {
  if (typeof a === "string" && typeof b === "string") return rubyCompareStrings(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function ordered(a: Comparable, b: Comparable, operator: string): boolean {
  const c = compare(a, b);
  switch (operator) {
    case "<":
      return c < 0;
    case ">":
      return c > 0;
    case "<=":
      return c <= 0;
    case ">=":
      return c >= 0;
    default:
      return c !== 0;
  }
}

function convert<T>(text: string, parse: (s: string) => T): T {
  try {
    return parse(text);
  } catch (e) {
    throw new FilterEvaluationError(`fact value ${JSON.stringify(text)} is not a number`, { cause: e });
  }
}

/** Facts are normalised to Strings; a source that slipped a number or null through gets Ruby's `to_s`. */
function leaf(value: FactValue): FactValue {
  if (value === null) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return value;
}

function testFactValue(raw: FactValue, value: string, operator: string): boolean {
  const fact = leaf(raw);
  if (operator === "=~") {
    const pattern = filterRegexp(factRegexpSource(value));
    if (typeof fact !== "string")
      throw new FilterEvaluationError("cannot match a regex against a nested fact");
    return pattern.test(fact);
  }
  if (operator === "==") return fact === value;
  if (!ORDERING.has(operator)) return false;
  if (typeof fact !== "string") {
    if (operator === "!=") return true;
    throw new FilterEvaluationError(`cannot compare a nested fact with ${operator}`);
  }
  if (LOOKS_INTEGER.test(value) && LOOKS_INTEGER.test(fact)) {
    return ordered(convert(fact, rubyKernelInteger), convert(value, rubyKernelInteger), operator);
  }
  if (LOOKS_DECIMAL.test(value) && LOOKS_DECIMAL.test(fact)) {
    return ordered(convert(fact, rubyKernelFloat), convert(value, rubyKernelFloat), operator);
  }
  return ordered(fact, value, operator);
}

/** `undefined` is a fact the node does not have: it never matches, whatever the operator. */
export function hasFact(fact: FactValue | undefined, value: string, operator: string): boolean {
  if (fact === undefined) return false;
  if (Array.isArray(fact)) return fact.some((element) => testFactValue(element, value, operator));
  if (fact !== null && typeof fact === "object") {
    return Object.keys(fact).some((key) => testFactValue(key, value, operator));
  }
  return testFactValue(fact, value, operator);
}

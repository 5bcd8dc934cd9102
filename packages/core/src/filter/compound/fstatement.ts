/**
 * A data-plugin comparison (`fstat("/etc/hosts").size>10`) on one node, with
 * `Matcher.eval_compound_fstatement`'s rules: no result is false; `<`/`>`
 * never apply to Strings or booleans; regexes only to Strings; the right side
 * is read as a number or boolean when the left side is one; backticks in the
 * argument are refused.
 */

import { rubyCompareStrings, rubyKernelFloat, rubyKernelInteger, rubyStrip } from "@phobos/ruby";
import type { FunctionStatement, RegexpValue } from "../../message/filter.js";
import { DataQueryError, FilterEvaluationError } from "../evaluation-errors.js";
import type { NodeView } from "../node-view.js";
import { filterRegexp, rubyRegexpToString } from "../ruby-pattern.js";

type Scalar = string | number | bigint | boolean;

function isRegexpValue(value: unknown): value is RegexpValue {
  if (typeof value !== "object" || value === null || !("regexp" in value)) return false;
  const r = (value as RegexpValue).regexp;
  return typeof r === "object" && r !== null && typeof r.source === "string" && typeof r.options === "number";
}

function toNumber(text: string): number | bigint {
  const s = rubyStrip(text);
  try {
    return rubyKernelInteger(s);
  } catch {
    try {
      return rubyKernelFloat(s);
    } catch {
      throw new FilterEvaluationError(`invalid numeric value: ${s}`);
    }
  }
}

function toBoolean(text: string): boolean {
  const s = rubyStrip(text);
  if (s === "true") return true;
  if (s === "false") return false;
  throw new FilterEvaluationError(`invalid boolean value: ${s}`);
}

function numbersEqual(a: number | bigint, b: number | bigint): boolean {
  if (typeof a === typeof b) return a === b;
  const [n, big] = (typeof a === "number" ? [a, b] : [b, a]) as [number, bigint];
  return Number.isInteger(n) && BigInt(n) === big;
}

/** `left.send(operator, right)` for the values a data plugin returns. */
function send(left: unknown, operator: string, right: unknown): boolean {
  const isNumber = (v: unknown): v is number | bigint => typeof v === "number" || typeof v === "bigint";
  const bothNumbers = isNumber(left) && isNumber(right);
  const bothStrings = typeof left === "string" && typeof right === "string";
  if (operator === "==" || operator === "!=") {
    let equal: boolean;
    if (bothNumbers) equal = numbersEqual(left, right);
    else if (bothStrings || (typeof left === "boolean" && typeof right === "boolean")) equal = left === right;
    else equal = false;
    return operator === "==" ? equal : !equal;
  }
  if (!(bothNumbers || bothStrings)) {
    throw new FilterEvaluationError(`cannot compare ${typeof left} with ${typeof right} using ${operator}`);
  }
  const l = left as Scalar;
  const r = right as Scalar;
  const c = bothStrings ? rubyCompareStrings(l as string, r as string) : l < r ? -1 : l > r ? 1 : 0;
  if (Number.isNaN(left) || Number.isNaN(right)) return false;
  switch (operator) {
    case "<":
      return c < 0;
    case ">":
      return c > 0;
    case "<=":
      return c <= 0;
    default:
      return c >= 0;
  }
}

export async function evaluateFunctionStatement(
  statement: FunctionStatement,
  node: NodeView,
): Promise<boolean> {
  if (typeof statement !== "object" || statement === null || typeof statement.name !== "string") {
    throw new FilterEvaluationError("compound fstatement is not a data query");
  }
  const { name, params, operator, r_compare: compare } = statement;
  let result: Record<string, unknown> | undefined;
  try {
    result = await node.data(name, params ?? null);
  } catch (e) {
    throw new DataQueryError(`data query ${name}(${params ?? ""}) failed: ${(e as Error)?.message ?? e}`, {
      cause: e,
    });
  }
  if (result === undefined || result === null) throw new DataQueryError(`no data plugin '${name}'`);

  // Without a field the whole result object is compared: equal to nothing, unequal to anything.
  let left: unknown = result;
  if (statement.value !== undefined && statement.value !== null) {
    left = Object.hasOwn(result, statement.value) ? result[statement.value] : undefined;
  }
  if (left === undefined || left === null) return false;
  if (typeof operator !== "string") throw new FilterEvaluationError("compound fstatement has no operator");
  if ((typeof left === "string" || typeof left === "boolean") && /<|>/.test(operator)) return false;
  if (typeof params === "string" && params.includes("`")) return false;

  if (/(=~|!=~)/.test(operator)) {
    if (typeof left !== "string") return false;
    let pattern: RegExp;
    if (isRegexpValue(compare)) pattern = filterRegexp(compare.regexp.source, compare.regexp.options);
    else if (typeof compare === "string") pattern = filterRegexp(compare);
    else throw new FilterEvaluationError("compound fstatement compares with neither a String nor a Regexp");
    const matched = pattern.test(left);
    return operator === "!=~" ? !matched : matched;
  }

  let right: unknown = compare;
  if (typeof left === "string") {
    right = isRegexpValue(compare) ? rubyRegexpToString(compare) : String(compare);
  } else if (typeof compare === "string") {
    if (typeof left === "number" || typeof left === "bigint") right = toNumber(compare);
    else if (typeof left === "boolean") right = toBoolean(compare);
  }
  const op = /(?:(!=|<=|>=|<|>)|==?)/.exec(rubyStrip(operator));
  if (!op) throw new FilterEvaluationError(`invalid operator: ${operator}`);
  return send(left, op[1] ?? "==", right);
}

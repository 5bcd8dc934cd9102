/**
 * One `-S` execution stack judged on one node, as `validate_filter?` judges
 * it: every statement and data query is evaluated first, left to right, and
 * the resulting `true && ! ( false || true )` is then read as a Ruby boolean
 * expression (`!` binds tighter than `&&`, `&&` tighter than `||`). A stack
 * that is not such an expression (`( a ) b` is accepted by the parser) is an
 * error, as Ruby's `eval` raises SyntaxError on it; an empty one is false.
 */
import type { CompoundExpression } from "../../message/filter.js";
import { DataQueryError, FilterEvaluationError } from "../evaluation-errors.js";
import { hasFact } from "../fact-match.js";
import { hasClass } from "../host-match.js";
import type { NodeView } from "../node-view.js";
import { evaluateFunctionStatement } from "./fstatement.js";
import { readStatement } from "./statement.js";

type Truth = boolean | "&&" | "||" | "!" | "(" | ")";

const OPERATOR = { and: "&&", or: "||", not: "!", "(": "(", ")": ")" } as const;

/** `Matcher.eval_compound_statement`: a class name, a `/class regex/`, or a fact comparison. */
async function evaluateStatement(statement: unknown, node: NodeView): Promise<boolean> {
  if (typeof statement !== "string") throw new FilterEvaluationError("compound statement is not a String");
  const reading = readStatement(statement);
  if (reading.kind === "class") return hasClass(node, reading.klass);
  if (reading.kind === "incomplete")
    throw new FilterEvaluationError(`statement '${statement}' has nothing to compare with`);
  return hasFact(await node.fact(reading.fact), reading.value, reading.operator);
}

class TruthReader {
  private pos = 0;

  constructor(private readonly truths: readonly Truth[]) {}

  read(): boolean {
    if (this.truths.length === 0) return false;
    const value = this.or();
    if (this.pos !== this.truths.length) this.fail();
    return value;
  }

  private fail(): never {
    throw new FilterEvaluationError(
      `compound filter is not a boolean expression: ${this.truths.join(" ")} (Ruby raises SyntaxError)`,
    );
  }

  private or(): boolean {
    let value = this.and();
    while (this.truths[this.pos] === "||") {
      this.pos += 1;
      const right = this.and();
      value = value || right;
    }
    return value;
  }

  private and(): boolean {
    let value = this.not();
    while (this.truths[this.pos] === "&&") {
      this.pos += 1;
      const right = this.not();
      value = value && right;
    }
    return value;
  }

  private not(): boolean {
    let negations = 0;
    while (this.truths[this.pos] === "!") {
      negations += 1;
      this.pos += 1;
    }
    const value = this.primary();
    return negations % 2 === 1 ? !value : value;
  }

  private primary(): boolean {
    const t = this.truths[this.pos];
    if (typeof t === "boolean") {
      this.pos += 1;
      return t;
    }
    if (t !== "(") this.fail();
    this.pos += 1;
    // `( )` is nil in Ruby: falsy.
    if (this.truths[this.pos] === ")") {
      this.pos += 1;
      return false;
    }
    const value = this.or();
    if (this.truths[this.pos] !== ")") this.fail();
    this.pos += 1;
    return value;
  }
}

/**
 * True when the node satisfies the expression. A data query that cannot be
 * answered makes it false; anything Ruby would raise on throws
 * FilterEvaluationError.
 */
export async function evaluateCompound(expression: CompoundExpression, node: NodeView): Promise<boolean> {
  if (!Array.isArray(expression)) throw new FilterEvaluationError("compound expression is not an Array");
  const truths: Truth[] = [];
  try {
    for (const token of expression) {
      if (typeof token !== "object" || token === null) {
        throw new FilterEvaluationError("compound token is not a Hash");
      }
      const key = Object.keys(token)[0];
      const value: unknown = (token as Record<string, unknown>)[key ?? ""];
      if (key === "statement") truths.push(await evaluateStatement(value, node));
      else if (key === "fstatement") truths.push(await evaluateFunctionStatement(value as never, node));
      else if (key !== undefined && Object.hasOwn(OPERATOR, key))
        truths.push(OPERATOR[key as keyof typeof OPERATOR]);
      // Ruby skips any other token.
    }
  } catch (e) {
    if (e instanceof DataQueryError) return false;
    throw e;
  }
  return new TruthReader(truths).read();
}

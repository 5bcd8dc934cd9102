/**
 * `-S` text → MCollective's execution stack, the array of one-entry Hashes a
 * request carries in `filter["compound"]`.
 *
 * Acceptance follows `Matcher::Parser`: each token is judged only by the
 * token after it (and `and`/`or` also by the one before), parentheses are
 * counted, and malformed tokens are reported before misplaced ones, which
 * are reported before unbalanced parentheses. Like Ruby, anything may follow
 * `)`: `(a) b` is accepted and goes on the wire, and every daemon then finds
 * it meaningless (see evaluate.ts).
 */
import { FilterSyntaxError } from "@phobos/errors";
import type { CompoundExpression, CompoundToken } from "../../message/filter.js";
import { compoundTokenProblem, type FilterProblem } from "../validate-filter.js";
import { FunctionStatementError, toFunctionStatement } from "./function-statement.js";
import { type ScannedKind, type ScannedToken, scanToken } from "./scanner.js";

const STARTS_OPERAND = new Set<ScannedKind>(["not", "fstatement", "statement", "("]);
const ENDS_OPERAND = new Set<ScannedKind>(["and", "or", ")"]);

interface Problem {
  column: number;
  reason: string;
}

function describe(token: ScannedToken | undefined): string {
  if (!token) return "the end of the filter";
  return token.kind === "statement" || token.kind === "fstatement" || token.kind === "bad"
    ? `'${token.text}'`
    : `'${token.kind}'`;
}

function toCompoundToken(token: ScannedToken, input: string): CompoundToken {
  switch (token.kind) {
    case "statement":
      return { statement: token.text };
    case "fstatement":
      try {
        return { fstatement: toFunctionStatement(token.text) };
      } catch (e) {
        if (!(e instanceof FunctionStatementError)) throw e;
        throw new FilterSyntaxError(
          `Could not parse the data query ${describe(token)} in -S input: ${e.message}`,
          input,
          e.atEnd ? token.last + 2 : token.start + 1,
        );
      }
    case "and":
      return { and: "and" };
    case "or":
      return { or: "or" };
    case "not":
      return { not: "not" };
    case "(":
      return { "(": "(" };
    case ")":
      return { ")": ")" };
    default:
      throw new Error(`unreachable token kind ${token.kind}`);
  }
}

/** Where in `input` a problem with `token` lies (1-based, in characters). */
function problemColumn(chars: readonly string[], token: ScannedToken, problem: FilterProblem): number {
  if (problem.atEnd) return token.last + 2;
  const text = chars.slice(token.start, token.last + 1).join("");
  const at = problem.near === undefined ? -1 : text.indexOf(problem.near);
  return token.start + 1 + (at < 0 ? 0 : Array.from(text.slice(0, at)).length);
}

export interface ParseCompoundOptions {
  /**
   * Also refuse what Ruby's parser accepts but no daemon can evaluate as
   * meant (a regex Ruby refuses, `role=` with no value, `fact('x').value==`),
   * as a client does before sending. Off, the result is exactly Ruby's.
   */
  validate?: boolean;
}

/**
 * Parses one `-S` expression (`"role=web and (base or /^dev/) and !fstat('/x').size>0"`).
 * Throws FilterSyntaxError pointing at the first offending character.
 */
export function parseCompound(input: string, options: ParseCompoundOptions = {}): CompoundExpression {
  const chars = Array.from(input);
  const size = chars.length;
  const malformed: Problem[] = [];
  const misplaced: Problem[] = [];
  const openParens: ScannedToken[] = [];
  const accepted: ScannedToken[] = [];

  let previous: ScannedToken | undefined;
  let current = scanToken(chars, 0, input);
  let index = current?.last ?? 0;
  while (current) {
    let next: ScannedToken | undefined;
    do {
      index += 1;
      next = scanToken(chars, index, input);
      if (next) index = next.last;
    } while (next?.kind === "space");
    // Ruby compares its position with the input length here, not with the next token.
    const atEnd = index === size;
    const blame = (token: ScannedToken | undefined, reason: string): void => {
      misplaced.push({ column: (token ?? current ?? { start: 0 }).start + 1, reason });
    };

    switch (current.kind) {
      case "bad":
        malformed.push({ column: current.start + 1, reason: `malformed token ${describe(current)}` });
        break;
      case "and":
      case "or":
        if (!(next && STARTS_OPERAND.has(next.kind)) && !(atEnd && next)) {
          blame(
            next,
            `'${current.kind}' must be followed by a statement, 'not' or '(', not ${describe(next)}`,
          );
        }
        if (!previous) blame(current, `'${current.kind}' needs a statement before it`);
        else if (previous.kind === "and" || previous.kind === "or") {
          blame(current, `'${current.kind}' cannot follow '${previous.kind}'`);
        }
        break;
      case "not":
        if (!(next && STARTS_OPERAND.has(next.kind))) {
          blame(next, `'not' must be followed by a statement, 'not' or '(', not ${describe(next)}`);
        }
        break;
      case "statement":
      case "fstatement":
        if (!(next && ENDS_OPERAND.has(next.kind)) && !atEnd) {
          blame(next, `${describe(next)} cannot follow the statement ${describe(current)}`);
        }
        break;
      case ")":
        if (!next && !atEnd) blame(current, "unexpected ')'");
        if (openParens.length > 0) openParens.pop();
        else openParens.push(current);
        break;
      case "(":
        if (!(next && STARTS_OPERAND.has(next.kind))) {
          blame(next, `'(' must be followed by a statement, 'not' or '(', not ${describe(next)}`);
        }
        openParens.push(current);
        break;
      default:
        blame(current, "the filter cannot start with a blank");
    }
    if (current.kind !== "bad") accepted.push(current);
    previous = current;
    current = next;
  }

  const first = malformed[0] ?? misplaced[0];
  if (first) {
    const what = malformed.length > 0 ? "Malformed token(s)" : "Parse errors";
    throw new FilterSyntaxError(`${what} found while parsing -S input: ${first.reason}`, input, first.column);
  }
  const unmatched = openParens[0];
  if (unmatched) {
    const reason = unmatched.kind === "(" ? "this '(' is never closed" : "this ')' closes nothing";
    throw new FilterSyntaxError(
      `Missing parenthesis found while parsing -S input: ${reason}`,
      input,
      unmatched.start + 1,
    );
  }
  const stack = accepted.map((token) => toCompoundToken(token, input));
  if (options.validate) {
    stack.forEach((token, i) => {
      const problem = compoundTokenProblem(token);
      const scanned = accepted[i] as ScannedToken;
      if (problem) throw new FilterSyntaxError(problem.reason, input, problemColumn(chars, scanned, problem));
    });
  }
  return stack;
}

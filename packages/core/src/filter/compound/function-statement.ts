/**
 * A data-plugin call cut out of a `-S` expression (`fstat("/etc/hosts").size>10`)
 * taken apart into the `fstatement` Hash MCollective sends. Ruby daemons
 * evaluate this Hash, so it is split the way `Matcher.create_function_hash`
 * splits it: on the last comparison operator, on the last dot outside a
 * trailing `(...)`, on the first `(`; with the outermost quotes of the
 * argument removed and a `/re/` right side turned into a Regexp.
 */

import { compileRubyRegexp, RubyRegexpError, rubyRemoveAll, rubySplit, rubySplitRegexp } from "@phobos/ruby";
import type { FunctionStatement, RegexpValue } from "../../message/filter.js";

/** Why a call could not be taken apart; the parser reports it with a column. */
export class FunctionStatementError extends Error {
  /** What is missing comes after the call's end (the parser's column points there). */
  readonly atEnd: boolean;

  constructor(message: string, options: { atEnd?: boolean } = {}) {
    super(message);
    this.atEnd = options.atEnd ?? false;
  }
}

function withoutOutermostQuotes(params: string): string {
  const pieces = rubySplitRegexp(params, /('|")/);
  const isQuote = (p: string): boolean => p === "'" || p === '"';
  const first = pieces.findIndex(isQuote);
  if (first >= 0) pieces.splice(first, 1);
  const last = pieces.findLastIndex(isQuote);
  if (last >= 0) pieces.splice(last, 1);
  return pieces.join("");
}

export function toFunctionStatement(call: string): FunctionStatement {
  const parts = rubySplitRegexp(call, /(!=|>=|<=|<|>|=)/);
  const rightSide = parts.pop();
  let operator = parts.pop();
  const left = parts.join("");
  if (rightSide === undefined || operator === undefined) {
    throw new FunctionStatementError(`'${call}' compares the data query with nothing`);
  }

  let value: string | undefined;
  let callPart = left;
  if (!compileRubyRegexp("^.+\\(.*\\)$").test(left)) {
    const pieces = rubySplit(left, ".");
    value = pieces.pop();
    callPart = pieces.join(".");
  }

  let compare: string | RegexpValue = rightSide;
  if (compileRubyRegexp("^\\/.*\\/$").test(rightSide)) {
    if (operator === "=") operator = "=~";
    else if (operator === "!=") operator = "!=~";
    const source = rubyRemoveAll(rightSide, "^\\/|\\/$");
    try {
      compileRubyRegexp(source);
    } catch (e) {
      // Ruby's Regexp.new refuses it on the client; a pattern we merely cannot run still goes out.
      if (e instanceof RubyRegexpError && e.kind === "invalid") throw new FunctionStatementError(e.message);
      if (!(e instanceof RubyRegexpError)) throw e;
    }
    compare = { regexp: { source, options: 0 } };
  } else if (operator === "=") {
    operator = "==";
  }

  const [name, rawParams] = rubySplit(callPart, "(");
  if (name === undefined || rawParams === undefined) {
    // `f('x').size>=` split on its trailing operator leaves no call at all.
    const trailing = compileRubyRegexp("(!=|>=|<=|<|>|=)$").exec(call)?.[0];
    if (trailing !== undefined) {
      throw new FunctionStatementError(`'${call}' has no value after '${trailing}'`, { atEnd: true });
    }
    throw new FunctionStatementError(`'${call}' does not name a data query with its argument`);
  }
  const params = rawParams === ")" ? null : withoutOutermostQuotes(rawParams.replaceAll(")", ""));

  // Key order as Ruby builds the Hash (r_compare, operator, value, name, params).
  const statement: FunctionStatement = { r_compare: compare, operator } as FunctionStatement;
  if (value !== undefined) statement.value = value;
  statement.name = name;
  statement.params = params;
  return statement;
}

/**
 * What a `-S` statement asks, read as `Matcher.eval_compound_statement`
 * reads it: a `/class regex/`, a class name, or a fact comparison. The
 * daemon evaluates this reading and the client checks it before sending, so
 * both share it.
 */
import { compileRubyRegexp, rubySplit } from "@phobos/ruby";

export type StatementReading =
  | { kind: "class"; klass: string }
  | { kind: "fact"; fact: string; value: string; operator: string }
  /** `role=` or `role==`: a comparison with nothing after it. */
  | { kind: "incomplete"; fact: string; operator: string };

export function readStatement(statement: string): StatementReading {
  if (compileRubyRegexp("^\\/").test(statement)) return { kind: "class", klass: statement };
  const comparison = compileRubyRegexp(">=|<=|=|<|>").exec(statement);
  if (!comparison) return { kind: "class", klass: statement };
  // Ruby splits on the first operator found and keeps two fields: `a=b=c` compares a with b,
  // `a!=b` looks for a fact named `a!`, `a=>1` compares a with ">1", `a==` has no value.
  const [fact = "", value] = rubySplit(statement, comparison[0]);
  if (value === undefined) {
    const operator = statement.slice(comparison.index).trimEnd();
    return { kind: "incomplete", fact, operator };
  }
  const operator = value.startsWith("/") ? "=~" : comparison[0] === "=" ? "==" : comparison[0];
  return { kind: "fact", fact, value, operator };
}

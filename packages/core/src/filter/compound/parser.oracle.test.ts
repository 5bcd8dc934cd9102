/**
 * Differential test: thousands of `-S` inputs, hand-picked and generated,
 * through parseCompound and through Ruby MCollective's own
 * Matcher.create_compound_callstack (one Ruby process). The stack must be
 * the same (it goes on the wire) and so must the kind of rejection.
 */

import { FilterSyntaxError } from "@phobos/errors";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { CompoundExpression } from "../../message/filter.js";
import { oracleOnce } from "../__oracle__/ruby.js";
import { parseCompound } from "./parser.js";

type Outcome = { stack: CompoundExpression } | { error: string; detail?: string };

const FRAGMENTS = [
  "a",
  "b",
  "base",
  "role=web",
  "role = web",
  "x=/w.b/",
  "x=/a b/",
  "os=Debian",
  "n>5",
  "n <= 5",
  "n=>5",
  "n=<5",
  "a!=b",
  "a=~b",
  "and",
  "or",
  "not",
  "!",
  "(",
  ")",
  " ",
  "  ",
  "fstat('/tmp/x').size>10",
  'fstat("/tmp/x").size>=10',
  'fact("role").value=web',
  "fact('role')=web",
  "fact('a.b').value!=/x/",
  "agent('rpcutil').version=/1/",
  "collective('mcollective').member=true",
  "f('a', 'b').v=1",
  "f()",
  "f(",
  "f().x=1",
  "=",
  "/",
  "'",
  '"',
  "\\",
  "<",
  ">",
  "<=",
  ">=",
  "=>",
  "!=",
  "=~",
  "n",
  "o",
  "nd",
  "r",
  ".",
  ",",
  "x",
  "1",
  "\t",
  "'a b'",
  '"a\\"b"',
  "/re/",
  "/^dev/",
  "//",
  "=/x/",
  "ot",
  "not(",
  "and(",
  "or(",
  "\n",
  "fstat(",
  ".size",
  ".value",
  "'x'",
  '"x"',
  "/x/",
  "=/",
  "\\'",
  '\\"',
  "'/tmp/a b'",
  ")=",
  "!=/",
  "_",
];

function corpus(): string[] {
  const handPicked = [
    "",
    " ",
    "a",
    " a",
    "a ",
    "operatingsystem=Debian or (role=db and not datacenter=dc1)",
    "a or b and c",
    "not a and b",
    "!a or b",
    "((a) and (b or c))",
    "(/foo/)",
    "(/foo/ )",
    "(a) b",
    "a) or (b))",
    "a and",
    "a and not",
    "foo = bar = baz",
    "fact('x')",
    "fstat('x').size",
    "=//x)",
    "=//x/",
    "x=/ab\\",
    'x="a b"',
    "x='it\\'s'",
    'fact("x.y=z")',
    'f("a(b").v=1',
    "a=/x/i",
    "fstat('/tmp/x').size>/5/",
    "fact('x').value=/[/",
    "fact('x').value=/(?<a>x)/",
    "a/=b",
    "foo(",
    "role=/^web\\d+$/",
    "a\u00e9b=c and d",
    "\u{1F600} or x=\u{1F600}",
  ];
  const fragment = fc.constantFrom(...FRAGMENTS);
  const joined = fc.array(fragment, { minLength: 1, maxLength: 9 }).map((parts) => parts.join(""));
  const spaced = fc.array(fragment, { minLength: 1, maxLength: 7 }).map((parts) => parts.join(" "));
  const soup = fc.string({ unit: fc.constantFrom(..."ab nodtr!()/=<>~'\"\\.,f1 "), maxLength: 14 });
  const generated = fc.sample(fc.oneof(joined, spaced, soup), {
    seed: 20240611,
    numRuns: Number(process.env.ORACLE_RUNS ?? 8000),
  });
  return [...new Set([...handPicked, ...generated])];
}

function ours(input: string): Outcome {
  try {
    return { stack: parseCompound(input) };
  } catch (e) {
    if (!(e instanceof FilterSyntaxError)) throw e;
    const m = e.message;
    if (m.startsWith("Malformed token")) return { error: "token" };
    if (m.startsWith("Parse errors")) return { error: "parse" };
    if (m.startsWith("Missing parenthesis")) return { error: "paren" };
    if (m.startsWith("An exception was raised while trying to tokenize")) return { error: "tokenize" };
    return { error: "function" };
  }
}

describe("parseCompound against Ruby's Matcher.create_compound_callstack", () => {
  const inputs = corpus();
  const oracle = oracleOnce<Outcome[]>("compound-oracle.rb", () => inputs);

  beforeAll(() => {
    try {
      oracle();
    } catch {
      // Every test below rethrows it.
    }
  }, 300_000);

  it(`agrees on all ${inputs.length} inputs`, () => {
    const ruby = oracle();
    expect(ruby).toHaveLength(inputs.length);
    const disagreements: string[] = [];
    inputs.forEach((input, i) => {
      const theirs = ruby[i] as Outcome;
      const mine = ours(input);
      const expected = "stack" in theirs ? { stack: theirs.stack } : { error: theirs.error };
      try {
        expect(mine).toEqual(expected);
      } catch {
        disagreements.push(
          `${JSON.stringify(input)}\n    ruby: ${JSON.stringify(theirs)}\n    ours: ${JSON.stringify(mine)}`,
        );
      }
    });
    expect(disagreements.slice(0, 25).join("\n")).toBe("");
  });

  it("exercises both accepted and rejected inputs", () => {
    const ruby = oracle();
    const accepted = ruby.filter((r) => "stack" in r).length;
    expect(accepted).toBeGreaterThan(300);
    expect(ruby.length - accepted).toBeGreaterThan(300);
  });
});

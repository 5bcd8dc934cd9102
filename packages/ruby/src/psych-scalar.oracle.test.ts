/**
 * psychTokenize against what Ruby's Psych makes of a plain scalar
 * (`YAML.unsafe_load("--- " + s)`, one Ruby process for the whole table):
 * the class, and the value as `to_s` prints it.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { rubyOnce } from "./__oracle__/run-ruby.js";
import { rubyFloatToS } from "./float-to-s.js";
import { psychTokenize } from "./psych-scalar.js";

const TABLE = [
  "1",
  "-1",
  "+1",
  "0",
  "0x1f",
  "0X1f",
  "-0x1f",
  "0o17",
  "017",
  "09",
  "0b101",
  "1_000",
  "1,000",
  "12345678901234567890",
  "1.5",
  "-1.5",
  "1.",
  ".5",
  "1e3",
  "1.0e3",
  "1.0e+3",
  "1.5e-3",
  "1_000.5",
  "1e15",
  "1.0e+15",
  "1:20",
  "1:20:30",
  "-1:20",
  "1:20.5",
  ".inf",
  ".Inf",
  "+.inf",
  "-.Inf",
  "-.inf",
  ".nan",
  ".NaN",
  "true",
  "True",
  "TRUE",
  "false",
  "yes",
  "Yes",
  "no",
  "on",
  "off",
  "y",
  "n",
  "~",
  "null",
  "Null",
  "NULL",
  "nil",
  "2001-12-14",
  "2001-12-14t21:59:43.10-05:00",
  "2001-12-14 21:59:43.10 -5",
  "2001-12-14T21:59:43Z",
  "2001-13-14",
  "2001-02-30",
  "2001-12-14 25:00:00",
  ":sym",
  ":with_underscore",
  ":'quoted'",
  ':"dq"',
  "'1'",
  '"true"',
  "hello",
  "hello world",
  "web01.example.com",
  "1.2.3",
  "10.0.0.1",
  "1-2",
  "+",
  ".",
  "-.",
  "0.",
  "1e",
  "0x",
  "caf\u00e9",
  "\u00e9t\u00e9",
  "a@x",
  "x%",
  "a:b",
  "3a",
  "debian",
  "12:30:45",
  "190:20:30",
];

type Outcome = [string, string];

function ours(text: string): Outcome {
  // A quoted scalar is not plain: Psych reads it as the text between the quotes.
  const quoted = /^'(.*)'$|^"(.*)"$/.exec(text);
  if (quoted) return ["String", quoted[1] ?? quoted[2] ?? ""];
  const token = psychTokenize(text);
  switch (token.type) {
    case "string":
      return ["String", text];
    case "null":
      return ["NilClass", ""];
    case "boolean":
      return [token.value ? "TrueClass" : "FalseClass", String(token.value)];
    case "integer":
      return ["Integer", token.value.toString()];
    case "float":
      return ["Float", rubyFloatToS(token.value)];
    case "symbol":
      return ["Symbol", token.name];
    case "time":
      return token.valid ? [token.class, ""] : ["String", text];
  }
}

describe("psychTokenize against Ruby's Psych", () => {
  const ruby = rubyOnce<Outcome[]>(
    fileURLToPath(new URL("./__oracle__/psych-scalar.rb", import.meta.url)),
    () => TABLE,
  );

  it(`reads ${TABLE.length} plain scalars as Psych does`, () => {
    const expected = ruby();
    const disagreements = TABLE.flatMap((text, i) => {
      const theirs = expected[i] as Outcome;
      // Time and Date values depend on the zone; their class is what matters here.
      const comparable: Outcome = theirs[0] === "Time" || theirs[0] === "Date" ? [theirs[0], ""] : theirs;
      const mine = ours(text);
      return JSON.stringify(mine) === JSON.stringify(comparable)
        ? []
        : [`${JSON.stringify(text)}: ruby ${JSON.stringify(theirs)} ours ${JSON.stringify(mine)}`];
    });
    expect(disagreements.join("\n")).toBe("");
  }, 60_000);
});

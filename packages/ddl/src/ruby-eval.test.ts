import { execFileSync } from "node:child_process";
import { DdlDefinitionError } from "@phobos/errors";
import { describe, expect, test } from "vitest";
import { fromRubyValue, Interpreter, inspect, type RValue } from "./ruby-eval.js";
import { parseRuby } from "./ruby-parser.js";

/** What an inventory script sees of one node. */
const NODE = {
  identity: "web1",
  facts: {
    operatingsystem: "CentOS",
    osfamily: "RedHat",
    node_index: 7,
    load: 0.25,
    mcollective: 1,
    empty: "",
    networking: { ip: "10.0.0.1", interfaces: ["lo", "eth0"] },
  },
  classes: ["webserver", "httpd", "base"],
  agents: ["rpcutil", "discovery"],
};

function toWire(v: unknown): Parameters<typeof fromRubyValue>[0] {
  if (Array.isArray(v)) return v.map(toWire);
  if (v !== null && typeof v === "object")
    return new Map(Object.entries(v).map(([k, val]) => [k, toWire(val)]));
  return v as string;
}

const SELF: Record<string, RValue> = {
  identity: fromRubyValue(NODE.identity),
  facts: fromRubyValue(toWire(NODE.facts)),
  classes: fromRubyValue(toWire(NODE.classes)),
  agents: fromRubyValue(toWire(NODE.agents)),
};

function evaluate(expression: string): RValue {
  const interpreter = new Interpreter(
    "expr.rb",
    (name, args) => {
      if (name in SELF && args.length === 0) return SELF[name] as RValue;
      throw new Error(`undefined local variable or method \`${name}'`);
    },
    { columns: true },
  );
  return interpreter.run(parseRuby(expression, "expr.rb", { columns: true }));
}

/** What Phobos makes of each expression: its inspect, or "error" when it raises. */
function phobos(expression: string): string {
  try {
    return inspect(evaluate(expression));
  } catch (e) {
    if (e instanceof DdlDefinitionError) return "error";
    throw e;
  }
}

/** The same expressions through the real Ruby, with the same node. */
function ruby(expressions: readonly string[]): string[] {
  const program = `
    require "json"
    node = JSON.parse(ARGV[0])
    define_method(:identity) { node["identity"] }
    define_method(:facts) { node["facts"] }
    define_method(:classes) { node["classes"] }
    define_method(:agents) { node["agents"] }
    JSON.parse(STDIN.read).each do |e|
      begin
        puts eval(e).inspect
      rescue StandardError, ScriptError
        puts "error"
      end
    end
  `;
  const out = execFileSync("ruby", ["-e", program, JSON.stringify(NODE)], {
    input: JSON.stringify(expressions),
    encoding: "utf8",
  });
  return out.split("\n").slice(0, expressions.length);
}

/** Expressions people write in inventory scripts' `fields`, and some that must fail. */
const EXPRESSIONS = [
  'facts["operatingsystem"].downcase',
  'facts["operatingsystem"].upcase',
  'classes.join(",")',
  "classes.join",
  'classes.join(", ")',
  "agents.size",
  "agents.length",
  "facts.size",
  "classes.first",
  "classes.last",
  "classes.first(2)",
  "classes.last(2)",
  "classes.sort",
  "classes.sort.reverse",
  'classes.include?("httpd")',
  'classes.include?("nginx")',
  "facts.keys.sort",
  "facts.values.size",
  'facts["node_index"].to_s',
  'facts["node_index"] + 1',
  'facts["node_index"] * 2 - 1',
  'facts["node_index"] / 2',
  'facts["node_index"] % 3',
  '-facts["node_index"] / 2',
  'facts["node_index"] ** 2',
  'facts["load"] * 4',
  'facts["load"] + 1',
  'facts["load"].round(1)',
  "7.0 / 2",
  "10 / 4.0",
  "2.675.round(2)",
  "1.5.round",
  'facts["node_index"].to_s.to_i + 1',
  '"42abc".to_i',
  'facts["operatingsystem"][0..2]',
  'facts["operatingsystem"][0, 3]',
  'facts["operatingsystem"][1..-1]',
  'facts["operatingsystem"][-2..]'.replace("..]", "..-1]"),
  'facts["operatingsystem"][0...-1]',
  'facts["operatingsystem"][10..12]',
  "classes[0..1]",
  "classes[1..-1]",
  "classes[-1]",
  "classes[5]",
  "classes[1, 5]",
  '"#{identity} runs #{facts["operatingsystem"]}"',
  '"#{identity}: #{classes.size} classes"',
  '"agents: #{agents}"',
  'facts["node_index"] > 5 ? "high" : "low"',
  'facts["node_index"] <= 5 ? "low" : "high"',
  'classes.include?("httpd") ? "web" : "other"',
  'facts["missing"] ? "set" : "unset"',
  'facts["missing"].nil?',
  'facts["missing"].to_s',
  'facts["missing"] || "none"',
  'facts["empty"].empty? ? "-" : facts["empty"]',
  'facts["networking"]["ip"]',
  'facts["networking"]["interfaces"].join(" ")',
  'facts.fetch("missing", "default")',
  'facts.key?("osfamily")',
  'facts["osfamily"] == "RedHat"',
  'facts["osfamily"] != "RedHat"',
  'facts["operatingsystem"] =~ /os$/i',
  'facts["operatingsystem"] =~ /debian/',
  "classes.map { |c| c.upcase }",
  "classes.map(&:upcase)".replace("(&:upcase)", " { |c| c.size }"),
  'classes.select { |c| c.start_with?("h") }',
  'classes.reject { |c| c == "base" }.join("+")',
  "classes.grep(/web/)",
  "classes.sort_by { |c| c.size }",
  "classes.min",
  "classes.max",
  "classes.count",
  'classes.count { |c| c.include?("e") }',
  "[1, 2, 3].sum",
  "[1.5, 2].sum",
  "(1..4).to_a",
  "(1...4).to_a.size",
  '"%s-%03d" % [identity, facts["node_index"]]',
  '"%.2f" % facts["load"]',
  'facts["operatingsystem"].ljust(10, ".")',
  'facts["operatingsystem"].rjust(10)',
  'facts["operatingsystem"].center(11, "*")',
  'facts["operatingsystem"].size',
  'facts["operatingsystem"].reverse',
  'facts["operatingsystem"].sub("OS", "os")',
  'facts["operatingsystem"].gsub(/[A-Z]/, "_")',
  'facts["operatingsystem"].split("O")',
  "identity.capitalize",
  "identity.to_sym",
  "facts.to_a.first",
  "facts.sort.first",
  'facts.select { |k, v| k.start_with?("os") }.keys',
  "facts.map { |k, v| k }.size",
  'facts.dig("networking", "ip")',
  'classes - ["base"]',
  "classes + agents",
  'classes | ["base", "x"]',
  'classes & ["base", "x"]',
  'agents * ","',
  "[identity, classes.size].inspect",
  "facts.inspect.size > 10",
  "nil.to_a",
  "nil.to_s",
  "3.14.to_s",
  "1e20.to_s",
  "10.0.to_s",
  "255.to_s(16)",
  "(2 ** 70).to_s",
  "7.between?(1, 10)",
  "7 <=> 3",
  '"a" <=> "b"',
  "[3, 1, 2].sort { |a, b| b <=> a }",
  'classes.index("httpd")',
  "classes.any? { |c| c.size > 6 }",
  "classes.all? { |c| c.size > 6 }",
  "classes.find { |c| c.size == 5 }",
  "classes.take(1)",
  "classes.drop(1)",
  "classes.uniq.compact.flatten.size",
  "classes.each_with_index.to_a".replace(".each_with_index.to_a", ".first.chars.first"),
  'facts.values_at("osfamily", "missing")',
  "facts.any? { |k, v| v == 7 }",
  "facts.count",
  "facts.min_by { |k, v| k }",
  // Errors, in Ruby and here.
  'facts["missing"].downcase',
  "classes.frobnicate",
  "identity + 1",
  "1 + identity",
  "1 / 0",
  'classes.sort.first(1) + "x"',
  "unknown_name",
];

describe("the Ruby evaluator against the real Ruby", () => {
  test("each expression gives what Ruby's inspect prints, or fails where Ruby raises", () => {
    const expected = ruby(EXPRESSIONS);
    const got = EXPRESSIONS.map(phobos);
    const table = (values: string[]) => EXPRESSIONS.map((e, i) => `${e}  =>  ${values[i]}`);
    expect(table(got)).toEqual(table(expected));
  });
});

describe("errors name the expression and its column", () => {
  function message(source: string): string {
    try {
      evaluate(source);
    } catch (e) {
      expect(e).toBeInstanceOf(DdlDefinitionError);
      return (e as Error).message;
    }
    throw new Error("expected a DdlDefinitionError");
  }

  test("an unknown method on a value", () => {
    expect(message('x = 1\n[ identity, facts["operatingsystem"].frob(2) ]')).toBe(
      'expr.rb:2:13: `facts["operatingsystem"].frob(2)`: undefined method `frob\' for "CentOS":String',
    );
  });

  test("an unknown name", () => {
    expect(message("[identity,  nodename]")).toBe(
      "expr.rb:1:13: `nodename`: undefined local variable or method `nodename'",
    );
  });

  test("inside string interpolation, at the column of the interpolated code", () => {
    expect(message('"#{identity} #{classes.nope}"')).toBe(
      'expr.rb:1:16: `classes.nope`: undefined method `nope\' for ["webserver", "httpd", "base"]:Array',
    );
  });

  test("an operator on the wrong type", () => {
    expect(message("agents.size + identity")).toBe(
      "expr.rb:1:1: `agents.size + identity`: String can't be coerced into Integer",
    );
  });

  test("syntax outside the language, at its column", () => {
    expect(() => parseRuby("[ identity, `hostname` ]", "expr.rb", { columns: true })).toThrow(
      "expr.rb:1:13: command literals (`…`) are not part of the DDL language",
    );
    expect(() =>
      parseRuby("[ identity, facts << 1 ]", "expr.rb", { columns: true, language: "what a script may use" }),
    ).toThrow("expr.rb:1:19: the operator '<<' is not part of what a script may use");
  });

  test("DDL messages keep their file:line form", () => {
    const interpreter = new Interpreter("a.ddl", () => null);
    expect(() => interpreter.run(parseRuby('"a".nope', "a.ddl"))).toThrow(
      'a.ddl:1: undefined method `nope\' for "a":String',
    );
  });
});

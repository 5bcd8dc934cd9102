import { describe, expect, it } from "vitest";
import { type CompoundExpression, emptyFilter, type Filter } from "../message/filter.js";
import { parseCompound } from "./compound/parser.js";
import { checkFilter, matchFilter } from "./matcher.js";
import type { NodeView } from "./node-view.js";

const facts: Record<string, unknown> = {
  os: "Debian",
  role: "web",
  mem: "2048",
  tags: ["a", "b"],
  net: { eth0: "x" },
};

const data: Record<string, Record<string, unknown>> = {
  fstat: { size: 100, type: "file", present: 1 },
  collective: { member: true },
};

const node: NodeView = {
  identity: "web1",
  fact: async (name) => facts[name] as never,
  classes: async () => ["base", "apache\r\n"],
  agents: () => ["rpcutil", "package"],
  data: async (name) => {
    if (name === "boom") throw new Error("plugin exploded");
    return data[name];
  },
};

function filter(parts: Partial<Filter>): Filter {
  return { ...emptyFilter(), ...parts };
}

function select(...expressions: string[]): Filter {
  return filter({ compound: expressions.map((e) => parseCompound(e)) });
}

describe("matchFilter", () => {
  it("passes the empty filter, and Ruby's {} too", async () => {
    expect(await matchFilter(emptyFilter(), node)).toBe(true);
    expect(await matchFilter({} as Filter, node)).toBe(true);
  });

  it("does not treat a filter with only a collective as empty, like validate_filter?", async () => {
    expect(await matchFilter({ ...emptyFilter(), collective: "mcollective" }, node)).toBe(false);
  });

  it("ANDs facts, classes and agents", async () => {
    const f = filter({
      fact: [{ fact: "os", value: "Debian", operator: "==" }],
      cf_class: ["base", "/^apa/"],
      agent: ["rpcutil"],
    });
    expect(await matchFilter(f, node)).toBe(true);
    expect(await matchFilter({ ...f, agent: ["rpcutil", "puppet"] }, node)).toBe(false);
  });

  it("chomps class lines read from the classes file", async () => {
    expect(await matchFilter(filter({ cf_class: ["apache"] }), node)).toBe(true);
  });

  it("passes identity when exactly one entry matches", async () => {
    expect(await matchFilter(filter({ identity: ["web1", "db1"] }), node)).toBe(true);
    expect(await matchFilter(filter({ identity: ["web1", "/web/"] }), node)).toBe(false);
    expect(await matchFilter(filter({ identity: ["web1", "web1"] }), node)).toBe(false);
  });

  it("always passes the mcollective agent", async () => {
    expect(await matchFilter(filter({ agent: ["mcollective"] }), { ...node, agents: () => [] })).toBe(true);
  });

  it("matches Array facts on any element and Hash facts on any key", async () => {
    expect(await matchFilter(filter({ fact: [{ fact: "tags", value: "b", operator: "==" }] }), node)).toBe(
      true,
    );
    expect(await matchFilter(filter({ fact: [{ fact: "net", value: "/eth/", operator: "=~" }] }), node)).toBe(
      true,
    );
  });

  it("never matches a missing fact, whatever the operator", async () => {
    expect(await matchFilter(filter({ fact: [{ fact: "nope", value: "x", operator: "!=" }] }), node)).toBe(
      false,
    );
  });

  it("evaluates -S with Ruby's precedence", async () => {
    expect(await matchFilter(select("role=db or role=web and base"), node)).toBe(true);
    expect(await matchFilter(select("not role=web and base"), node)).toBe(false);
    expect(await matchFilter(select("!(role=db or os=CentOS)"), node)).toBe(true);
  });

  it("makes the whole expression false when a data query cannot be answered, even under not", async () => {
    expect(await matchFilter(select("not nosuch('x').value=1"), node)).toBe(false);
    expect(await matchFilter(select("base or boom('x').value=1"), node)).toBe(false);
    expect(await matchFilter(select("fstat('/x').size>10 and collective('c').member=true"), node)).toBe(true);
  });

  it("reports, without throwing, what Ruby would raise on", async () => {
    const bad = await checkFilter(filter({ cf_class: ["/[/"] }), node);
    expect(bad.matched).toBe(false);
    expect(bad.error?.message).toMatch(/invalid Ruby regular expression/);
    const meaningless = await checkFilter(select("(base) role=web"), node);
    expect(meaningless).toMatchObject({ matched: false, error: { name: "FilterEvaluationError" } });
  });

  it("does not match with a regex it cannot run as Ruby would", async () => {
    const verdict = await checkFilter(filter({ identity: ["/(?>web)1/"] }), node);
    expect(verdict.matched).toBe(false);
    expect(verdict.error?.message).toMatch(/unsupported.*atomic group/);
  });

  it("treats an unreadable classes source as no classes", async () => {
    const broken = { ...node, classes: () => Promise.reject(new Error("EACCES")) };
    expect(await checkFilter(filter({ cf_class: ["base"] }), broken)).toEqual({ matched: false });
  });

  it("reads `( )` as nil and skips unknown tokens, as Ruby's eval does", async () => {
    const empty = [{ not: "not" }, { "(": "(" }, { ")": ")" }] as CompoundExpression;
    expect(await matchFilter(filter({ compound: [empty] }), node)).toBe(true);
    const unknown = [{ statement: "base" }, { bogus: "x" }] as unknown as CompoundExpression;
    expect(await matchFilter(filter({ compound: [unknown] }), node)).toBe(true);
    expect(await matchFilter(filter({ compound: [[]] }), node)).toBe(false);
  });

  it("compares a String result with a Regexp as Ruby's Regexp#to_s", async () => {
    const stack: CompoundExpression = [
      {
        fstatement: {
          name: "fstat",
          params: "/x",
          value: "type",
          operator: "!=",
          r_compare: { regexp: { source: "file", options: 0 } },
        },
      },
    ];
    expect(await matchFilter(filter({ compound: [stack] }), node)).toBe(true);
  });

  it("runs a String r_compare with =~ from the wire as a regex", async () => {
    const stack: CompoundExpression = [
      { fstatement: { name: "fstat", params: "/x", value: "type", operator: "=~", r_compare: "^fi" } },
    ];
    expect(await matchFilter(filter({ compound: [stack] }), node)).toBe(true);
  });

  it.each<[string, unknown]>([
    ["filter is not an object", "fact=x"],
    ["fact list is not an Array", { ...emptyFilter(), fact: "os=Debian" }],
    ["fact entry is not a Hash", { ...emptyFilter(), fact: ["os=Debian"] }],
    ["fact value is not a String", { ...emptyFilter(), fact: [{ fact: "os", value: 1, operator: "==" }] }],
    ["class is not a String", { ...emptyFilter(), cf_class: [null] }],
    ["identity is not a String", { ...emptyFilter(), identity: [{}] }],
    ["compound is not an Array of Arrays", { ...emptyFilter(), compound: ["base"] }],
    ["statement is not a String", { ...emptyFilter(), compound: [[{ statement: 5 }]] }],
    ["fstatement is not a Hash", { ...emptyFilter(), compound: [[{ fstatement: "fstat('/x')" }]] }],
    [
      "fstatement without operator",
      { ...emptyFilter(), compound: [[{ fstatement: { name: "fstat", params: "/x" } }]] },
    ],
    ["a thousand open parentheses", { ...emptyFilter(), compound: [Array(1000).fill({ "(": "(" })] }],
    [
      "deep nesting",
      { ...emptyFilter(), compound: [Array(100000).fill({ not: "not" }).concat({ statement: "base" })] },
    ],
  ])("survives hostile input: %s", async (_, hostile) => {
    const verdict = await checkFilter(hostile as Filter, node);
    expect(typeof verdict.matched).toBe("boolean");
  });

  it("ignores a fact filter with an operator it does not know (Ruby answers false)", async () => {
    const f = filter({ fact: [{ fact: "os", value: "Debian", operator: "~~" as never }] });
    expect(await checkFilter(f, node)).toEqual({ matched: false });
  });

  it("honours the 1.x puppet_class key", async () => {
    expect(await matchFilter({ puppet_class: ["nope"] } as unknown as Filter, node)).toBe(false);
  });
});

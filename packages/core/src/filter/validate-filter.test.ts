import { FilterSyntaxError } from "@phobos/errors";
import { describe, expect, it } from "vitest";
import { emptyFilter, type Filter } from "../message/filter.js";
import { addFilterOption, type HostFilterOption } from "./build-filter.js";
import { validateFilter } from "./validate-filter.js";

function refusal(option: HostFilterOption, value: string): FilterSyntaxError {
  try {
    addFilterOption(emptyFilter(), option, value);
  } catch (e) {
    if (e instanceof FilterSyntaxError) return e;
    throw e;
  }
  throw new Error(`${option} ${value} was accepted`);
}

describe("addFilterOption refuses a regex Ruby would refuse, before anything is sent", () => {
  it.each<[HostFilterOption, string, string, number]>([
    ["-F", "x=/[/", "invalid Ruby regular expression /[/: premature end of char-class", 4],
    ["-F", "x=~a(", "invalid Ruby regular expression /a(/: end pattern with unmatched parenthesis", 4],
    ["-W", "base role=/[/", "invalid Ruby regular expression /[/", 12],
    ["-W", "base /[/", "invalid Ruby regular expression /[/", 7],
    ["-I", "/[/", "invalid Ruby regular expression /[/", 2],
    ["-C", "/role::(/", "invalid Ruby regular expression /role::(/", 2],
    ["-A", "/rpc[/", "invalid Ruby regular expression /rpc[/", 2],
    ["-S", "role=/[/", "invalid Ruby regular expression /[/", 7],
    ["-S", "fact('x').value=/[/", "invalid Ruby regular expression /[/", 1],
  ])("%s %j: %s at column %i", (option, value, message, column) => {
    const e = refusal(option, value);
    expect(e.message.split("\n")[0]).toContain(message);
    expect(e.column).toBe(column);
  });

  it("leaves the filter as it was", () => {
    const filter = emptyFilter();
    expect(() => addFilterOption(filter, "-W", "role=web /[/")).toThrow(FilterSyntaxError);
    expect(filter).toEqual(emptyFilter());
  });

  it.each<[HostFilterOption, string]>([
    // Valid Ruby that Phobos daemons cannot run: Ruby daemons can, so it still goes out.
    ["-I", "/(?>node)1/"],
    ["-F", "x=/a++/"],
    // Not a regex at all: `-I` and `-C` values only start one with a slash.
    ["-I", "node[1"],
    ["-C", "role::("],
    ["-F", "x=[("],
  ])("accepts %s %j", (option, value) => {
    expect(() => addFilterOption(emptyFilter(), option, value)).not.toThrow();
  });
});

describe("validateFilter, for filters built in code", () => {
  const withEntries = (entries: Partial<Filter>): Filter => ({ ...emptyFilter(), ...entries });

  it.each<[string, Partial<Filter>, string]>([
    [
      "a fact regex",
      { fact: [{ fact: "os", operator: "=~", value: "/[/" }] },
      'fact filter "os=~/[/": invalid Ruby regular expression /[/',
    ],
    ["a class regex", { cf_class: ["/(/"] }, 'class filter "/(/": invalid Ruby regular expression /(/'],
    ["an identity regex", { identity: ["/[/"] }, 'identity filter "/[/": invalid'],
    ["an agent regex", { agent: ["/[/"] }, 'agent filter "/[/": invalid'],
    [
      "a compound statement",
      { compound: [[{ statement: "role=" }]] },
      "compound filter \"role=\": 'role=' has no value after '='",
    ],
    [
      "a data query regex given as a String",
      {
        compound: [
          [{ fstatement: { name: "fstat", params: "/x", value: "name", operator: "=~", r_compare: "[" } }],
        ],
      },
      'compound filter "fstat(/x)": invalid Ruby regular expression /[/',
    ],
    [
      "a data query Regexp",
      {
        compound: [
          [
            {
              fstatement: {
                name: "fstat",
                params: "/x",
                value: "name",
                operator: "!=~",
                r_compare: { regexp: { source: "a{2,1}", options: 0 } },
              },
            },
          ],
        ],
      },
      "invalid Ruby regular expression /a{2,1}/",
    ],
  ])("names %s", (_, entries, message) => {
    expect(() => validateFilter(withEntries(entries))).toThrow(message);
  });

  it("accepts an ordinary filter", () => {
    const filter = emptyFilter();
    for (const [option, value] of [
      ["-F", "os=/^deb/"],
      ["-C", "/^role::/"],
      ["-I", "node1"],
      ["-S", "role=web or fstat('/etc/hosts').size>0"],
    ] as const) {
      addFilterOption(filter, option, value);
    }
    expect(() => validateFilter(filter)).not.toThrow();
  });

  it("leaves entries that are not text to the daemons instead of failing to print them", () => {
    const unprintable = { toString: {} };
    const filter = JSON.parse(
      JSON.stringify({
        fact: [{ fact: unprintable, operator: "=~", value: "/[/" }],
        cf_class: [unprintable],
        identity: [unprintable],
        agent: [unprintable],
        compound: [
          [
            {
              fstatement: {
                name: unprintable,
                params: null,
                value: unprintable,
                operator: "==",
                r_compare: "1",
              },
            },
          ],
        ],
      }),
    ) as Filter;
    expect(() => validateFilter(filter)).not.toThrow();
  });
});

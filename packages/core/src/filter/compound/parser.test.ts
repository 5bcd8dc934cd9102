import { FilterSyntaxError } from "@phobos/errors";
import { describe, expect, it } from "vitest";
import { parseCompound } from "./parser.js";

function columnOf(input: string, validate = false): number | undefined {
  try {
    parseCompound(input, { validate });
  } catch (e) {
    if (e instanceof FilterSyntaxError) return e.column;
    throw e;
  }
  return undefined;
}

describe("parseCompound", () => {
  it("builds the WIRE.md §8 stack", () => {
    expect(parseCompound("operatingsystem=Debian or (role=db and not datacenter=dc1)")).toEqual([
      { statement: "operatingsystem=Debian" },
      { or: "or" },
      { "(": "(" },
      { statement: "role=db" },
      { and: "and" },
      { not: "not" },
      { statement: "datacenter=dc1" },
      { ")": ")" },
    ]);
  });

  it("builds the fstatement of the psk-fstatement-request vector, keys in Ruby's order", () => {
    const [token] = parseCompound("fact('role').value=web");
    expect(token).toEqual({
      fstatement: { r_compare: "web", operator: "==", value: "value", name: "fact", params: "role" },
    });
    expect(Object.keys((token as { fstatement: object }).fstatement)).toEqual([
      "r_compare",
      "operator",
      "value",
      "name",
      "params",
    ]);
  });

  it("reads data queries with regexes, dotted arguments and no field", () => {
    expect(parseCompound('fstat("/etc/hosts").size>10')).toEqual([
      { fstatement: { r_compare: "10", operator: ">", value: "size", name: "fstat", params: "/etc/hosts" } },
    ]);
    expect(parseCompound("agent('rpcutil').version=/1/")).toEqual([
      {
        fstatement: {
          r_compare: { regexp: { source: "1", options: 0 } },
          operator: "=~",
          value: "version",
          name: "agent",
          params: "rpcutil",
        },
      },
    ]);
    expect(parseCompound("fact('role').value!=/w/")[0]).toMatchObject({ fstatement: { operator: "!=~" } });
    expect(parseCompound("fstat('/etc/foo.conf').size>=1")[0]).toMatchObject({
      fstatement: { params: "/etc/foo.conf", value: "size", operator: ">=" },
    });
    const [noField] = parseCompound("fact('role')=web");
    expect(noField).toEqual({
      fstatement: { r_compare: "web", operator: "==", name: "fact", params: "role" },
    });
    expect(parseCompound("collective().member=true")[0]).toMatchObject({ fstatement: { params: null } });
  });

  it("keeps MCollective's quirks, since the stack goes on the wire", () => {
    expect(parseCompound("role = web")).toEqual([{ statement: "role=web" }]);
    expect(parseCompound('motd="hello world"')).toEqual([{ statement: "motd=hello world" }]);
    expect(parseCompound("x=/a b/ and y")).toEqual([
      { statement: "x=/a b/" },
      { and: "and" },
      { statement: "y" },
    ]);
    expect(parseCompound("!a or b")).toEqual([
      { not: "not" },
      { statement: "a" },
      { or: "or" },
      { statement: "b" },
    ]);
    expect(parseCompound("not(a)")).toEqual([{ not: "not" }, { "(": "(" }, { statement: "a" }, { ")": ")" }]);
    expect(parseCompound("nota")).toEqual([{ statement: "nota" }]);
    expect(parseCompound("a and not")).toEqual([{ statement: "a" }, { and: "and" }, { statement: "not" }]);
    expect(parseCompound("(a) b")).toHaveLength(4);
    expect(parseCompound("")).toEqual([]);
    expect(parseCompound('fact("a").value=b=c')).toEqual([
      { fstatement: { r_compare: "c", operator: "==", value: "value=b", name: "fact", params: "a" } },
    ]);
  });

  it.each([
    // [input, kind of error, column of the first offending character]
    ["a and", "Parse errors", 3],
    ["and a", "Parse errors", 1],
    ["a or or b", "Parse errors", 6],
    ["a not b", "Parse errors", 3],
    [" a", "Parse errors", 1],
    ["(a", "Missing parenthesis", 1],
    ["a)", "Missing parenthesis", 2],
    ["(/foo/)", "Missing parenthesis", 1],
    ["foo(", "Malformed token", 1],
    ["a and b/=c", "Malformed token", 7],
    ["role=/web/i", "Parse errors", 11],
    ["x=/ab\\", "An exception was raised", 6],
    ["b and fact('x')", "Could not parse the data query", 7],
    ["fact('x').value=/[/", "Could not parse the data query", 1],
    ["fact('role').value>=", "'fact('role').value>=' has no value after '>='", 21],
    ["a or fstat('/x').size<=", "has no value after '<='", 24],
  ])("refuses %j (%s at column %i)", (input, kind, column) => {
    expect(() => parseCompound(input)).toThrow(FilterSyntaxError);
    expect(() => parseCompound(input)).toThrow(kind);
    expect(columnOf(input)).toBe(column);
  });

  it("shows the input with a caret under the column", () => {
    expect(() => parseCompound("a or or b")).toThrow(/column 6\n {4}a or or b\n {9}\^/);
  });

  describe("with validate, as a client checks before sending", () => {
    it.each([
      // [input, message, column]
      ["fact('role').value==", "the data query fact('role').value has no value after '=='", 21],
      [
        "base and fact('role').value==web",
        "the data query fact('role').value cannot be compared with '==': use =, !=, <, >, <= or >=",
        10,
      ],
      ["role=", "'role=' has no value after '='", 6],
      ["a and role == ", "'role==' has no value after '=='", 14],
      ["x=/[/", "invalid Ruby regular expression /[/: premature end of char-class", 4],
      ["base or /a(/", "invalid Ruby regular expression /a(/: end pattern with unmatched parenthesis", 10],
    ])("refuses %j: %s at column %i", (input, message, column) => {
      expect(() => parseCompound(input, { validate: true })).toThrow(message);
      expect(columnOf(input, true)).toBe(column);
    });

    it.each([
      "role=web and fact('role').value=web",
      "x=/(?<a>x)\\g<a>/",
      "fstat('/x').size>=10",
      "/^web/ or not role=/db/",
    ])("accepts %j as Ruby does", (input) => {
      expect(parseCompound(input, { validate: true })).toEqual(parseCompound(input));
    });

    it("keeps Ruby's own parse without it: `.value==` goes out as a field named 'value='", () => {
      expect(parseCompound("fact('role').value==")).toEqual([
        { fstatement: { r_compare: "=", operator: "", value: "value=", name: "fact", params: "role" } },
      ]);
    });
  });
});

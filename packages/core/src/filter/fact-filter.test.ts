import { FilterSyntaxError } from "@phobos/errors";
import { describe, expect, it } from "vitest";
import { parseFactFilter, parseWithFilter } from "./fact-filter.js";

describe("parseFactFilter", () => {
  it.each([
    ["role=web", "role", "web", "=="],
    ["role==web", "role", "web", "=="],
    ["role = web", "role", "web", "=="],
    ["role=/w.b/", "role", "/w.b/", "=~"],
    ["role = /w.b/", "role", "/w.b/", "=~"],
    ["role=~w.b", "role", "w.b", "=~"],
    ["mem>1024", "mem", "1024", ">"],
    ["mem<1024", "mem", "1024", "<"],
    ["mem>=1024", "mem", "1024", ">="],
    ["mem<=1024", "mem", "1024", "<="],
    ["mem=>1024", "mem", "1024", ">="],
    ["mem=<1024", "mem", "1024", "<="],
    ["os!=Debian", "os", "Debian", "!="],
    ["motd=hello world", "motd", "hello world", "=="],
    ["a=b=c", "a", "b=c", "=="],
  ])("%j → %s %s %s", (text, fact, value, operator) => {
    expect(parseFactFilter(text)).toEqual({ fact, value, operator });
  });

  it("keeps MCollective's key order (fact, value, operator)", () => {
    expect(Object.keys(parseFactFilter("a=b"))).toEqual(["fact", "value", "operator"]);
  });

  it.each([
    ["role", 5],
    ["=web", 1],
    ["role=", 6],
    ["a b=c", 2],
  ])("refuses %j, pointing at column %i", (text, column) => {
    try {
      parseFactFilter(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FilterSyntaxError);
      expect((e as FilterSyntaxError).column).toBe(column);
      expect((e as Error).message).toContain(
        `Could not parse fact ${text} it does not appear to be in a valid format`,
      );
    }
  });
});

describe("parseWithFilter", () => {
  it("sorts words into facts and classes", () => {
    expect(parseWithFilter("  base role=web\t/^dev/ mem>=2  ")).toEqual({
      fact: [
        { fact: "role", value: "web", operator: "==" },
        { fact: "mem", value: "2", operator: ">=" },
      ],
      cf_class: ["base", "/^dev/"],
    });
  });
});

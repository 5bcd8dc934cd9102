import { describe, expect, it } from "vitest";
import { compileRubyRegexp, RUBY_REGEXP_IGNORECASE, RubyRegexpError } from "./regexp.js";

describe("compileRubyRegexp", () => {
  it("turns a whole-pattern (?i) or the IGNORECASE option into the JS i flag", () => {
    expect(compileRubyRegexp("(?i)debian").flags).toBe("iu");
    expect(compileRubyRegexp("debian", RUBY_REGEXP_IGNORECASE).flags).toBe("iu");
    expect(compileRubyRegexp("debian").flags).toBe("u");
  });

  it("spells letters in both cases where (?i) covers only part of the pattern", () => {
    const re = compileRubyRegexp("a(?i:b)");
    expect(re.flags).toBe("u");
    expect(re.test("aB")).toBe(true);
    expect(re.test("AB")).toBe(false);
  });

  it("lets an isolated (?i) run over the alternatives of its group, as Onigmo does", () => {
    const re = compileRubyRegexp("x(a(?i)b|c)");
    expect(re.test("xaB")).toBe(true);
    expect(re.test("xaC")).toBe(true);
    expect(re.test("xC")).toBe(false);
  });

  it("keeps Ruby's line anchors and dot", () => {
    expect(compileRubyRegexp("^web$").test("db\nweb\n")).toBe(true);
    expect(compileRubyRegexp("\\Aweb").test("db\nweb")).toBe(false);
    expect(compileRubyRegexp("a.b").test("a\nb")).toBe(false);
    expect(compileRubyRegexp("(?m)a.b").test("a\nb")).toBe(true);
  });

  it("stops plain groups capturing once a group is named", () => {
    expect(compileRubyRegexp("(?<x>a)(b)").exec("ab")?.length).toBe(2);
  });

  it("says whether a pattern is refused by Ruby or only by us", () => {
    const kind = (source: string): string | undefined => {
      try {
        compileRubyRegexp(source);
        return undefined;
      } catch (e) {
        return (e as RubyRegexpError).kind;
      }
    };
    expect(kind("[")).toBe("invalid");
    expect(kind("(?z)")).toBe("invalid");
    expect(kind("(?>a)")).toBe("unsupported");
    expect(kind("a++")).toBe("unsupported");
    expect(() => compileRubyRegexp("(")).toThrow(RubyRegexpError);
  });
});

describe("a Regexp written as Ruby prints it", () => {
  it("reads an options group around the whole pattern as flags for the whole pattern", () => {
    expect(compileRubyRegexp("(?i-mx:debian)").flags).toBe("iu");
    expect(compileRubyRegexp("(?i-mx:[[:upper:]])").test("\u2170")).toBe(true);
    expect(compileRubyRegexp("(?i:a)(b)").flags).toBe("u");
  });
});

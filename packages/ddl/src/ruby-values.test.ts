import {
  RubyFloat,
  RubyRegex,
  rubyCompareStrings,
  rubyFloatToS,
  rubyInspect,
  rubyToF,
  rubyToI,
  rubyToS,
} from "@phobos/ruby";
import { describe, expect, test } from "vitest";
import { rubyJoin, rubyLeftJustify, rubyVersionCmp } from "./ruby-values.js";

describe("Ruby's to_s and inspect for model values", () => {
  test("scalars", () => {
    expect(
      [null, undefined, true, false, 10, 2.5, new RubyFloat(3), 12n, Symbol.for("sym"), "s"].map(rubyToS),
    ).toEqual(["", "", "true", "false", "10", "2.5", "3.0", "12", "sym", "s"]);
    expect(rubyToS(2 ** 70)).toBe("1180591620717411303424");
  });

  test("collections print as Ruby 3.1 inspects them; Maps keep symbol keys", () => {
    expect(rubyToS({ a: [1, null, "x"] })).toBe('{"a"=>[1, nil, "x"]}');
    expect(rubyInspect(new Map<unknown, unknown>([[Symbol.for("k"), new RubyFloat(1)]]))).toBe("{:k=>1.0}");
    expect(rubyInspect(new RubyRegex("a/b", "i", true))).toBe("/a\\/b/i");
    expect(rubyToS(new RubyRegex("a", "", true))).toBe("(?-mix:a)");
  });

  test("Float#to_s switches to exponent form where Ruby does", () => {
    expect([1e15, 999999999999999, 1e-4, 1e-5, Number.NaN, -Infinity].map(rubyFloatToS)).toEqual([
      "1.0e+15",
      "999999999999999.0",
      "0.0001",
      "1.0e-05",
      "NaN",
      "-Infinity",
    ]);
  });

  test("Array#join flattens", () => {
    expect(rubyJoin(["a", ["b", ["c"]], 1])).toBe("a, b, c, 1");
  });
});

describe("conversions and comparisons", () => {
  test("String#to_i and #to_f", () => {
    expect(rubyToI("  42abc")).toBe(42);
    expect(rubyToI("-1_000")).toBe(-1000);
    expect(rubyToI("x")).toBe(0);
    expect(rubyToI("123456789012345678901234567890")).toBe(123456789012345678901234567890n);
    expect(rubyToF("1.5e2x")).toEqual(new RubyFloat(150));
    expect(rubyToF("2.25")).toBe(2.25);
    expect(rubyToF("2")).toEqual(new RubyFloat(2));
    expect(rubyToF(".5")).toBe(0.5);
    expect(rubyToF("abc")).toEqual(new RubyFloat(0));
  });

  test("strings sort by bytes, and %-Ns pads by characters", () => {
    expect(["b", "B", "é", "a"].sort(rubyCompareStrings)).toEqual(["B", "a", "b", "é"]);
    expect(rubyLeftJustify("é", 3)).toBe("é  ");
    expect(rubyLeftJustify("abcd", 3)).toBe("abcd");
  });

  test("Util.versioncmp", () => {
    expect(rubyVersionCmp("2.12.5", "2.2.1")).toBe(1);
    expect(rubyVersionCmp("2.2", "2.2.0")).toBe(-1);
    expect(rubyVersionCmp("1.0", "1.0")).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import {
  rubyChomp,
  rubyKernelFloat,
  rubyKernelInteger,
  rubySplit,
  rubySplitRegexp,
  rubySplitWords,
} from "./string.js";

describe("Ruby's Integer()", () => {
  it.each([
    ["10", 10n],
    ["010", 8n],
    ["0x1A", 26n],
    ["-0x1A", -26n],
    ["+0b11", 3n],
    ["0o17", 15n],
    ["0d19", 19n],
    ["0_10", 8n],
    ["1_000", 1000n],
    [" 12 ", 12n],
    ["12\n", 12n],
    ["\n12", 12n],
    ["00", 0n],
    ["-0", 0n],
  ])("%j is %s", (text, value) => expect(rubyKernelInteger(text)).toBe(value));

  it.each(["09", "08", "1 2", "1__2", "_1", "1_", "0x", "0b", "", "12\nabc", "1.5", "1e3"])(
    "refuses %j",
    (text) => {
      expect(() => rubyKernelInteger(text)).toThrow(/invalid value for Integer/);
    },
  );
});

describe("Ruby's Float()", () => {
  it.each([
    [".5", 0.5],
    ["1e5", 100000],
    ["0x1A", 26],
    ["1_000", 1000],
    ["-1.5e-3", -0.0015],
    ["+.5", 0.5],
    ["1E+2", 100],
    ["1_000.5_5", 1000.55],
    ["0x1.8p1", 3],
    ["  2.5  ", 2.5],
    ["0.0_1", 0.01],
  ])("%j is %d", (text, value) => expect(rubyKernelFloat(text)).toBeCloseTo(value, 10));

  it.each(["1.", "5.", "Infinity", "NaN", "1__0", "0b101", "1e", "_1", "1_", "1\n2", ""])(
    "refuses %j",
    (text) => {
      expect(() => rubyKernelFloat(text)).toThrow(/invalid value for Float/);
    },
  );
});

describe("Ruby's String#split and #chomp", () => {
  it("drops trailing empty fields", () => {
    expect(rubySplit("a=", "=")).toEqual(["a"]);
    expect(rubySplit("a==b", "=")).toEqual(["a", "", "b"]);
    expect(rubySplit("=a", "=")).toEqual(["", "a"]);
    expect(rubySplit("", "=")).toEqual([]);
    expect(rubySplitRegexp("a=b", /(=)/)).toEqual(["a", "=", "b"]);
    expect(rubySplitRegexp("a=", /(=)/)).toEqual(["a", "="]);
  });

  it("splits words like awk", () => {
    expect(rubySplitWords(" a \t b\n")).toEqual(["a", "b"]);
    expect(rubySplitWords("a\0b")).toEqual(["a\0b"]);
  });

  it("chomps one line ending", () => {
    expect(rubyChomp("a\r\n")).toBe("a");
    expect(rubyChomp("a\n\n")).toBe("a\n");
    expect(rubyChomp("a\r")).toBe("a");
  });
});

import { DdlDefinitionError } from "@phobos/errors";
import { describe, expect, test } from "vitest";
import { RubyRegex } from "./regexp-value.js";

const matches = (source: string, text: string, options = "") => new RubyRegex(source, options).test(text);

describe("RubyRegex matches as Ruby does", () => {
  test("^ and $ are line anchors, and $ only sees \\n", () => {
    expect(matches("^ok$", "ok\n; rm -rf /")).toBe(true);
    expect(matches("^ok$", "x\nok")).toBe(true);
    expect(matches("^ok$", "ok\r\n")).toBe(false);
    expect(matches("^ok$", "ok\u2028")).toBe(false);
  });

  test("\\A, \\z and \\Z anchor the whole string", () => {
    expect(matches("\\Aok\\z", "ok")).toBe(true);
    expect(matches("\\Aok\\z", "ok\n")).toBe(false);
    expect(matches("\\Aok\\Z", "ok\n")).toBe(true);
    expect(matches("\\Aok", "x\nok")).toBe(false);
  });

  test(". is anything but \\n, or everything under /m", () => {
    expect(matches("a.b", "a\rb")).toBe(true);
    expect(matches("a.b", "a\nb")).toBe(false);
    expect(matches("a.b", "a\nb", "m")).toBe(true);
    expect(matches("^.$", "😀")).toBe(true);
  });

  test("\\s is ASCII, \\h is a hex digit, POSIX brackets are Unicode", () => {
    expect(matches("^\\s$", "\u00a0")).toBe(false);
    expect(matches("^[\\s]$", "\t")).toBe(true);
    expect(matches("^\\h+$", "09afAF")).toBe(true);
    expect(matches("^\\H$", "g")).toBe(true);
    expect(matches("^[\\h]+$", "ff")).toBe(true);
    expect(matches("^[[:alpha:]]+$", "héllo")).toBe(true);
    expect(matches("^[[:digit:][:space:]]+$", "1 2")).toBe(true);
    expect(matches("^[[:^alpha:]]$", "1")).toBe(true);
  });

  test("escaping harmless characters is allowed, braces that are not quantifiers are literal", () => {
    expect(matches("^[\\w\\-\\.\\_]+$", "a-b.c_d")).toBe(true);
    expect(matches("^\\-\\_\\@\\ $", "-_@ ")).toBe(true);
    expect(matches("a{b}", "a{b}")).toBe(true);
    expect(matches("^a{2}$", "aa")).toBe(true);
    expect(matches("^a{,2}$", "aa")).toBe(true);
    expect(matches("^a{,2}$", "aaa")).toBe(false);
    expect(matches("]", "]")).toBe(true);
  });

  test("extended mode ignores blanks and comments; i is case-insensitive with Unicode folding", () => {
    expect(matches("^ a b # comment\n c $", "abc", "x")).toBe(true);
    expect(matches("^a\\ b$", "a b", "x")).toBe(true);
    expect(matches("k", "\u212a", "i")).toBe(true);
  });

  test("groups, named groups, lookarounds, backreferences, comments and escapes", () => {
    expect(matches("^(?<w>a)\\k<w>$", "aa")).toBe(true);
    expect(matches("^(?'w'a)\\k'w'$", "aa")).toBe(true);
    expect(matches("^(a)\\1(?=b)(?!c)(?<=a)b$", "aab")).toBe(true);
    expect(matches("^a(?#note)b$", "ab")).toBe(true);
    expect(matches("^\\x41\\u00e9\\u{1F600}\\t\\0$", "Aé😀\t\0")).toBe(true);
    expect(matches("^\\p{Alpha}+$", "abc")).toBe(true);
  });

  test("inline options and nested classes, once refused here, match as in Ruby", () => {
    expect(matches("^(?i)a$", "A")).toBe(true);
    expect(matches("^[a[b]]$", "b")).toBe(true);
  });

  test.each([
    ["(?>a)", "Unsupported Ruby regular expression /(?>a)/: atomic group"],
    ["a++", "Unsupported Ruby regular expression /a++/: possessive quantifier"],
    ["[a&&b]", "Unsupported Ruby regular expression /[a&&b]/: character class intersection"],
    ["\\G", "Unsupported Ruby regular expression /\\G/: \\G"],
    ["[abc", "Invalid regular expression /[abc/: premature end of char-class"],
    ["a\\", "Invalid regular expression /a\\/: too short escape sequence"],
  ])("unsupported or broken %j is a DdlDefinitionError", (source, why) => {
    expect(() => new RubyRegex(source)).toThrow(DdlDefinitionError);
    expect(() => new RubyRegex(source)).toThrow(why);
  });

  test("a pattern JavaScript cannot compile is reported with its Ruby text", () => {
    expect(() => new RubyRegex("(a")).toThrow(/^Invalid regular expression \/\(a\/: /);
  });
});

describe("RubyRegex prints as Ruby prints it", () => {
  test("a String pattern as written; a Regexp as (?flags-flags:source)", () => {
    expect(new RubyRegex("^a$").toRubyString()).toBe("^a$");
    expect(new RubyRegex("^a$", "", true).toRubyString()).toBe("(?-mix:^a$)");
    expect(new RubyRegex("a", "i", true).toRubyString()).toBe("(?i-mx:a)");
    expect(new RubyRegex("a", "xim", true).toRubyString()).toBe("(?mix:a)");
    expect(new RubyRegex("a/b", "", true).toRubyString()).toBe("(?-mix:a\\/b)");
    expect(new RubyRegex("a\\/b", "", true).toRubyString()).toBe("(?-mix:a\\/b)");
  });

  test("derived RegExps (split, matchAll) are plain RegExps, not re-translated", () => {
    const re = new RubyRegex("\\s*,\\s*");
    expect("a , b,c".split(re)).toEqual(["a", "b", "c"]);
    expect(RegExp.prototype[Symbol.split]).toBeDefined();
  });
});

describe("names from the pattern are never looked up on Object.prototype", () => {
  test("[[:constructor:]] and \\p{constructor} are refused, not expanded", () => {
    expect(() => new RubyRegex("[[:constructor:]]")).toThrow("invalid POSIX bracket type [:constructor:]");
    expect(() => new RubyRegex("\\p{constructor}")).toThrow(DdlDefinitionError);
  });
});

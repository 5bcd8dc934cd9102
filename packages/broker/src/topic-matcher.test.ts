import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileTopicPattern } from "./topic-matcher.js";

const matches = (pattern: string, key: string) => compileTopicPattern(pattern)(key);

describe("AMQP topic matching", () => {
  it.each([
    ["a.b.c", "a.b.c", true],
    ["a.b.c", "a.b", false],
    ["a.*.c", "a.b.c", true],
    ["a.*.c", "a.c", false],
    ["a.*", "a.b.c", false],
    ["a.#", "a", true],
    ["a.#", "a.b.c", true],
    ["#.c", "a.b.c", true],
    ["#.c", "c", true],
    ["a.#.c", "a.c", true],
    ["a.#.c", "a.x.y.c", true],
    ["a.#.c", "a.x.y.d", false],
    ["#", "", true],
    ["#", "anything.at.all", true],
    ["", "", true],
    ["", "a", false],
    ["*", "", false],
    ["*", "discovery", true],
    ["#.#", "a.b", true],
    ["*.#.*", "a", false],
    ["*.#.*", "a.b", true],
    ["discovery", "discovery", true],
    ["discovery", "rpcutil", false],
  ])("%s against %s is %s", (pattern, key, expected) => {
    expect(matches(pattern, key)).toBe(expected);
  });

  // Backtracking matchers take exponential time on this pair and never return;
  // finishing within the test timeout is the check.
  it("handles hostile patterns without backtracking blow-up", () => {
    const pattern = Array.from({ length: 30 }, () => "#.a").join(".");
    const key = Array.from({ length: 2000 }, () => "a").join(".") + ".b";
    expect(matches(pattern, key)).toBe(false);
  });

  it("agrees with a reference regex translation", () => {
    const word = fc.constantFrom("a", "b", "c");
    const patternWord = fc.constantFrom("a", "b", "*", "#");
    fc.assert(
      fc.property(fc.array(patternWord, { maxLength: 5 }), fc.array(word, { maxLength: 6 }), (p, k) => {
        const pattern = p.join(".");
        const key = k.join(".");
        expect(matches(pattern, key)).toBe(reference(p, k));
      }),
      { numRuns: 2000 },
    );
  });
});

/** Brute force over word lists: `#` takes any number of words, `*` exactly one. */
function reference(pattern: readonly string[], words: readonly string[]): boolean {
  const [head, ...rest] = pattern;
  if (head === undefined) return words.length === 0;
  if (head === "#") {
    for (let i = 0; i <= words.length; i++) if (reference(rest, words.slice(i))) return true;
    return false;
  }
  if (words.length === 0) return false;
  return (head === "*" || head === words[0]) && reference(rest, words.slice(1));
}

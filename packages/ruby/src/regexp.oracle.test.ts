/**
 * Ruby regex source through compileRubyRegexp and through Ruby's own Regexp
 * (one Ruby process): same match position on every subject, same refusal.
 * Patterns we knowingly cannot run are listed and must stay refused.
 */

import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { rubyOnce } from "./__oracle__/run-ruby.js";
import { compileRubyRegexp, RubyRegexpError } from "./regexp.js";

interface Case {
  source: string;
  options: number;
  subjects: string[];
}
type Outcome = { error: string } | { matches: (number | null)[] };

const SUBJECTS = [
  "",
  "web1",
  "WEB1",
  "db\nweb2",
  "web2\n",
  "a\nb",
  "ab",
  "aB",
  "Ab",
  "ac",
  "aC",
  "C",
  "c",
  "x y",
  "x\u00a0y",
  "x\ty",
  "caf\u00e9",
  "\u0391\u03b2",
  "\u{1F600}x",
  "1.2.3",
  "dead BEEF",
  "a{2}",
  "aa",
  "]a",
  "a-b",
  "foo/bar",
  "\u001b[0m",
  "line1\r\nline2",
  "{,3}",
  "aaa",
  // Where Unicode properties disagree: a combining mark (not Alphabetic), a
  // letter-number, a feminine ordinal (Lowercase, not Ll), line/next-line separators.
  "e\u0301",
  "\u2170",
  "\u00aa",
  "\u2028",
  "x\u0085y",
  "\u01c5",
  "\u212a",
  "a-b.c_d",
  "ok\n; rm -rf /",
  "ok\r\n",
  "deadbeef",
  "aaab",
];

const PATTERNS: [string, number?][] = [
  ["web"],
  ["^web"],
  ["web\\d+$"],
  ["^web\\d$"],
  ["\\Aweb"],
  ["web2\\z"],
  ["web2\\Z"],
  ["a.b"],
  ["a.b", 4],
  ["(?m)a.b"],
  ["\\h+"],
  ["\\H"],
  ["x\\sy"],
  ["x\\Sy"],
  ["[\\s]"],
  ["(?i)web"],
  ["web", 1],
  ["a(?i)b"],
  ["a(?i)b|c"],
  ["a(?i:b)"],
  ["(?i:A)b"],
  ["(?i)a(?-i)b"],
  ["(?i)a(?-i:b)"],
  ["(?i:[a-c])"],
  ["(?i:[^a])"],
  ["a # comment\n b", 2],
  ["(?x) a b"],
  ["(?x) a\\ b"],
  ["(?x)[ ]"],
  ["[[:alpha:]]+"],
  ["[[:digit:][:space:]]"],
  ["[[:^digit:]]"],
  ["[[:upper:]]"],
  ["(?i)[[:upper:]]"],
  ["[a[bc]]"],
  ["[]a]"],
  ["[^]a]"],
  ["a{,2}"],
  ["a{2}"],
  ["a{2,}"],
  ["a{x}"],
  ["a{"],
  ["}"],
  ["]"],
  ["(a)\\1"],
  ["(?<x>a)\\k<x>"],
  ["(?<x>a)(b)"],
  ["(?<=a)b"],
  ["(?<!a)b"],
  ["(?=a)"],
  ["(?!a)."],
  ["caf\\u00e9"],
  ["\\u{1F600}"],
  ["\\x41|\\x61"],
  ["\\e\\[0m"],
  ["\\012"],
  ["\\0"],
  ["\\y"],
  ["\\/"],
  ["foo/bar"],
  ["[\\/]"],
  ["\\p{Alpha}+"],
  ["\\p{Greek}"],
  ["\\p{^L}"],
  ["\\P{L}"],
  ["[\\p{Lu}]"],
  ["\\R"],
  ["\\bweb"],
  ["a-b"],
  ["[a\\-b]"],
  ["[-a]"],
  ["[a-]"],
  ["a|"],
  ["(a|)"],
  ["(?#comment)web"],
  ["a*?"],
  ["a+?a"],
  ["\\d\\.\\d"],
  ["(?:web|db)\\d"],
  ["[\\h]+"],
  ["[\\d-z]"],
  ["\\cA"],
  ["\\$"],
  ["$^"],
  ["a$"],
  ["^$"],
  ["^"],
  // Written as Ruby prints a Regexp (`Regexp#to_s`), as DDLs and filters carry them.
  ["(?i-mx:web)"],
  ["(?-mix:a.b)"],
  ["(?mi-x:A.B)"],
  ["(?x-mi:a b)"],
  ["(?i-mx:[[:upper:]])"],
  ["k", 1],
  // POSIX brackets and properties, plain and negated.
  ["[[:lower:]]"],
  ["[[:space:]]"],
  ["[[:^space:]]"],
  ["[[:^alpha:]]"],
  ["[[:^upper:]]"],
  ["[[:^lower:]]"],
  ["[[:alnum:]]+"],
  ["[[:word:]]+"],
  ["[[:punct:]]"],
  ["[[:xdigit:]]+"],
  ["[[:blank:]]"],
  ["[[:cntrl:]]"],
  ["\\p{Upper}"],
  ["\\p{Lower}"],
  ["\\p{Space}"],
  ["\\p{Alnum}"],
  ["\\p{^Alpha}"],
  ["[^\\p{Alpha}]"],
  ["\\w+"],
  ["\\A\\h+\\z"],
  ["\\Aok\\Z"],
  ["\\Aok\\z"],
  ["^ok$"],
  // Patterns MCollective's DDLs validate with.
  ["^[\\w\\-\\.]+$"],
  ["\\A[a-zA-Z\\.\\-_\\d]+\\z"],
  ["^\\s*[\\w\\.\\-]+(\\s*,\\s*[\\w\\.\\-]+)*$"],
  ["^[\\w\\_]+$"],
  ["^.+$"],
  ["a*b"],
  // Ruby refuses these.
  ["["],
  ["("],
  [")"],
  ["a{2,1}"],
  ["*a"],
  ["(?z)"],
  ["\\"],
  ["[b-a]"],
  ["\\x"],
  ["(?<1>a)"],
  ["(?<x>a)\\1"],
  ["\\1"],
  ["\\M-a"],
  ["[\\w-.]"],
  ["[[:alpha:]-z]"],
  ["[a-\\d]"],
  ["[\\d-]"],
];

/** Valid in Ruby, deliberately refused by us (a non-match rather than a different match). */
const UNSUPPORTED = [
  "(?>a)",
  "a++",
  "a*+",
  "a?+",
  "a++b",
  "\\Ga",
  "a\\Kb",
  "\\X",
  "[a&&b]",
  "(?~a)",
  "[a[^b]]",
];

function ours(c: Case): Outcome | "unsupported" {
  let re: RegExp;
  try {
    re = compileRubyRegexp(c.source, c.options);
  } catch (e) {
    if (!(e instanceof RubyRegexpError)) throw e;
    return e.kind === "unsupported" ? "unsupported" : { error: "RegexpError" };
  }
  return {
    matches: c.subjects.map((s) => {
      const m = re.exec(s);
      return m ? Array.from(s.slice(0, m.index)).length : null;
    }),
  };
}

describe("compileRubyRegexp against Ruby's Regexp", () => {
  const cases: Case[] = [...PATTERNS, ...UNSUPPORTED.map((s) => [s] as [string])].map(
    ([source, options = 0]) => ({
      source,
      options,
      subjects: SUBJECTS,
    }),
  );
  const oracle = rubyOnce<Outcome[]>(
    fileURLToPath(new URL("./__oracle__/regexp-oracle.rb", import.meta.url)),
    () => cases,
  );

  beforeAll(() => {
    try {
      oracle();
    } catch {
      // Every test below rethrows it.
    }
  }, 180_000);

  it(`matches like Ruby on ${PATTERNS.length} patterns × ${SUBJECTS.length} subjects`, () => {
    const ruby = oracle();
    const disagreements: string[] = [];
    cases.forEach((c, i) => {
      if (UNSUPPORTED.includes(c.source)) return;
      const mine = ours(c);
      const theirs = ruby[i] as Outcome;
      const expected = "error" in theirs ? { error: "RegexpError" } : theirs;
      if (JSON.stringify(mine) !== JSON.stringify(expected)) {
        disagreements.push(
          `/${c.source}/${c.options}: ruby ${JSON.stringify(theirs)} ours ${JSON.stringify(mine)}`,
        );
      }
    });
    expect(disagreements.join("\n")).toBe("");
  });

  it("refuses, rather than approximates, what it cannot run", () => {
    const ruby = oracle();
    cases.forEach((c, i) => {
      if (!UNSUPPORTED.includes(c.source)) return;
      expect(ruby[i], c.source).toHaveProperty("matches");
      expect(ours(c), c.source).toBe("unsupported");
    });
  });
});

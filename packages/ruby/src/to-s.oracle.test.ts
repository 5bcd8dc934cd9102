/**
 * rubyToS and rubyInspect against Ruby's own `to_s` and `inspect` (one Ruby
 * process for the whole table): nil, booleans, big integers, Floats, Strings
 * that need escapes, Symbols, Regexps, and nested Arrays and Hashes.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { rubyOnce } from "./__oracle__/run-ruby.js";
import { rubyInspect } from "./inspect.js";
import { RubyFloat } from "./marshal/types.js";
import { RubyRegex } from "./regexp-value.js";
import { rubyToS } from "./to-s.js";

type Tagged =
  | { nil: true }
  | { bool: boolean }
  | { int: string }
  | { float: string }
  | { str: string }
  | { sym: string }
  | { re: [string, string] }
  | { arr: Tagged[] }
  | { hash: [Tagged, Tagged][] };

function floatBits(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return Buffer.from(view.buffer).toString("hex");
}

const f = (x: number): Tagged => ({ float: floatBits(x) });
const s = (str: string): Tagged => ({ str });

const TABLE: Tagged[] = [
  { nil: true },
  { bool: true },
  { bool: false },
  { int: "0" },
  { int: "-42" },
  { int: "9007199254740993" },
  { int: "1180591620717411303424" },
  f(1),
  f(2.5),
  f(-0),
  f(1e15),
  f(1e16),
  f(1e-5),
  f(Number.NaN),
  f(Number.NEGATIVE_INFINITY),
  s(""),
  s("plain"),
  s('quote " and \\ backslash'),
  s("tab\tnewline\nreturn\r\u0007\u001b\u0000\u007f"),
  s("#{interpolation} #$x #@y #z"),
  s("caf\u00e9 \u{1F600} \u2028"),
  { sym: "name" },
  { sym: "with space" },
  { sym: "question?" },
  { sym: "[]=" },
  { sym: "9lives" },
  { re: ["a/b", "i"] },
  { re: ["^web\\d+$", ""] },
  { re: ["x y", "mix"] },
  { arr: [] },
  { arr: [{ int: "1" }, { nil: true }, f(2), s("x"), { arr: [{ sym: "s" }] }] },
  { hash: [] },
  {
    hash: [
      [s("a"), { int: "1" }],
      [{ sym: "b" }, { arr: [f(0.1), { bool: true }] }],
      [{ int: "3" }, { hash: [[s("n"), { nil: true }]] }],
    ],
  },
];

function build(v: Tagged): unknown {
  if ("nil" in v) return null;
  if ("bool" in v) return v.bool;
  if ("int" in v) {
    const n = BigInt(v.int);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if ("float" in v) {
    const x = Buffer.from(v.float, "hex").readDoubleBE(0);
    return Number.isInteger(x) ? new RubyFloat(x) : x;
  }
  if ("str" in v) return v.str;
  if ("sym" in v) return Symbol.for(v.sym);
  if ("re" in v) return new RubyRegex(v.re[0], v.re[1], true);
  if ("arr" in v) return v.arr.map(build);
  return new Map(v.hash.map(([k, val]) => [build(k), build(val)]));
}

describe("rubyToS and rubyInspect against Ruby", () => {
  const ruby = rubyOnce<[string, string][]>(
    fileURLToPath(new URL("./__oracle__/to-s.rb", import.meta.url)),
    () => TABLE,
  );

  it(`print ${TABLE.length} values as Ruby's to_s and inspect do`, () => {
    const expected = ruby();
    const disagreements = TABLE.flatMap((v, i) => {
      const value = build(v);
      const mine: [string, string] = [rubyToS(value), rubyInspect(value)];
      const theirs = expected[i] as [string, string];
      return JSON.stringify(mine) === JSON.stringify(theirs)
        ? []
        : [`${JSON.stringify(v)}: ruby ${JSON.stringify(theirs)} ours ${JSON.stringify(mine)}`];
    });
    expect(disagreements.join("\n")).toBe("");
  }, 60_000);
});

/**
 * Ruby conversions the DDL layer needs beyond `to_s`/`inspect` (which live in
 * ../ruby): how a validation pattern prints, `Array#join`, `ljust`, byte-wise
 * String comparison, `String#to_i` / `#to_f` of command-line arguments and
 * Puppet's `versioncmp`.
 */
import { RubyFloat } from "../marshal/types.js";
import { RubyRegex } from "../ruby/regexp-value.js";
import { rubyToS } from "../ruby/to-s.js";

/** What Ruby prints for a validation: a String pattern as itself, a Regexp as `(?-mix:…)`. */
export function regexToS(re: RegExp): string {
  return re instanceof RubyRegex ? re.toRubyString() : re.source;
}

/** `Array#join(sep)`: nested arrays are joined too, each element by its `to_s`. */
export function rubyJoin(list: readonly unknown[], separator = ", "): string {
  return list.flat(Number.POSITIVE_INFINITY).map(rubyToS).join(separator);
}

/** `"%-25s" % s`: Ruby pads by characters, never truncates. */
export function rubyLeftJustify(s: string, width: number): string {
  const len = Array.from(s).length;
  return len >= width ? s : s + " ".repeat(width - len);
}

/** Ruby compares strings byte by byte (UTF-8), which is what `Array#sort` uses. */
export function compareRubyStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

const RUBY_SPACE = /^[ \t\n\v\f\r]*/;

function digitsToInteger(sign: string, digits: string): number | bigint {
  if (digits === "") return 0;
  const big = BigInt(digits) * (sign === "-" ? -1n : 1n);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** `String#to_i`: leading blanks, a sign, digits with single underscores; 0 when none. */
export function rubyToI(s: string): number | bigint {
  const rest = s.replace(RUBY_SPACE, "");
  const m = /^([+-]?)(\d+(?:_\d+)*)/.exec(rest);
  if (!m) return 0;
  return digitsToInteger(m[1] ?? "", (m[2] ?? "").replace(/_/g, ""));
}

/** `String#to_f`; an integral result stays a Float (`RubyFloat`) so it types as one. */
export function rubyToF(s: string): number | RubyFloat {
  const rest = s.replace(RUBY_SPACE, "");
  const m = /^[+-]?(?:\d+(?:_\d+)*)?(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?/.exec(rest);
  let text = m ? m[0].replace(/_/g, "") : "";
  if (!/\d/.test(text.replace(/[eE].*$/, ""))) text = "0";
  const value = Number.parseFloat(text);
  const x = Number.isNaN(value) ? 0 : value;
  return Number.isInteger(x) ? new RubyFloat(x) : x;
}

/**
 * MCollective's `Util.versioncmp` (Puppet's algorithm): compare dotted and
 * dashed version strings piece by piece, numbers numerically.
 */
export function rubyVersionCmp(a: string, b: string): number {
  const piece = /[-.]|\d+|[^-.\d]+/g;
  const ax = a.match(piece) ?? [];
  const bx = b.match(piece) ?? [];
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  while (ax.length > 0 && bx.length > 0) {
    const x = ax.shift() as string;
    const y = bx.shift() as string;
    if (x === y) continue;
    if (x === "-") return -1;
    if (y === "-") return 1;
    if (x === ".") return -1;
    if (y === ".") return 1;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) {
      if (x.startsWith("0") || y.startsWith("0")) return cmp(x.toUpperCase(), y.toUpperCase());
      const d = BigInt(x) - BigInt(y);
      return d < 0n ? -1 : d > 0n ? 1 : 0;
    }
    return cmp(x.toUpperCase(), y.toUpperCase());
  }
  return compareRubyStrings(a, b) < 0 ? -1 : compareRubyStrings(a, b) > 0 ? 1 : 0;
}

/**
 * Ruby conversions the DDL layer needs beyond `to_s`/`inspect` (which live in
 * @phobos/ruby, with String#to_i / #to_f): how a validation pattern prints,
 * `Array#join`, `ljust` and Puppet's `versioncmp`.
 */
import { RubyRegex, rubyCompareStrings, rubyToS } from "@phobos/ruby";

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
  return rubyCompareStrings(a, b) < 0 ? -1 : rubyCompareStrings(a, b) > 0 ? 1 : 0;
}

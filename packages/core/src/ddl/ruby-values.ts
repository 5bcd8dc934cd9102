/**
 * How Ruby turns values into text, for the places where MCollective's output
 * is made of Ruby's `to_s` and `inspect`: `mco plugin doc` (ERB templates),
 * validation messages, and the `String#to_i` / `#to_f` conversions of
 * command-line arguments. Values are the DDL model's plain data (strings for
 * symbols, objects for hashes), plus the Marshal model's `RubyFloat` and JS
 * symbols where they turn up.
 */
import { RubyFloat, RubyString } from "../marshal/types.js";
import { RubyRegex } from "./ruby-regex.js";

/** Ruby's `Float#to_s`: shortest round-trip digits, exponent form outside 1e-4 ≤ |x| < 1e16. */
export function rubyFloatToS(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa = "0", exponent = "0"] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exp = Number.parseInt(exponent, 10);
  const decpt = exp + 1;
  // Ruby (flo_to_s) switches to exponent form past DBL_DIG digits before the point.
  if (decpt < -3 || decpt > 15) {
    const frac = digits.slice(1) || "0";
    const e = Math.abs(exp).toString().padStart(2, "0");
    return `${sign}${digits[0]}.${frac}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

function integerToS(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** What Ruby prints for a validation: a String pattern as itself, a Regexp as `(?-mix:…)`. */
export function regexToS(re: RegExp): string {
  return re instanceof RubyRegex ? re.toRubyString() : re.source;
}

const SIMPLE_SYMBOL =
  /^(?:[A-Za-z_][A-Za-z0-9_]*[?!=]?|\[\]=?|[+\-*/%<>~!^&|]|\*\*|<=>|==|===|=~|!=|!~|<=|>=|<<|>>|[+-]@)$/;

/** `"…"` the way `String#inspect` writes it for a UTF-8 string. */
export function rubyStringInspect(s: string): string {
  let out = '"';
  const chars = Array.from(s);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    const code = c.codePointAt(0) ?? 0;
    switch (c) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\v":
        out += "\\v";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\x07":
        out += "\\a";
        continue;
      case "\x1b":
        out += "\\e";
        continue;
      case "#": {
        const next = chars[i + 1];
        out += next === "{" || next === "$" || next === "@" ? "\\#" : "#";
        continue;
      }
    }
    if (code < 0x20 || code === 0x7f) {
      out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    } else {
      out += c;
    }
  }
  return `${out}"`;
}

function symbolInspect(name: string): string {
  return SIMPLE_SYMBOL.test(name) ? `:${name}` : `:${rubyStringInspect(name)}`;
}

/** Ruby's `inspect` (Ruby 3.1 layout: `{"a"=>1, :b=>[1, nil, 2.0]}`). */
export function rubyInspect(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "string") return rubyStringInspect(v);
  if (typeof v === "symbol") return symbolInspect(v.description ?? "");
  if (typeof v === "boolean" || typeof v === "number" || typeof v === "bigint" || v instanceof RubyFloat) {
    return rubyToS(v);
  }
  if (v instanceof RubyString) return rubyStringInspect(v.toString());
  if (v instanceof RegExp) {
    const src = v instanceof RubyRegex ? v.rubySource : v.source;
    const opts = v instanceof RubyRegex ? v.rubyOptions : v.flags.includes("i") ? "i" : "";
    return `/${src.replace(/(^|[^\\])\//g, "$1\\/")}/${opts}`;
  }
  if (Array.isArray(v)) return `[${v.map(rubyInspect).join(", ")}]`;
  if (v instanceof Map) {
    return `{${[...v].map(([k, val]) => `${rubyInspect(k)}=>${rubyInspect(val)}`).join(", ")}}`;
  }
  if (isPlainObject(v)) {
    return `{${Object.entries(v)
      .map(([k, val]) => `${rubyInspect(k)}=>${rubyInspect(val)}`)
      .join(", ")}}`;
  }
  return String(v);
}

/** Ruby's `to_s`, as ERB's `<%= … %>` and string interpolation use it. */
export function rubyToS(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return Number.isInteger(v) ? integerToS(v) : rubyFloatToS(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "symbol") return v.description ?? "";
  if (v instanceof RubyFloat) return rubyFloatToS(v.value);
  if (v instanceof RubyString) return v.toString();
  if (v instanceof RegExp) {
    const src = v instanceof RubyRegex ? v.rubySource : v.source;
    const on = v instanceof RubyRegex ? v.rubyOptions : v.flags.includes("i") ? "i" : "";
    return RubyRegex.describe(src, on);
  }
  return rubyInspect(v);
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

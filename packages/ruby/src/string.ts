/**
 * Ruby's String and Kernel conversions MCollective leans on (filters, DDL
 * arguments), reproduced exactly: a filter means what it meant to a Ruby
 * daemon, down to `Integer("010") == 8`, `"a=".split("=") == ["a"]` and
 * `"12abc".to_i == 12`.
 */

import { RubyFloat } from "./marshal/types.js";
import { compileRubyRegexp } from "./regexp.js";

/** `String#split(sep)` with a non-blank literal separator: trailing empty fields dropped. */
export function rubySplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts.at(-1) === "") parts.pop();
  return parts;
}

/** `String#split(regexp)` with capture groups kept, trailing empty fields dropped. */
export function rubySplitRegexp(text: string, pattern: RegExp): string[] {
  const parts = text.split(pattern).map((p) => p ?? "");
  while (parts.length > 0 && parts.at(-1) === "") parts.pop();
  return parts;
}

/** `String#split(" ")`: awk-style, on runs of ASCII whitespace. */
export function rubySplitWords(text: string): string[] {
  return text.split(/[ \t\n\v\f\r]+/).filter((w) => w !== "");
}

/** `String#chomp`: one trailing `\r\n`, `\n` or `\r` removed. */
export function rubyChomp(text: string): string {
  if (text.endsWith("\r\n")) return text.slice(0, -2);
  if (text.endsWith("\n") || text.endsWith("\r")) return text.slice(0, -1);
  return text;
}

/** `String#strip`: ASCII whitespace and NUL from both ends. */
export function rubyStrip(text: string): string {
  return text.replace(/^[ \t\n\v\f\r\0]+|[ \t\n\v\f\r\0]+$/g, "");
}

/** `String#gsub(regexp, "")`. */
export function rubyRemoveAll(text: string, source: string): string {
  const re = compileRubyRegexp(source);
  return text.replace(new RegExp(re.source, `${re.flags}g`), "");
}

/** Ruby compares Strings byte by byte (UTF-8), not by UTF-16 code unit. */
export function rubyCompareStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** Integer() and Float() skip surrounding whitespace, but not NUL. */
function trimSpace(text: string): string {
  return text.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, "");
}

const INTEGER =
  /^([+-]?)(?:0[bB]((?:[01]+_)*[01]+)|0[oO_]?((?:[0-7]+_)*[0-7]+)|0[xX]((?:[0-9a-fA-F]+_)*[0-9a-fA-F]+)|0[dD]((?:[0-9]+_)*[0-9]+)|([1-9](?:_?[0-9])*|0))$/;

/** `Kernel#Integer(str)`: base prefixes, a leading 0 meaning octal, single underscores. Throws. */
export function rubyKernelInteger(text: string): bigint {
  const m = INTEGER.exec(trimSpace(text));
  if (!m) throw new TypeError(`invalid value for Integer(): ${JSON.stringify(text)}`);
  const [, sign, bin, oct, hex, dec, plain] = m;
  const digits = (bin ?? oct ?? hex ?? dec ?? plain ?? "0").replace(/_/g, "");
  const prefix = bin !== undefined ? "0b" : oct !== undefined ? "0o" : hex !== undefined ? "0x" : "";
  const value = BigInt(prefix + digits);
  return sign === "-" ? -value : value;
}

const DECIMAL_FLOAT = /^[+-]?(?:\d(?:_?\d)*)?(?:\.\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)(?:\.([0-9a-fA-F]+))?(?:[pP]([+-]?\d+))?$/;

/** `Kernel#Float(str)`: decimal (`.5` yes, `1.` no) or hex, no NaN/Infinity. Throws. */
export function rubyKernelFloat(text: string): number {
  const s = trimSpace(text);
  const hex = HEX_FLOAT.exec(s);
  if (hex) {
    const [, sign, int, frac = "", exp = "0"] = hex;
    let value = Number.parseInt((int ?? "0").replace(/_/g, ""), 16);
    for (let i = 0; i < frac.length; i++) value += Number.parseInt(frac[i] as string, 16) / 16 ** (i + 1);
    value *= 2 ** Number(exp);
    return sign === "-" ? -value : value;
  }
  const mantissa = s.replace(/^[+-]/, "").split(/[eE]/)[0] ?? "";
  if (!DECIMAL_FLOAT.test(s) || !/\d/.test(mantissa) || mantissa.endsWith(".")) {
    throw new TypeError(`invalid value for Float(): ${JSON.stringify(text)}`);
  }
  return Number(s.replace(/_/g, ""));
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

/**
 * Ruby's `to_s`, as `puts`, `"#{…}"`, ERB's `<%= … %>` and `"%s" %` print a
 * value: nil is empty, a Symbol its name, a Float `Float#to_s`, a Regexp
 * `(?-mix:…)`, and everything else (collections, objects) its `inspect`.
 */

import { rubyFloatToS } from "./float-to-s.js";
import { rubyInspect } from "./inspect.js";
import { RubyFloat, RubyString, RubySymbol } from "./marshal/types.js";
import { describeRubyRegexp, RubyRegex } from "./regexp-value.js";

/** `Integer#to_s` of a JS number holding an integer, exactly even past 2^53. */
function integerToS(n: number): string {
  return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}

export function rubyToS(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return Number.isInteger(v) ? integerToS(v) : rubyFloatToS(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "symbol") return v.description ?? "";
  if (v instanceof RubyFloat) return rubyFloatToS(v.value);
  if (v instanceof RubyString) return v.toString();
  if (v instanceof RubySymbol)
    return Buffer.from(v.bytes).toString(v.encoding === "ASCII-8BIT" ? "latin1" : "utf8");
  if (v instanceof Uint8Array) return Buffer.from(v).toString("latin1");
  if (v instanceof RegExp) {
    const source = v instanceof RubyRegex ? v.rubySource : v.source;
    const options = v instanceof RubyRegex ? v.rubyOptions : v.flags.includes("i") ? "i" : "";
    return describeRubyRegexp(source, options);
  }
  return rubyInspect(v);
}

/**
 * Ruby's `#inspect` for the plain data Phobos passes around (DDL values,
 * `RubyRegex` patterns, JS objects standing for Hashes) as well as the Marshal
 * model: both are brought to the Marshal model and printed by its inspect,
 * which escapes strings exactly as Ruby 3.1 does.
 */
import { inspect } from "./marshal/inspect.js";
import { RubyRegexp, type RubyValue } from "./marshal/types.js";
import { RubyRegex, rubyRegexpOptionBits } from "./regexp-value.js";

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Plain data as the Marshal model: objects become Hashes with String keys, `undefined` nil. */
export function asRubyValue(v: unknown): RubyValue {
  if (v === undefined) return null;
  if (v instanceof RegExp) {
    return v instanceof RubyRegex
      ? new RubyRegexp(v.rubySource, rubyRegexpOptionBits(v.rubyOptions))
      : new RubyRegexp(v.source, rubyRegexpOptionBits(v.flags.includes("i") ? "i" : ""));
  }
  if (Array.isArray(v)) return v.map(asRubyValue);
  if (v instanceof Map) return new Map([...v].map(([k, val]) => [asRubyValue(k), asRubyValue(val)]));
  if (isPlainObject(v)) return new Map(Object.entries(v).map(([k, val]) => [k, asRubyValue(val)]));
  return v as RubyValue;
}

/** Ruby 3.1's `inspect`: `{"a"=>1, :b=>[1, nil, 2.0]}`, `"a\\n"`, `/a\/b/i`. */
export function rubyInspect(v: unknown): string {
  return inspect(asRubyValue(v));
}

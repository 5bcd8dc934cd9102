/**
 * @phobos/ruby: how Ruby reads and prints values, each rule written once:
 * Marshal 4.8, Float#to_s, to_s, inspect, String#to_i/to_f, Integer() and
 * Float(), Regexp (Onigmo → JavaScript), Time#to_s, Psych's plain scalars.
 * Depends only on @phobos/errors; the Psych schema, which needs js-yaml, is
 * the subpath @phobos/ruby/psych (./psych.ts).
 */
export { rubyFloatToS, shortestFloatDigits } from "./float-to-s.js";
export { asRubyValue, rubyInspect } from "./inspect.js";
export * from "./marshal/index.js";
export { type PsychToken, psychTokenize } from "./psych-scalar.js";
export {
  compileRubyRegexp,
  isRubySpace,
  RUBY_REGEXP_EXTENDED,
  RUBY_REGEXP_IGNORECASE,
  RUBY_REGEXP_MULTILINE,
  RubyRegexpError,
  type RubyRegexpFailure,
  translateRubyRegexp,
} from "./regexp.js";
export { describeRubyRegexp, RubyRegex, rubyRegexpOptionBits } from "./regexp-value.js";
export * from "./ruby-format.js";
export * from "./string.js";
export { rubyTimeToS } from "./time-to-s.js";
export { rubyToS } from "./to-s.js";

/**
 * Regexes that come from a filter, compiled for evaluation: a pattern Ruby
 * refuses, or one we cannot run as Ruby would, makes the whole filter fail
 * (Ruby raises RegexpError there) instead of quietly matching differently.
 */
import { FilterEvaluationError } from "./evaluation-errors.js";
import { compileRubyRegexp, RubyRegexpError } from "./ruby-regexp.js";

export function filterRegexp(source: string, options = 0): RegExp {
  try {
    return compileRubyRegexp(source, options);
  } catch (e) {
    if (e instanceof RubyRegexpError) throw new FilterEvaluationError(e.message, { cause: e });
    throw e;
  }
}

/**
 * MCollective's `"/re/"` convention for classes, identities and agents: a
 * value starting a line with `/` is a regex, and every `/` in it is dropped
 * (`Regexp.new(value.gsub("/", ""))`), not just the outer pair.
 */
export function slashedRegexp(value: string): RegExp | undefined {
  if (!compileRubyRegexp("^/").test(value)) return undefined;
  return filterRegexp(value.replaceAll("/", ""));
}

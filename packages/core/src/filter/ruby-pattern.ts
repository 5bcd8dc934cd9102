/**
 * Regexes that come from a filter, compiled for evaluation: a pattern Ruby
 * refuses, or one we cannot run as Ruby would, makes the whole filter fail
 * (Ruby raises RegexpError there) instead of quietly matching differently.
 *
 * Where a filter entry holds a regex, and what its source is, is decided
 * here once: the daemon's matcher and the client's check before sending
 * (validate-filter.ts) both ask these functions.
 */

import { compileRubyRegexp, describeRubyRegexp, RubyRegexpError } from "@phobos/ruby";
import type { RegexpValue } from "../message/filter.js";
import { FilterEvaluationError } from "./evaluation-errors.js";

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
 * (`Regexp.new(value.gsub("/", ""))`), not just the outer pair. The source,
 * or undefined for a plain name.
 */
export function slashedRegexpSource(value: string): string | undefined {
  if (!compileRubyRegexp("^/").test(value)) return undefined;
  return value.replaceAll("/", "");
}

export function slashedRegexp(value: string): RegExp | undefined {
  const source = slashedRegexpSource(value);
  return source === undefined ? undefined : filterRegexp(source);
}

/** The regex of an `=~` fact comparison: MCollective 1.x wanted "/re/" and the slashes still travel. */
export function factRegexpSource(value: string): string {
  return compileRubyRegexp("^\\/(.+)\\/$").exec(value)?.[1] ?? value;
}

/** `Regexp#to_s` of a filter's Regexp value: what it turns into when compared as a String. */
export function rubyRegexpToString(value: RegexpValue): string {
  const { source, options } = value.regexp;
  return describeRubyRegexp(
    source,
    `${options & 4 ? "m" : ""}${options & 1 ? "i" : ""}${options & 2 ? "x" : ""}`,
  );
}

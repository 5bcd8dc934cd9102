/**
 * MCollective's `DDL.string_to_boolean` and `DDL.string_to_number`: how text
 * typed on a command line (`mco rpc … force=yes`, a data query argument)
 * becomes a boolean or a number. Deliberately naive, as MCollective's are:
 * no signs, no exponents, and Ruby's line-anchored `^…$` checks, so
 * "12\nabc" counts as a number (12).
 */
import type { RubyFloat } from "@phobos/ruby";
import { RubyRegex, rubyToF, rubyToI } from "@phobos/ruby";

const TRUE_WORDS = ["true", "t", "yes", "y", "1"];
const FALSE_WORDS = ["false", "f", "no", "n", "0"];
const FLOAT_TEXT = new RubyRegex("^\\d+\\.\\d+$");
const INTEGER_TEXT = new RubyRegex("^\\d+$");

/** @throws Error "x does not look like a boolean argument" */
export function stringToBoolean(value: string): boolean {
  const lower = value.toLowerCase();
  if (TRUE_WORDS.includes(lower)) return true;
  if (FALSE_WORDS.includes(lower)) return false;
  throw new Error(`${value} does not look like a boolean argument`);
}

/** A Float for `1.5` (a `RubyFloat` when integral, so `1.0` stays a Float), an Integer for `15`. */
export function stringToNumber(value: string): number | bigint | RubyFloat {
  if (FLOAT_TEXT.test(value)) return rubyToF(value);
  if (INTEGER_TEXT.test(value)) return rubyToI(value);
  throw new Error(`${value} does not look like a number`);
}

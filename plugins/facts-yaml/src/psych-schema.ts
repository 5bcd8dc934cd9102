import { rubyFloatToS } from "@phobos/core";
import { psychSchema } from "@phobos/core/psych";

/**
 * What a plain (unquoted) YAML scalar means to Ruby's Psych, as MCollective's
 * yaml fact source loads it (`YAML.safe_load`, Symbols allowed): Psych's own
 * reading of YAML 1.1 (core's `psychTokenize`), which is not js-yaml's.
 * `yes`/`on` are true but `y` is a string, `010` is octal, `1:20` is base 60
 * by Psych's formula, `:name` is a Symbol (its name here), and a date or time
 * is a class safe_load refuses, so the whole file fails. Floats and integers
 * beyond 2^53 come back as the text Ruby's `to_s` gives them (`1000.0`),
 * since facts are compared as Strings.
 */

/** A class `YAML.safe_load` refuses: Psych raises, and MCollective skips the file. */
export class DisallowedClassError extends Error {
  override name = "Psych::DisallowedClass";
}

/** YAML 1.1 as `YAML.safe_load` reads it, merge keys and aliases included. */
export const PSYCH_SCHEMA = psychSchema((token) => {
  switch (token.type) {
    case "null":
      return null;
    case "boolean":
      return token.value;
    case "integer":
      return token.value >= BigInt(Number.MIN_SAFE_INTEGER) && token.value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(token.value)
        : token.value.toString();
    case "float":
      return rubyFloatToS(token.value);
    case "symbol":
      return token.name;
    case "time":
      throw new DisallowedClassError(`Tried to load unspecified class: ${token.class}`);
  }
});

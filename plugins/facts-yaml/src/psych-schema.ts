import { rubyFloatToS } from "@phobos/core";
import {
  boolYaml11Tag,
  defineScalarTag,
  floatYaml11Tag,
  intYaml11Tag,
  NOT_RESOLVED,
  nullYaml11Tag,
  type ScalarTagDefinition,
  timestampTag,
  YAML11_SCHEMA,
} from "js-yaml";

/**
 * What a plain (unquoted) YAML scalar means to Ruby's Psych, as MCollective's
 * yaml fact source loads it (`YAML.safe_load`, Symbols allowed): Psych's own
 * reading of YAML 1.1, which is not js-yaml's. `yes`/`on` are true but `y`
 * is a string, `010` is octal, `1:20` is base 60 by Psych's formula, `:name`
 * is a Symbol, and a date or time is a class safe_load refuses, so the whole
 * file fails. Floats and integers beyond 2^53 come back as the text Ruby's
 * `to_s` gives them (`1000.0`), since facts are compared as Strings.
 */
const STRINGISH = /^[^\d.:-]?[\p{L}_\s!@#$%^&*(){}<>|/\\~;=]+/u;
const TIME =
  /^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:\s*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$/;
const DATE = /^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$/;
const FLOAT = /^(?:[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?)$/;
const INTEGER =
  /^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$/;
const SEXAGESIMAL_INT = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}$/;
const SEXAGESIMAL_FLOAT = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}\.[0-9_]*$/;

/** A class `YAML.safe_load` refuses: Psych raises, and MCollective skips the file. */
export class DisallowedClassError extends Error {
  override name = "Psych::DisallowedClass";
}

/** Ruby's `Integer("0x1f")` and friends, exactly, as a number when it is one exactly. */
function rubyInteger(text: string): number | string {
  const negative = text.startsWith("-");
  const digits = text.replace(/^[-+]/, "");
  const prefixed = /^0[0-7]/.test(digits) ? `0o${digits.slice(1)}` : digits;
  const value = BigInt(prefixed) * (negative ? -1n : 1n);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/** Psych's base-60 sum, including its exponent (60 ** |i - 2|), which reads `1:20` as 4800. */
function sexagesimal(text: string, parse: (part: string) => number): number {
  return text.split(":").reduce((sum, part, i) => sum + parse(part) * 60 ** Math.abs(i - 2), 0);
}

/** Psych's `ScalarScanner#tokenize` for one plain scalar. */
export function psychScalar(text: string): unknown {
  if (text === "") return null;
  if (STRINGISH.test(text) || text.includes("\n")) {
    if (text.length > 5 || /^[^ytonf~]/i.test(text)) return text;
    if (text === "~" || /^null$/i.test(text)) return null;
    if (/^(yes|true|on)$/i.test(text)) return true;
    if (/^(no|false|off)$/i.test(text)) return false;
    return text;
  }
  if (TIME.test(text)) throw new DisallowedClassError("Tried to load unspecified class: Time");
  if (DATE.test(text)) throw new DisallowedClassError("Tried to load unspecified class: Date");
  if (/^\+?\.inf$/i.test(text)) return "Infinity";
  if (/^-\.inf$/i.test(text)) return "-Infinity";
  if (/^\.nan$/i.test(text)) return "NaN";
  if (/^:./.test(text)) {
    const quoted = /^:(["'])(.*)\1/.exec(text);
    return quoted ? (quoted[2] as string).replace(/^:/, "") : text.slice(1);
  }
  if (SEXAGESIMAL_INT.test(text))
    return sexagesimal(text, (p) => Number.parseInt(p.replace(/_/g, ""), 10) || 0);
  if (SEXAGESIMAL_FLOAT.test(text)) {
    return rubyFloatToS(sexagesimal(text, (p) => Number.parseFloat(p.replace(/_/g, "")) || 0));
  }
  if (FLOAT.test(text)) {
    if (/^[-+]?\.$/.test(text)) return text;
    return rubyFloatToS(Number(text.replace(/[,_]|\.([Ee]|$)/g, "$1")));
  }
  if (INTEGER.test(text)) return rubyInteger(text.replace(/[,_]/g, ""));
  return text;
}

const psychPlain = defineScalarTag("tag:phobos,2026:psych-plain", {
  implicit: true,
  implicitFirstChars: null,
  resolve: (source) => {
    const value = psychScalar(source);
    return typeof value === "string" && value === source ? NOT_RESOLVED : value;
  },
  identify: () => false,
});

/** The YAML 1.1 tag, still there for an explicit `!!int`, no longer guessing plain scalars. */
const explicitOnly = <T>(tag: ScalarTagDefinition<T>) =>
  defineScalarTag(tag.tagName, { resolve: tag.resolve, identify: tag.identify, implicit: false });

/** YAML 1.1 as `YAML.safe_load` reads it, merge keys and aliases included. */
export const PSYCH_SCHEMA = YAML11_SCHEMA.withTags(
  explicitOnly(nullYaml11Tag),
  explicitOnly(boolYaml11Tag),
  explicitOnly(intYaml11Tag),
  explicitOnly(floatYaml11Tag),
  explicitOnly(timestampTag),
  psychPlain,
);

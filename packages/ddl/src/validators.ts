/**
 * MCollective's built-in input validators, with their exact messages, and
 * the dispatch `Validator.validate` does on a DDL's `:validation`: a type
 * name typechecks, a RegExp matches, a list must contain the value, and any
 * other name is a validator plugin (`shellsafe`, `ipv4address`, or an
 * add-on's such as `package_name`) found through `lookup`.
 *
 * Every failure is a DdlValidationError carrying the bare validator message
 * ("value should not have ; in it"); `validateRpcRequest` prefixes it with
 * the input's name the way MCollective does.
 */
import { DdlValidationError } from "@phobos/errors";
import { RubyFloat, RubyString } from "@phobos/ruby";
import { rubyIpFamily } from "./ip-address.js";
import { regexToS, rubyJoin } from "./ruby-values.js";

/** A validator plugin: throws (any Error) to refuse the value. */
export type ValidatorFn = (value: unknown) => void;
export type ValidatorLookup = (name: string) => ValidatorFn | undefined;
/** What a DDL's `validation` may be, plus the list a `list` input checks against. */
export type Validation = string | RegExp | readonly unknown[] | null | undefined;

/** The type names `typecheck` knows; `hash`, `array` and `any` are Phobos additions. */
export const TYPECHECK_TYPES = ["integer", "float", "number", "string", "boolean"] as const;

function fail(message: string, cause?: unknown): never {
  throw new DdlValidationError(message, cause === undefined ? undefined : { cause });
}

/** The text of a value Ruby would call a String (a JS string, or the Marshal forms of one). */
export function rubyStringValue(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof RubyString) return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("latin1");
  return undefined;
}

function isInteger(v: unknown): boolean {
  return typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v));
}

function isFloat(v: unknown): boolean {
  return v instanceof RubyFloat || (typeof v === "number" && !Number.isInteger(v));
}

function isHash(v: unknown): boolean {
  if (v instanceof Map) return true;
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Whether `value` is of `type` as MCollective's TypecheckValidator (plus hash/array/any) sees it. */
export function checkType(value: unknown, type: string): boolean {
  switch (type) {
    case "integer":
      return isInteger(value);
    case "float":
      return isFloat(value);
    case "number":
      return isInteger(value) || isFloat(value);
    case "string":
      return rubyStringValue(value) !== undefined;
    case "boolean":
      return typeof value === "boolean";
    case "hash":
      return isHash(value);
    case "array":
      return Array.isArray(value);
    case "any":
      return true;
    default:
      return false;
  }
}

/** `:typecheck`: "value should be a integer" (sic — Ruby does not pick the article). */
export function typecheck(value: unknown, type: string): void {
  if (checkType(value, type)) return;
  fail(type === "array" ? "value should be an array" : `value should be a ${type}`);
}

const SHELL_UNSAFE = ["`", "$", ";", "|", "&&", ">", "<"];

/** `:shellsafe`: refuses the characters a shell would act on, first one found in this order. */
export function shellsafe(value: unknown): void {
  const text = rubyStringValue(value);
  if (text === undefined) fail("value should be a String");
  for (const chr of SHELL_UNSAFE) {
    if (text.includes(chr)) fail(`value should not have ${chr} in it`);
  }
}

/** `:ipv4address`: whatever Ruby's IPAddr accepts as IPv4, prefix and netmask included. */
export function ipv4address(value: unknown): void {
  if (rubyIpFamily(rubyStringValue(value)) !== 4) fail("value should be an ipv4 address");
}

/** `:ipv6address`: whatever Ruby's IPAddr accepts as IPv6, zone ids and brackets included. */
export function ipv6address(value: unknown): void {
  if (rubyIpFamily(rubyStringValue(value)) !== 6) fail("value should be an ipv6 address");
}

/** `regex`: the value must match somewhere (Ruby's `String#match`). */
export function regex(value: unknown, pattern: RegExp): void {
  const text = rubyStringValue(value);
  if (text === undefined) fail("value should be a string");
  // A fresh, non-global copy: the DDL's RegExp is shared and must keep no lastIndex state.
  const re =
    pattern.global || pattern.sticky
      ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ""))
      : pattern;
  if (!re.test(text)) fail(`value should match ${regexToS(pattern)}`);
}

function sizeOf(value: unknown): number | undefined {
  const text = rubyStringValue(value);
  if (text !== undefined) return Array.from(text).length;
  if (Array.isArray(value)) return value.length;
  if (value instanceof Map) return value.size;
  if (isHash(value)) return Object.keys(value as object).length;
  return undefined;
}

/** `length`: longer than `max` characters fails; 0 means no limit. */
export function length(value: unknown, max: number): void {
  const size = sizeOf(value);
  if (size !== undefined && size > max && max > 0) fail(`Input string is longer than ${max} character(s)`);
}

function rubyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const sa = rubyStringValue(a);
  const sb = rubyStringValue(b);
  if (sa !== undefined && sb !== undefined) return sa === sb;
  const na = typeof a === "number" || typeof a === "bigint" || a instanceof RubyFloat ? Number(a) : undefined;
  const nb = typeof b === "number" || typeof b === "bigint" || b instanceof RubyFloat ? Number(b) : undefined;
  return na !== undefined && nb !== undefined && na === nb;
}

/** `array` (a `list` input): the value must be one of `list`. */
export function array(value: unknown, list: readonly unknown[]): void {
  if (!list.some((item) => rubyEqual(item, value))) {
    fail(`value should be one of ${rubyJoin(list)}`);
  }
}

/** The validators a DDL can name; the others need an argument the name alone cannot give. */
export const builtinValidators: Readonly<Record<string, ValidatorFn>> = Object.freeze({
  shellsafe,
  ipv4address,
  ipv6address,
});

/** Every MCollective built-in validator by its plugin name, including those that take an argument. */
export const mcollectiveValidators = Object.freeze({
  array,
  ipv4address,
  ipv6address,
  length,
  regex,
  shellsafe,
  typecheck,
});

/** Built-ins that take a second argument: naming them alone fails as it does in Ruby. */
const NEEDS_ARGUMENT = new Set(["regex", "length", "typecheck", "array"]);

/** A place add-on validator plugins register, for `validateValue`'s `lookup`. */
export interface ValidatorRegistry {
  register(name: string, validator: ValidatorFn): void;
  lookup: ValidatorLookup;
  names(): string[];
}

export function createValidatorRegistry(initial: Record<string, ValidatorFn> = {}): ValidatorRegistry {
  const validators = new Map<string, ValidatorFn>(Object.entries(initial));
  return {
    register(name, validator) {
      validators.set(name, validator);
    },
    lookup: (name) => validators.get(name),
    names: () => [...validators.keys()],
  };
}

/**
 * `Validator.validate(value, validation)`: nothing for null, a typecheck for
 * a type name, a match for a RegExp, membership for a list, and otherwise
 * the named validator, built-in first, then `lookup`.
 * @throws DdlValidationError with MCollective's message
 */
export function validateValue(value: unknown, validation: Validation, lookup?: ValidatorLookup): void {
  if (validation === null || validation === undefined) return;
  if (validation instanceof RegExp) {
    regex(value, validation);
    return;
  }
  if (Array.isArray(validation)) {
    array(value, validation);
    return;
  }
  const name = validation as string;
  if ((TYPECHECK_TYPES as readonly string[]).includes(name)) {
    typecheck(value, name);
    return;
  }
  const builtin = Object.hasOwn(builtinValidators, name) ? builtinValidators[name] : undefined;
  if (builtin) {
    builtin(value);
    return;
  }
  if (NEEDS_ARGUMENT.has(name)) fail("wrong number of arguments (given 1, expected 2)");
  const plugin = lookup?.(name);
  if (!plugin) fail(`Unknown validator: '${name}'.`);
  try {
    plugin(value);
  } catch (e) {
    if (e instanceof DdlValidationError) throw e;
    fail(e instanceof Error ? e.message : String(e), e);
  }
}

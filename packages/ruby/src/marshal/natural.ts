import { MarshalEncodeError } from "@phobos/errors";
import { decodeText, encodingTag, isValidUtf8 } from "./encodings.js";
import { inspect } from "./inspect.js";
import { MAX_NESTING } from "./limits.js";
import {
  RubyClassRef,
  RubyData,
  RubyExtended,
  RubyFloat,
  RubyObject,
  RubyRegexp,
  RubyString,
  RubyStruct,
  RubySymbol,
  RubyUserClass,
  RubyUserDefined,
  RubyUserMarshal,
  type RubyValue,
  RubyWithIvars,
  sym,
} from "./types.js";

/**
 * Plain JS for application code: Hashes become objects keyed by name,
 * Symbols their names, Strings JS strings (binary ones Buffers), integral
 * Floats numbers, Bignums numbers when exact, else decimal strings. Other Ruby
 * objects become `{ "@class": "Foo", …ivars }`; a Regexp its `/src/flags` text.
 * A shared object converts once and stays shared, so cycles are safe.
 */
export function toNatural(value: RubyValue): unknown {
  return natural(value, new Map());
}

function natural(v: RubyValue, done: Map<object, unknown>): unknown {
  switch (typeof v) {
    case "string":
    case "number":
    case "boolean":
      return v;
    case "bigint":
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v)
        : v.toString();
    case "symbol":
      return v.description ?? "";
    case "object":
      break;
    default:
      return v;
  }
  if (v === null) return null;
  if (v instanceof RubyString) return rubyStringNatural(v);
  if (v instanceof Uint8Array)
    return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof RubyFloat) return v.value;
  if (v instanceof RubySymbol) return decodeText(v.bytes, v.encoding);
  if (v instanceof RubyRegexp) return inspect(v);
  if (v instanceof RubyClassRef) return v.name;
  if (v instanceof RubyWithIvars || v instanceof RubyUserClass || v instanceof RubyExtended) {
    return natural(v.value, done);
  }
  const seen = done.get(v);
  if (seen !== undefined) return seen;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    done.set(v, out);
    for (const item of v) out.push(natural(item, done));
    return out;
  }
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    done.set(v, out);
    for (const [k, val] of v) setKey(out, keyName(k), natural(val, done));
    return out;
  }
  const out: Record<string, unknown> = {};
  done.set(v, out);
  if (v instanceof RubyObject) {
    out["@class"] = v.className;
    for (const [k, val] of v.ivars) setKey(out, k, natural(val, done));
  } else if (v instanceof RubyStruct) {
    out["@class"] = v.className;
    for (const [k, val] of v.members) setKey(out, k, natural(val, done));
  } else if (v instanceof RubyUserDefined) {
    out["@class"] = v.className;
    out["@data"] = Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength);
  } else if (v instanceof RubyUserMarshal || v instanceof RubyData) {
    out["@class"] = v.className;
    out["@data"] = natural(v.data, done);
  }
  return out;
}

function rubyStringNatural(s: RubyString): string | Buffer {
  if (encodingTag(s.encoding) === "binary")
    return Buffer.from(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength);
  return decodeText(s.bytes, s.encoding);
}

/** Keys by name; a key that is no String or Symbol is written as Ruby would show it (`1`, `[1, 2]`). */
function keyName(k: RubyValue): string {
  if (typeof k === "string") return k;
  if (typeof k === "symbol") return k.description ?? "";
  if (k instanceof RubyString) return k.toString();
  if (k instanceof RubySymbol) return decodeText(k.bytes, k.encoding);
  if (typeof k === "number" || typeof k === "bigint" || typeof k === "boolean") return String(k);
  if (k === null) return "null";
  if (k instanceof RubyFloat) return String(k.value);
  if (k instanceof Uint8Array) return asString(k) ?? "";
  return inspect(k);
}

/** `__proto__` from the wire must become a key, not a prototype. */
function setKey(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

export interface FromNaturalOptions {
  /** Keys of plain objects become Symbols (default, as MCollective's Ruby code writes them) or Strings. */
  keys?: "symbol" | "string";
}

/**
 * Ruby values from plain JS: plain objects become Hashes (Maps) keyed by
 * Symbols, or Strings with `{ keys: "string" }`, at every depth; arrays are
 * converted item by item; `undefined` becomes nil. Maps, symbols, Buffers and
 * the Ruby wrapper classes pass through unchanged, so a caller can place a
 * String-keyed Map inside Symbol-keyed data. Other class instances (Date…) and
 * functions throw `MarshalEncodeError` naming where they are.
 */
export function fromNatural(value: unknown, options?: FromNaturalOptions): RubyValue {
  return fromPlain(value, options?.keys === "string", "$", 0, new Map());
}

/** `done` maps each converted array/object to its result: shared stays shared, cycles end. */
function fromPlain(
  v: unknown,
  stringKeys: boolean,
  path: string,
  depth: number,
  done: Map<object, RubyValue>,
): RubyValue {
  switch (typeof v) {
    case "undefined":
      return null;
    case "string":
    case "number":
    case "boolean":
    case "bigint":
    case "symbol":
      return v;
    case "function":
      throw new MarshalEncodeError(`cannot convert a function at ${path}`);
    default:
      break;
  }
  if (v === null || typeof v !== "object") return null;
  if (isRubyValueObject(v)) return v as RubyValue;
  const seen = done.get(v);
  if (seen !== undefined) return seen;
  if (depth > MAX_NESTING)
    throw new MarshalEncodeError(`cannot convert a structure nested this deep at ${path}`);
  if (Array.isArray(v)) {
    const out: RubyValue[] = [];
    done.set(v, out);
    for (let i = 0; i < v.length; i++)
      out.push(fromPlain(v[i], stringKeys, `${path}[${i}]`, depth + 1, done));
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    const m = new Map<RubyValue, RubyValue>();
    done.set(v, m);
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      const where = `${path}[${stringKeys ? JSON.stringify(k) : `:${k}`}]`;
      m.set(stringKeys ? k : sym(k), fromPlain(val, stringKeys, where, depth + 1, done));
    }
    return m;
  }
  const name = (proto as { constructor?: { name?: string } }).constructor?.name || "an anonymous class";
  throw new MarshalEncodeError(`cannot convert an instance of ${name} at ${path}: use a plain value`);
}

function isRubyValueObject(v: object): boolean {
  return (
    v instanceof Map ||
    v instanceof Uint8Array ||
    v instanceof RubyString ||
    v instanceof RubyFloat ||
    v instanceof RubyRegexp ||
    v instanceof RubyObject ||
    v instanceof RubyStruct ||
    v instanceof RubyUserDefined ||
    v instanceof RubyUserMarshal ||
    v instanceof RubyClassRef ||
    v instanceof RubyData ||
    v instanceof RubySymbol ||
    v instanceof RubyWithIvars ||
    v instanceof RubyUserClass ||
    v instanceof RubyExtended
  );
}

/**
 * A Hash entry by name, as MCollective's Ruby code accepts both: `:key` first,
 * then `"key"` (also as a faithful-mode RubyString key). Undefined when absent
 * or when `map` is no Hash.
 */
export function hashGet(map: RubyValue | undefined, key: string): RubyValue | undefined {
  if (!(map instanceof Map)) return undefined;
  const s = sym(key);
  if (map.has(s)) return map.get(s);
  if (map.has(key)) return map.get(key);
  for (const [k, v] of map) {
    if ((k instanceof RubyString || k instanceof Uint8Array) && asString(k) === key) return v;
  }
  return undefined;
}

/**
 * Text of a String in any of its forms: JS string, RubyString, or binary
 * bytes (read as UTF-8 when they are valid UTF-8, else one char per byte).
 * Undefined for anything that is not a String.
 */
export function asString(value: RubyValue | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof RubyString) {
    return encodingTag(value.encoding) === "binary"
      ? bytesText(value.bytes)
      : decodeText(value.bytes, value.encoding);
  }
  if (value instanceof Uint8Array) return bytesText(value);
  return undefined;
}

function bytesText(b: Uint8Array): string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return buf.toString(isValidUtf8(buf) ? "utf8" : "latin1");
}

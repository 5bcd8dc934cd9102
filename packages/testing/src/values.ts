import {
  RubyClassRef,
  RubyData,
  RubyFloat,
  RubyObject,
  RubyRegexp,
  RubyString,
  RubyStruct,
  RubyUserDefined,
  RubyUserMarshal,
} from "@phobos/core";

/**
 * A value with the codec's representation choices folded away, for
 * comparing what went into an envelope with what came out: a string may
 * come back as a RubyString or (binary) bytes, an integral float as a
 * RubyFloat, and an absent optional field as missing rather than undefined.
 */
export function plain(value: unknown): unknown {
  if (value instanceof RubyString) return value.toString();
  if (value instanceof RubyFloat) return value.value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8");
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [plain(k), plain(v)]));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, plain(v)]),
    );
  }
  return value;
}

const RUBY_CLASSES = [
  RubyString,
  RubyFloat,
  RubyRegexp,
  RubyObject,
  RubyStruct,
  RubyUserDefined,
  RubyUserMarshal,
  RubyClassRef,
  RubyData,
];

/**
 * Where `value` stops being something Marshal can carry (`body[:data][3]
 * is a plain object: use a Map`), or undefined when it all can.
 */
export function rubyValueProblem(value: unknown, path = "value"): string | undefined {
  if (
    value === null ||
    typeof value === "boolean" ||
    typeof value === "string" ||
    typeof value === "symbol"
  ) {
    return undefined;
  }
  if (typeof value === "bigint") return undefined;
  if (typeof value === "number") return undefined;
  if (value instanceof Uint8Array) return undefined;
  if (RUBY_CLASSES.some((kind) => value instanceof kind)) return undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const problem = rubyValueProblem(item, `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const label = typeof k === "symbol" ? `:${k.description}` : (JSON.stringify(k) ?? String(k));
      const problem = rubyValueProblem(k, `${path} key ${label}`) ?? rubyValueProblem(v, `${path}[${label}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value === undefined) return `${path} is undefined: use null for Ruby's nil`;
  if (isPlainObject(value))
    return `${path} is a plain object: a Ruby Hash is a Map (with symbol or string keys)`;
  return `${path} is a ${typeof value === "object" ? (value.constructor?.name ?? "object") : typeof value}, which Ruby Marshal cannot carry`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A scalar as data plugins and fact values have them. */
export function isScalar(value: unknown): value is string | number | boolean | null {
  return (
    value === null ||
    typeof value === "string" ||
    typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value))
  );
}

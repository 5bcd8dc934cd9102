/**
 * DDLs are shared, frozen data; values taken from them (defaults put into a
 * request or a reply) are deep copies, as MCollective's Marshal round-trip
 * makes them, so no caller can change a DDL through a reply.
 */

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** `obj[key] = value`, except that a key such as `__proto__` (from a DDL file) stays a plain property. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Copies arrays, plain objects and Maps all the way down; other objects (RegExp, RubyFloat) are immutable here and shared. */
export function deepCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => deepCopy(v)) as T;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [deepCopy(k), deepCopy(v)])) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, deepCopy(v));
    return out as T;
  }
  return value;
}

/** Freezes arrays and plain objects all the way down; RegExps stay usable (their lastIndex is state). */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || value instanceof RegExp) return value;
  if (Array.isArray(value) || isPlainObject(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

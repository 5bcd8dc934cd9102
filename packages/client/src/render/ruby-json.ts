/**
 * Ruby's `to_json` / `JSON.pretty_generate` of reply data, for `mco rpc -j`.
 * JSON.stringify is close but not equal: Ruby writes a Float as `0.0` and
 * `1.0e+20`, Symbols as their names, and refuses NaN. Working from the raw
 * Marshal values keeps those differences.
 */
import {
  decodeText,
  inspect,
  RubyClassRef,
  RubyExtended,
  RubyFloat,
  RubyRegexp,
  RubyString,
  RubySymbol,
  RubyUserClass,
  type RubyValue,
  RubyWithIvars,
  rubyFloatToS,
} from "@phobos/core";

export class RubyJsonError extends Error {}

function floatText(n: number): string {
  if (!Number.isFinite(n)) throw new RubyJsonError(`${rubyFloatToS(n)} not allowed in JSON`);
  return rubyFloatToS(n);
}

function keyText(key: unknown): string {
  if (typeof key === "string") return key;
  if (typeof key === "symbol") return key.description ?? "";
  if (key instanceof RubyString) return key.toString();
  if (key instanceof RubySymbol) return decodeText(key.bytes, key.encoding);
  if (key instanceof Uint8Array) return Buffer.from(key).toString("utf8");
  if (key === null) return "";
  if (typeof key === "number") return Number.isInteger(key) ? String(key) : rubyFloatToS(key);
  if (key instanceof RubyFloat) return rubyFloatToS(key.value);
  return inspect(key as RubyValue);
}

/**
 * The JSON text Ruby generates for `value`: compact (`to_json`), or with
 * `pretty` as `JSON.pretty_generate` lays it out (two-space indent, `"k": v`).
 * Plain JS objects (already natural data) are accepted too.
 */
export function rubyJson(value: unknown, options: { pretty?: boolean } = {}): string {
  const pretty = options.pretty === true;
  const walk = (v: unknown, depth: number): string => {
    if (v === null || v === undefined) return "null";
    switch (typeof v) {
      case "string":
        return JSON.stringify(v);
      case "boolean":
        return v ? "true" : "false";
      case "number":
        return Number.isInteger(v) ? String(v) : floatText(v);
      case "bigint":
        return v.toString();
      case "symbol":
        return JSON.stringify(v.description ?? "");
      default:
        break;
    }
    if (v instanceof RubyFloat) return floatText(v.value);
    if (v instanceof RubyString) return JSON.stringify(v.toString());
    if (v instanceof RubySymbol) return JSON.stringify(decodeText(v.bytes, v.encoding));
    if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString("utf8"));
    if (v instanceof RubyWithIvars || v instanceof RubyUserClass || v instanceof RubyExtended)
      return walk(v.value, depth);
    if (v instanceof RubyRegexp || v instanceof RubyClassRef) return JSON.stringify(inspect(v));
    let entries: [string, unknown][] | undefined;
    let items: unknown[] | undefined;
    if (Array.isArray(v)) items = v;
    else if (v instanceof Map) entries = [...v].map(([k, val]) => [keyText(k), val]);
    else if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype)
      entries = Object.entries(v as Record<string, unknown>);
    else if (typeof (v as { toJSON?: unknown }).toJSON === "function")
      return walk((v as { toJSON(): unknown }).toJSON(), depth);
    else return JSON.stringify(inspect(v as RubyValue));

    const inner = pretty ? `\n${"  ".repeat(depth + 1)}` : "";
    const outer = pretty ? `\n${"  ".repeat(depth)}` : "";
    const colon = pretty ? ": " : ":";
    if (items) {
      if (items.length === 0) return "[]";
      return `[${items.map((item) => inner + walk(item, depth + 1)).join(",")}${outer}]`;
    }
    const pairs = entries ?? [];
    if (pairs.length === 0) return "{}";
    return `{${pairs.map(([k, val]) => `${inner}${JSON.stringify(k)}${colon}${walk(val, depth + 1)}`).join(",")}${outer}}`;
  };
  return walk(value, 0);
}

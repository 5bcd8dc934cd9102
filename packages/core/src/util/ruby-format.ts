import { inspect } from "../marshal/inspect.js";
import { RubyFloat, RubyString, type RubyValue } from "../marshal/types.js";

/** Ruby's `Float#to_s`: `1.0`, `0.5`, `1.0e+20`, `Infinity`, `NaN`. */
export function rubyFloatToS(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  if (Object.is(n, -0)) return "-0.0";
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    const [mantissa, exp] = n.toExponential().split("e") as [string, string];
    const m = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
    const e = Number(exp);
    return `${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  const s = String(n);
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
}

/** Ruby's `to_s` of a value, as `puts` or `"%s" %` print it. */
export function rubyToS(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "symbol") return Symbol.keyFor(value) ?? "";
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : rubyFloatToS(value);
  if (value instanceof RubyFloat) return rubyFloatToS(value.value);
  if (value instanceof RubyString) return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("latin1");
  return inspect(value as RubyValue);
}

function toNumber(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof RubyFloat) return value.value;
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  throw new TypeError(`can't convert ${rubyToS(value)} into a number`);
}

const SPEC = /%([-+ 0#]*)(\*|\d+)?(?:\.(\d+))?([sdifgeExXobp%])/g;

/**
 * Ruby's `format`/`String#%` for the conversions MCollective's DDLs and
 * aggregates use (`%s`, `%d`, `%f`, `%.2f`, `%10s`, `%-5s`, `%x`, `%e`, `%g`…).
 */
export function rubyFormat(format: string, args: unknown[]): string {
  let next = 0;
  return format.replace(
    SPEC,
    (_all, flags: string, width: string | undefined, precision: string | undefined, conv: string) => {
      if (conv === "%") return "%";
      let w = width === "*" ? Number(args[next++]) : width === undefined ? undefined : Number(width);
      const arg = args[next++];
      let left = flags.includes("-");
      if (w !== undefined && w < 0) {
        left = true;
        w = -w;
      }
      const p = precision === undefined ? undefined : Number(precision);
      let body: string;
      let numeric = true;
      switch (conv) {
        case "s":
        case "p":
          body = conv === "p" ? inspect(arg as RubyValue) : rubyToS(arg);
          if (p !== undefined) body = body.slice(0, p);
          numeric = false;
          break;
        case "d":
        case "i":
          body = String(Math.trunc(toNumber(arg)));
          break;
        case "f":
          body = toNumber(arg).toFixed(p ?? 6);
          break;
        case "e":
        case "E": {
          const [m, e] = toNumber(arg)
            .toExponential(p ?? 6)
            .split("e") as [string, string];
          const exp = Number(e);
          body = `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
          if (conv === "E") body = body.toUpperCase();
          break;
        }
        case "g":
          body = String(Number(toNumber(arg).toPrecision(p ?? 6)));
          break;
        case "x":
        case "X":
          body = Math.trunc(toNumber(arg)).toString(16);
          if (conv === "X") body = body.toUpperCase();
          break;
        case "o":
          body = Math.trunc(toNumber(arg)).toString(8);
          break;
        default:
          body = Math.trunc(toNumber(arg)).toString(2);
      }
      if (numeric && !body.startsWith("-")) {
        if (flags.includes("+")) body = `+${body}`;
        else if (flags.includes(" ")) body = ` ${body}`;
      }
      if (w !== undefined && body.length < w) {
        if (left) body = body.padEnd(w);
        else if (numeric && flags.includes("0")) {
          const sign = /^[-+ ]/.test(body) ? (body[0] as string) : "";
          body = sign + body.slice(sign.length).padStart(w - sign.length, "0");
        } else body = body.padStart(w);
      }
      return body;
    },
  );
}

import { inspect } from "./marshal/inspect.js";
import { RubyFloat, type RubyValue } from "./marshal/types.js";
import { rubyToS } from "./to-s.js";

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

/**
 * Marshal's Float text. It starts from the same shortest round-trip digits as
 * `Float#to_s` (../ruby/float-to-s.ts) but lays them out its own way
 * (`w_float`): `1e2`, `1e-5`, `0.0001`, where `Float#to_s` writes `100.0`,
 * `1.0e-05`, `0.0001`.
 */
import { shortestFloatDigits } from "../float-to-s.js";

/** The bytes Marshal's `w_float` writes after `f` (as text). */
export function marshalFloatText(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const { digits, decpt } = shortestFloatDigits(x);
  const sign = x < 0 ? "-" : "";
  const n = digits.length;
  if (decpt < -3 || decpt > n) {
    return `${sign}${digits[0]}${n > 1 ? `.${digits.slice(1)}` : ""}e${decpt - 1}`;
  }
  if (decpt > 0) {
    return `${sign}${digits.slice(0, decpt)}${n > decpt ? `.${digits.slice(decpt)}` : ""}`;
  }
  return `${sign}0.${"0".repeat(-decpt)}${digits}`;
}

const FLONUM_MIN = 2 ** -255;
const FLONUM_LIMIT = 2 ** 257;

/**
 * Whether Ruby (64-bit) holds this Float as an immediate "flonum". Marshal
 * links equal flonums (`[1.5, 1.5]` writes the second as `@`), while other
 * Floats (±0.0 aside from +0.0, NaN, ±Infinity, tiny or huge magnitudes) are
 * heap objects linked only when they are the same object.
 */
export function isFlonum(x: number): boolean {
  if (x === 0) return !Object.is(x, -0);
  const a = Math.abs(x);
  return a >= FLONUM_MIN && a < FLONUM_LIMIT && x !== FLONUM_MIN;
}

const DECIMAL_MANT = 53 - 16;
const NUMBER_PREFIX = /^[\t\n\v\f\r ]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;

/**
 * Reads the text after `f` the way Ruby's `r_object` does: `nan`, `inf`,
 * `-inf`, else the longest decimal prefix (`strtod`), then the binary mantissa
 * tail that Ruby 1.8 appended after a NUL.
 */
export function parseMarshalFloat(bytes: Uint8Array, start: number, end: number): number {
  const inRange = bytes.subarray(start, end).indexOf(0);
  const nul = inRange < 0 ? end : start + inRange;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1", start, nul);
  if (text === "nan") return Number.NaN;
  if (text === "inf") return Number.POSITIVE_INFINITY;
  if (text === "-inf") return Number.NEGATIVE_INFINITY;
  const m = NUMBER_PREFIX.exec(text);
  let d = m ? Number(m[0].trim()) : 0;
  const consumed = m ? m[0].length : 0;
  if (consumed < text.length) return d;
  // A NUL right after the number, then at least one byte: the 1.8 mantissa.
  let len = end - (start + consumed) - 1;
  let p = nul + 1;
  if (nul === end || len <= 0) return d;
  const negative = d < 0;
  const abs = Math.abs(d);
  // frexp: abs = f × 2^e with f in [0.5, 1)
  let e = abs === 0 ? 0 : Math.floor(Math.log2(abs)) + 1;
  let f = ldexp(abs, -e);
  if (f >= 1) {
    f /= 2;
    e += 1;
  } else if (f > 0 && f < 0.5) {
    f *= 2;
    e -= 1;
  }
  d = Math.trunc(f * 2 ** DECIMAL_MANT);
  let dig = 0;
  do {
    let mbits = 0;
    const take = Math.min(len, 4);
    for (let k = 0; k < take; k++) mbits = mbits * 256 + (bytes[p++] as number);
    dig -= len < 4 ? 8 * len : 32;
    d += mbits * 2 ** dig;
    len -= 4;
  } while (len > 0);
  d = ldexp(d, e - DECIMAL_MANT);
  return negative ? -d : d;
}

/** x × 2^n without overflowing the intermediate power of two. */
function ldexp(x: number, n: number): number {
  let r = x;
  let k = n;
  while (k > 1000) {
    r *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    r *= 2 ** -1000;
    k += 1000;
  }
  return r * 2 ** k;
}

/**
 * Ruby's `Float#to_s` (and `#inspect`, the same text), Ruby 3.1 `flo_to_s`.
 * Ruby takes the shortest digit string that reads back to the same double
 * (dtoa mode 0, which is also what `Number.prototype.toExponential()` gives)
 * and lays it out in fixed notation for -4 < decpt < 16, else as
 * `d.ddde+XX`. At decpt 16 (1e15 <= |x| < 1e16) Ruby prints fixed only when
 * the digits run past the point (17 digits: `1234567890123456.8`); `1e15`,
 * `1.2e+15` and `9.999999999999998e+15` are exponent form.
 */

/** Shortest round-trip digits of |x| and the decimal point position (value = 0.digits × 10^decpt). */
export function shortestFloatDigits(x: number): { digits: string; decpt: number } {
  const exp = Math.abs(x).toExponential();
  const e = exp.indexOf("e");
  const mantissa = exp.slice(0, e);
  const digits = mantissa.length > 1 ? mantissa[0] + mantissa.slice(2) : mantissa;
  return { digits, decpt: Number(exp.slice(e + 1)) + 1 };
}

/** `Float#to_s`: `1.0`, `0.0001`, `1.0e-05`, `1.0e+16`, `Infinity`, `NaN`, `-0.0`. */
export function rubyFloatToS(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const { digits, decpt } = shortestFloatDigits(x);
  const sign = x < 0 ? "-" : "";
  const n = digits.length;
  if (decpt > 0 && (decpt <= 15 || (decpt === 16 && n > decpt))) {
    if (n <= decpt) return `${sign}${digits}${"0".repeat(decpt - n)}.0`;
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  if (decpt <= 0 && decpt > -4) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
  const e = decpt - 1;
  const exp = `${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  return `${sign}${digits[0]}.${n > 1 ? digits.slice(1) : "0"}e${exp}`;
}

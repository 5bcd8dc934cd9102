/**
 * Ruby's `Time#to_s` for a local time (`Time.at(t)`, `File.stat(f).mtime`):
 * `strftime("%Y-%m-%d %H:%M:%S %z")` in the process's zone (TZ), e.g.
 * `2026-11-24 14:42:33 +0100`, `… +0530`, `… -0330`. A UTC zone still prints
 * `+0000` (only a Time made with `#utc` prints `UTC`).
 */

const pad = (n: number, width = 2) => String(Math.trunc(Math.abs(n))).padStart(width, "0");

/** `%Y`: at least four digits, a minus sign before years BC. */
function year(y: number): string {
  return `${y < 0 ? "-" : ""}${pad(y, 4)}`;
}

/** @param time a Date, or seconds since the epoch (fractions dropped, as `to_s` does) */
export function rubyTimeToS(time: Date | number): string {
  const d = typeof time === "number" ? new Date(Math.floor(time) * 1000) : time;
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a time: ${String(time)}`);
  const offset = -d.getTimezoneOffset();
  return (
    `${year(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ` +
    `${offset < 0 ? "-" : "+"}${pad(Math.abs(offset) / 60)}${pad(Math.abs(offset) % 60)}`
  );
}

const pad = (n: number, width = 2) => String(Math.trunc(Math.abs(n))).padStart(width, "0");

/** `Time.at(seconds).to_s` in the local zone: `2026-11-24 14:42:33 +0000`. */
export function rubyTimeToS(epochSeconds: number): string {
  const d = new Date(Math.floor(epochSeconds * 1000));
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ` +
    `${sign}${pad(Math.abs(offset) / 60)}${pad(Math.abs(offset) % 60)}`
  );
}

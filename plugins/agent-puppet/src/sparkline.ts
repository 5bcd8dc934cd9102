import { rubyFormat } from "@phobos/core";

const TICKS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇"];

/** The histogram as bars, highest bucket the tallest. */
export function spark(histo: number[]): string {
  const max = Math.max(...histo);
  if (max - Math.min(...histo) === 0) return (TICKS[0] as string).repeat(histo.length);
  const distance = max / (TICKS.length - 1);
  return histo
    .map((value) => {
      let tick = Math.round(value / distance);
      if (tick < 0) tick = 0;
      if (value > 0 && tick === 0) tick = 1;
      return TICKS[tick];
    })
    .join("");
}

/** `1.2k`, `3.4m`, `12.0`. */
export function shortenNumber(n: number): string {
  if (!Number.isFinite(n)) return "NaN";
  if (n >= 1_000_000) return rubyFormat("%0.1fm", [n / 1_000_000]);
  if (n >= 1000) return rubyFormat("%0.1fk", [n / 1000]);
  return rubyFormat("%0.1f", [n]);
}

/** A 20-bucket histogram of `values`, then min, average and max: one line of `mco puppet summary`. */
export function sparklineFor(values: number[], buckets = 20): string {
  if (values.length === 0) return "";
  const min = Math.min(...values);
  const max = Math.max(...values);
  const avg = values.reduce((a, b) => a + b, 0) / values.length;
  const histo = new Array<number>(buckets).fill(0);
  const size = (max - min) / buckets + 1;
  if (max !== min) {
    for (const value of values) {
      const bucket = Math.trunc((value - min) / size);
      histo[bucket] = (histo[bucket] ?? 0) + 1;
    }
  }
  return rubyFormat("%s  min: %-6s avg: %-6s max: %-6s", [
    spark(histo),
    shortenNumber(min),
    shortenNumber(avg),
    shortenNumber(max),
  ]);
}

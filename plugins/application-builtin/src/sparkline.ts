const TICKS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇"];

/** Ruby's `Float#round`: halves away from zero. */
function rubyRound(n: number): number {
  return n < 0 ? -Math.round(-n) : Math.round(n);
}

/**
 * `mco ping --graph`: reply times in 50 ms buckets, one tick per bucket
 * from the fastest to the slowest, scaled to the fullest bucket.
 */
export function sparkline(times: readonly number[]): string {
  if (times.length === 0) return "";
  const histogram = new Map<number, number>();
  for (const time of times) {
    const bucket = Math.trunc(time + 50 - (time % 50));
    histogram.set(bucket, (histogram.get(bucket) ?? 0) + 1);
  }
  const keys = [...histogram.keys()];
  const min = Math.min(...keys);
  const max = Math.max(...keys);
  for (let i = 0; i < Math.trunc((max - min) / 50); i++) {
    const bucket = i * 50 + min;
    if (!histogram.has(bucket)) histogram.set(bucket, 0);
  }
  const counts = [...histogram.keys()].sort((a, b) => a - b).map((k) => histogram.get(k) ?? 0);
  const distance = Math.max(...counts) / (TICKS.length - 1);
  return counts
    .map((count) => {
      const tick = Math.max(0, rubyRound(count / distance));
      return TICKS[tick] ?? "";
    })
    .join("");
}

import { describe, expect, it } from "vitest";
import { fmt, median, percentile, ratio, table } from "./stats.js";

describe("bench statistics", () => {
  it("takes medians of odd and even counts, NaN of nothing", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("takes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([5], 99)).toBe(5);
  });

  it("formats missing figures as a dash and ratios as Ruby over Phobos", () => {
    expect(fmt(undefined)).toBe("-");
    expect(fmt(Number.NaN)).toBe("-");
    expect(fmt(1.26)).toBe("1.3");
    expect(ratio(10, 25)).toBe("2.5x");
    expect(ratio(0, 25)).toBe("-");
    expect(ratio(10, undefined)).toBe("-");
  });

  it("prints Markdown tables with aligned columns", () => {
    expect(table(["a", "bb"], [["xyz", "1"]])).toBe("| a   | bb |\n|-----|----|\n| xyz | 1  |");
  });
});

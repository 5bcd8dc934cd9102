import { describe, expect, it } from "vitest";
import { ReplayCache } from "./replay-cache.js";

describe("ReplayCache", () => {
  it("refuses an id seen inside its window and names when it was first seen", () => {
    const cache = new ReplayCache(10);
    expect(cache.check("a", 1060, 1000)).toBeUndefined();
    expect(cache.check("a", 1060, 1030)).toEqual({ firstSeen: 1000 });
    expect(cache.check("b", 1060, 1030)).toBeUndefined();
  });

  it("forgets an id once its request would be refused as expired anyway", () => {
    const cache = new ReplayCache(10);
    cache.check("a", 1060, 1000);
    expect(cache.check("a", 1200, 1061)).toBeUndefined();
  });

  it("stays within capacity: expired ids go first, then the oldest live ones, counted", () => {
    const cache = new ReplayCache(3);
    cache.check("old", 1010, 1000);
    cache.check("x", 1100, 1000);
    cache.check("y", 1100, 1000);
    cache.check("z", 1100, 1020);
    expect(cache.size).toBe(3);
    expect(cache.evictedLive).toBe(0);
    cache.check("w", 1100, 1020);
    expect(cache.size).toBe(3);
    expect(cache.evictedLive).toBe(1);
    // "x" was the oldest live id: a replay of it now passes, which the daemon logs.
    expect(cache.check("x", 1100, 1021)).toBeUndefined();
    expect(cache.check("w", 1100, 1021)).toEqual({ firstSeen: 1020 });
  });

  it("wants a positive capacity", () => {
    expect(() => new ReplayCache(0)).toThrow(RangeError);
  });
});

import { describe, expect, it } from "vitest";
import { addressKey } from "./preauth.js";
import { RateLimiter } from "./rate-limit.js";

/** A limiter on a clock the test moves by hand, so no assertion depends on real time. */
function limiter(perSecond: number, burst: number, maxKeys = 100) {
  const clock = { ms: 1_000_000 };
  const rate = new RateLimiter({ perSecond, burst, maxKeys, now: () => clock.ms });
  const takes = (key: string, count: number) =>
    Array.from({ length: count }, () => rate.take(key)).filter(Boolean).length;
  return { rate, clock, takes };
}

describe("per-address connection rate limit", () => {
  it("admits a burst, then refuses until tokens come back", () => {
    const { rate, takes } = limiter(2, 5);
    expect(takes("10.0.0.1", 5)).toBe(5);
    expect(rate.take("10.0.0.1")).toBe(false);
    expect(rate.take("10.0.0.1")).toBe(false);
  });

  it("gives back perSecond tokens a second, never more than the burst", () => {
    const { rate, clock, takes } = limiter(2, 5);
    expect(takes("a", 5)).toBe(5);
    clock.ms += 500;
    expect(takes("a", 3)).toBe(1);
    clock.ms += 1000;
    expect(takes("a", 3)).toBe(2);
    clock.ms += 3_600_000;
    expect(takes("a", 10)).toBe(5);
    expect(rate.take("a")).toBe(false);
  });

  it("does not let a refused attempt earn or cost anything", () => {
    const { rate, clock, takes } = limiter(1, 1);
    expect(rate.take("a")).toBe(true);
    for (let i = 0; i < 100; i++) expect(rate.take("a")).toBe(false);
    clock.ms += 1000;
    expect(takes("a", 2)).toBe(1);
  });

  it("keeps addresses apart: one address's flood leaves another's budget whole", () => {
    const { takes } = limiter(1, 3);
    expect(takes("198.51.100.7", 1000)).toBe(3);
    expect(takes("198.51.100.8", 3)).toBe(3);
  });

  it("is off when perSecond is 0", () => {
    const { rate, takes } = limiter(0, 1);
    expect(takes("a", 10_000)).toBe(10_000);
    expect(rate.size).toBe(0);
  });

  it("survives a clock that steps back without minting tokens", () => {
    const { clock, takes } = limiter(1, 2);
    expect(takes("a", 2)).toBe(2);
    clock.ms -= 60_000;
    expect(takes("a", 2)).toBe(0);
    clock.ms += 60_000 + 1000;
    expect(takes("a", 2)).toBe(1);
  });

  it("remembers at most maxKeys addresses, forgetting the one unused longest", () => {
    const { rate, takes } = limiter(1, 1, 3);
    expect(takes("a", 1)).toBe(1);
    expect(takes("b", 1)).toBe(1);
    expect(takes("c", 1)).toBe(1);
    // "a" is used again (refused), so "b" is now the one idle longest.
    expect(takes("a", 1)).toBe(0);
    expect(takes("d", 1)).toBe(1);
    expect(rate.size).toBe(3);
    expect(takes("a", 1)).toBe(0);
    expect(takes("c", 1)).toBe(0);
    // "b" was forgotten, so it starts again with a full bucket.
    expect(takes("b", 1)).toBe(1);
    expect(rate.size).toBe(3);
  });

  it("refuses settings that cannot work, naming them", () => {
    const now = () => 0;
    expect(() => new RateLimiter({ perSecond: 1, burst: 0, maxKeys: 1, now })).toThrow(
      "rate limit burst must be >= 1, got 0",
    );
    expect(() => new RateLimiter({ perSecond: -1, burst: 1, maxKeys: 1, now })).toThrow(
      "rate limit perSecond must be >= 0, got -1",
    );
    expect(() => new RateLimiter({ perSecond: 1, burst: 1, maxKeys: 0, now })).toThrow(
      "rate limit maxKeys must be >= 1, got 0",
    );
  });
});

describe("what counts as one address", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["::FFFF:192.0.2.1", "192.0.2.1"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::6", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002:ffff::1", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["64:ff9b::192.0.2.33", "64:ff9b:0:0::/64"],
  ])("%s counts as %s", (address, key) => {
    expect(addressKey(address)).toBe(key);
  });

  it("puts every host of one IPv6 /64 together and other /64s apart", () => {
    expect(addressKey("2001:db8:aa:bb::1")).toBe(addressKey("2001:db8:aa:bb:ffff:ffff:ffff:ffff"));
    expect(addressKey("2001:db8:aa:bb::1")).not.toBe(addressKey("2001:db8:aa:bc::1"));
  });
});

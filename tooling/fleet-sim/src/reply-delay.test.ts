import { describe, expect, it } from "vitest";
import { nodeIdentities } from "./identities.js";
import { parseReplyDelay, ReplyDelaySpecError, replyDelaySeconds } from "./reply-delay.js";

describe("--reply-delay", () => {
  it("reads MAX and MIN-MAX in seconds", () => {
    expect(parseReplyDelay("1.5", 3)).toEqual({ minSeconds: 0, maxSeconds: 1.5, seed: 3 });
    expect(parseReplyDelay("0.2-1", 3)).toEqual({ minSeconds: 0.2, maxSeconds: 1, seed: 3 });
  });

  it("names what is wrong with a bad range", () => {
    expect(() => parseReplyDelay("fast", 1)).toThrow(ReplyDelaySpecError);
    expect(() => parseReplyDelay("fast", 1)).toThrow("expected MAX or MIN-MAX in seconds");
    expect(() => parseReplyDelay("2-1", 1)).toThrow("the minimum 2 is above the maximum");
  });

  it("gives each node a delay inside the range, the same for the same seed and another for another", () => {
    const nodes = nodeIdentities("node", 1, 200);
    const spec = parseReplyDelay("0.1-1.5", 1);
    const delays = nodes.map((n) => replyDelaySeconds(spec, n));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0.1);
      expect(d).toBeLessThanOrEqual(1.5);
    }
    expect(nodes.map((n) => replyDelaySeconds(parseReplyDelay("0.1-1.5", 1), n))).toEqual(delays);
    expect(nodes.map((n) => replyDelaySeconds(parseReplyDelay("0.1-1.5", 2), n))).not.toEqual(delays);
    // Spread over the range, not bunched: every tenth of it holds some of 200 nodes.
    const buckets = new Set(delays.map((d) => Math.floor(((d - 0.1) / 1.4) * 10)));
    expect(buckets.size).toBe(10);
  });
});

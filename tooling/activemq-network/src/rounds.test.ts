import { describe, expect, it } from "vitest";
import { networkPorts } from "./ports.js";
import type { Round } from "./request-loop.js";
import { complete, describeRound, restartOutcome } from "./rounds.js";

const NODES = ["a", "b"];
function round(index: number, sentAt: number, replies: Record<string, number>, error?: string): Round {
  return {
    index,
    kind: index % 2 === 0 ? "broadcast" : "directed",
    sentAt,
    replies: new Map(Object.entries(replies)),
    failed: new Map(),
    ...(error === undefined ? {} : { error }),
  };
}

describe("complete", () => {
  it("needs every node exactly once, nobody else, no error", () => {
    expect(complete(round(0, 0, { a: 1, b: 1 }), NODES)).toBe(true);
    expect(complete(round(0, 0, { a: 1 }), NODES)).toBe(false);
    expect(complete(round(0, 0, { a: 1, b: 2 }), NODES)).toBe(false);
    expect(complete(round(0, 0, { a: 1, b: 1, c: 1 }), NODES)).toBe(false);
    expect(complete(round(0, 0, { a: 1, b: 1 }, "publish timed out"), NODES)).toBe(false);
    const failed = round(0, 0, { a: 1, b: 1 });
    failed.failed.set("b", "Unknown action");
    expect(complete(failed, NODES)).toBe(false);
  });

  it("describeRound names each flaw", () => {
    expect(describeRound(round(3, 2500, { a: 2 }, "no broker"), NODES, 1000)).toBe(
      "#3 directed at 1.5 s: error: no broker; no reply from b; a answered 2 times",
    );
    expect(describeRound(round(4, 1000, { a: 1, b: 1 }), NODES, 1000)).toBe(
      "#4 broadcast at 0.0 s: complete",
    );
  });
});

describe("restartOutcome", () => {
  const rounds = [
    round(0, 0, { a: 1, b: 1 }),
    round(1, 100, { a: 1 }),
    round(2, 200, { a: 1, b: 1 }),
    round(3, 300, { a: 1 }),
    round(4, 400, { a: 1, b: 1 }),
    round(5, 500, { a: 1 }),
  ];

  it("the rounds a recovery point, observed apart, makes count; the first complete one after the disruption", () => {
    const outcome = restartOutcome(rounds, NODES, 50, 350);
    expect(outcome.before.map((r) => r.index)).toEqual([0]);
    expect(outcome.firstComplete?.index).toBe(2);
    expect(outcome.firstCompleteMs).toBe(150);
    expect(outcome.after.map((r) => r.index)).toEqual([4, 5]);
    expect(outcome.duplicates).toEqual([]);
  });

  it("no complete request after the disruption: none first", () => {
    const outcome = restartOutcome(rounds.slice(0, 2), NODES, 50, 90);
    expect(outcome.firstComplete).toBeUndefined();
    expect(outcome.firstCompleteMs).toBeUndefined();
    expect(outcome.after.map((r) => r.index)).toEqual([1]);
  });

  it("lists every request a node answered twice, before the disruption too", () => {
    const outcome = restartOutcome(
      [round(0, 0, { a: 2, b: 1 }), round(1, 100, { a: 1, b: 3 })],
      NODES,
      50,
      60,
    );
    expect(outcome.duplicates).toEqual(["#0: a answered 2 times", "#1: b answered 3 times"]);
  });
});

describe("networkPorts", () => {
  it("derives the four ports from the base, and refuses a base that is no port", () => {
    expect(networkPorts({})).toEqual({ stomp: [44401, 44402], openwire: [44411, 44412] });
    expect(networkPorts({ PHOBOS_AMQ_NETWORK_PORT_BASE: "50000" }).openwire).toEqual([50011, 50012]);
    expect(() => networkPorts({ PHOBOS_AMQ_NETWORK_PORT_BASE: "65530" })).toThrow(
      /PHOBOS_AMQ_NETWORK_PORT_BASE=65530 is not a TCP port/,
    );
    expect(() => networkPorts({ PHOBOS_AMQ_NETWORK_PORT_BASE: "x" })).toThrow(/not a TCP port/);
  });
});

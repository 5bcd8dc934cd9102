import { describe, expect, it } from "vitest";
import { daemonsPerNode, missingSubscriptions, type Placement } from "./placement.js";

const placement = (
  directed: Record<string, string>,
  broadcast: Record<string, Record<string, number>>,
): Placement => ({
  directed: new Map(Object.entries(directed)),
  doubled: [],
  broadcast: new Map(
    Object.entries(broadcast).map(([agent, perNode]) => [agent, new Map(Object.entries(perNode))]),
  ),
});

describe("placement", () => {
  it("nothing missing when every identity has a directed queue and every agent one broadcast queue per node", () => {
    const p = placement({ n1: "a", n2: "b" }, { rpcutil: { a: 1, b: 1 }, discovery: { a: 1, b: 1 } });
    expect(missingSubscriptions(p, ["n1", "n2"], ["rpcutil", "discovery"])).toEqual([]);
    expect(daemonsPerNode(p, ["n1", "n2"])).toEqual({ a: 1, b: 1 });
  });

  it("names the identities without a directed queue and counts the broadcast queues short", () => {
    const p = placement({ n1: "a" }, { rpcutil: { a: 1 } });
    expect(missingSubscriptions(p, ["n1", "n2", "n3"], ["rpcutil", "discovery"])).toEqual([
      "2 directed queue(s) (n2, n3)",
      "2 broadcast queue(s) for rpcutil",
      "3 broadcast queue(s) for discovery",
    ]);
    expect(daemonsPerNode(p, ["n1", "n2", "n3"])).toEqual({ a: 1 });
  });
});

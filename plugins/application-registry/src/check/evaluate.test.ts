import { describe, expect, it } from "vitest";
import { CRITICAL, evaluateRegistry, NAMED_SILENT_NODES, OK, UNKNOWN, WARNING } from "./evaluate.js";

const now = new Date("2026-12-06T05:00:00Z");
const seen = (identity: string, age: number, stale = false) => ({
  identity,
  lastSeen: new Date(now.getTime() - age * 1000),
  stale,
});
const limits = { warning: 300, critical: 600 };

describe("the registry check", () => {
  it("is OK when every node registered within the warning age", () => {
    const result = evaluateRegistry([seen("a", 10), seen("b", 300)], now, limits);
    expect(result).toEqual({
      code: OK,
      line: "REGISTRY OK - 2 nodes, all seen within 300s | nodes=2;;;0 stale=0;;;0 silent=0;;;0 oldest=300s;300;600;0",
    });
  });

  it("warns naming the nodes silent beyond the warning age", () => {
    const result = evaluateRegistry([seen("a", 10), seen("b", 301), seen("c", 450)], now, limits);
    expect(result.code).toBe(WARNING);
    expect(result.line).toBe(
      "REGISTRY WARNING - 2 of 3 nodes not seen within 300s: c (450s), b (301s) | nodes=3;;;0 stale=0;;;0 silent=2;;;0 oldest=450s;300;600;0",
    );
  });

  it("is critical when one node is silent beyond the critical age, and counts stale ones", () => {
    const result = evaluateRegistry([seen("a", 10), seen("b", 400), seen("c", 5000, true)], now, limits);
    expect(result.code).toBe(CRITICAL);
    expect(result.line).toBe(
      "REGISTRY CRITICAL - 2 of 3 nodes not seen within 300s, 1 beyond 600s: c (5000s), b (400s) | nodes=3;;;0 stale=1;;;0 silent=2;;;0 oldest=5000s;300;600;0",
    );
  });

  it(`names at most ${NAMED_SILENT_NODES} silent nodes, longest silent first, and counts the rest`, () => {
    const nodes = Array.from({ length: 12 }, (_, i) => seen(`node${i}`, 1000 + i));
    const { line } = evaluateRegistry(nodes, now, limits);
    expect(line).toContain(
      "12 of 12 nodes not seen within 300s, 12 beyond 600s: node11 (1011s), node10 (1010s), node9 (1009s), node8 (1008s), node7 (1007s) and 7 more |",
    );
  });

  it("is UNKNOWN for an empty registry: nothing registers, or the wrong database", () => {
    expect(evaluateRegistry([], now, limits)).toEqual({
      code: UNKNOWN,
      line: "REGISTRY UNKNOWN - the registry holds no nodes: is anything registering?",
    });
  });
});

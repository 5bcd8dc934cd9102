import { describe, expect, it } from "vitest";
import { FactsSpecError, factsFor, factValue, parseFactsSpec } from "./facts-spec.js";

describe("facts distributions", () => {
  it("gives each value its weight's share of every cycle of nodes", () => {
    const [os] = parseFactsSpec("os=debian:3,redhat:1");
    if (os === undefined) throw new Error("no fact parsed");
    const values = Array.from({ length: 400 }, (_, i) => factValue(os, i + 1));
    expect(values.filter((v) => v === "debian")).toHaveLength(300);
    expect(values.filter((v) => v === "redhat")).toHaveLength(100);
  });

  it("is a pure function of the node number, plus fleet_sim_node", () => {
    const spec = parseFactsSpec("os=debian:3,redhat:1; role=web,db,app");
    expect(factsFor(spec, 17)).toEqual(factsFor(parseFactsSpec("os=debian:3,redhat:1;role=web,db,app"), 17));
    expect(factsFor(spec, 17).fleet_sim_node).toBe("17");
    expect(Object.keys(factsFor(spec, 1)).sort()).toEqual(["fleet_sim_node", "os", "role"]);
    expect(factsFor([], 5)).toEqual({ fleet_sim_node: "5" });
  });

  it("keeps a value with a colon when what follows is not a weight", () => {
    const [url] = parseFactsSpec("url=http://a:b");
    expect(url?.choices).toEqual([{ value: "http://a:b", weight: 1 }]);
  });

  it("names what is wrong with a bad spec", () => {
    const bad: [string, RegExp][] = [
      ["os", /"os" has no name=/],
      ["=x", /"=x" has no name=/],
      ["o s=x", /"o s" is not a fact name/],
      ["os=a;os=b", /fact "os" is given twice/],
      ["os=a,,b", /fact "os" has an empty value/],
      ["os=a:0", /"a:0" has weight 0/],
    ];
    for (const [spec, why] of bad) {
      expect(() => parseFactsSpec(spec)).toThrow(FactsSpecError);
      expect(() => parseFactsSpec(spec)).toThrow(why);
    }
  });
});

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { pickNodes } from "./limit.js";
import { RubyRandom } from "./mersenne.js";

function ruby(script: string): string {
  const out = spawnSync("ruby", ["-e", script], { encoding: "utf8" });
  if (out.error || out.status !== 0) {
    throw new Error(
      `ruby failed (${out.error?.message ?? out.stderr}): run \`sh tooling/scripts/provision.sh\``,
    );
  }
  return out.stdout.trim();
}

describe("Ruby's seeded rand", () => {
  it("draws the same numbers as srand(seed); rand(n)", () => {
    const seeds = [0, 1, 42, 12345, 2 ** 31 + 7, 2 ** 40 + 3];
    const sizes = [1, 2, 3, 7, 10, 100, 1000, 65537];
    const expected = JSON.parse(
      ruby(
        `require "json"; out = {}; ${JSON.stringify(seeds)}.each { |s| srand(s); out[s] = ${JSON.stringify(sizes)}.flat_map { |n| 5.times.map { rand(n) } } }; puts out.to_json`,
      ),
    ) as Record<string, number[]>;
    for (const seed of seeds) {
      const rng = new RubyRandom(seed);
      const got = sizes.flatMap((n) => Array.from({ length: 5 }, () => rng.int(n)));
      expect(got, `seed ${seed}`).toEqual(expected[String(seed)]);
    }
  });

  it("picks the nodes a Ruby client picks for --limit with --limit-seed", () => {
    const nodes = Array.from({ length: 23 }, (_, i) => `node${i}`).reverse();
    const rubyPick = ruby(
      `haystack = ${JSON.stringify(nodes)}.sort; srand(7); r = []; 5.times { r << haystack.delete_at(rand(haystack.size)) }; print r.join(",")`,
    );
    expect(pickNodes(nodes, 5, "random", 7).join(",")).toBe(rubyPick);
    expect(pickNodes(nodes, "10%", "first")).toEqual(nodes.slice(0, 2));
    expect(pickNodes(["a"], "10%", "first")).toEqual(["a"]);
    expect(() => pickNodes(nodes, "x", "first")).toThrow(/Invalid limit specified: x/);
  });
});

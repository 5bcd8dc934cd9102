import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sparkline } from "./sparkline.js";

const TIMES: number[][] = [
  [4.76, 4.92, 5.03, 5.22],
  [1.5],
  [10, 60, 61, 62, 300.25],
  [49.999, 50, 50.001, 149.5, 151, 420],
  Array.from({ length: 40 }, (_, i) => (i * 37.3) % 500),
  [0.1, 0.2, 0.3, 999.9],
];

function ruby(times: number[][]): string[] {
  const script = fileURLToPath(new URL("./__fixtures__/spark.rb", import.meta.url));
  const r = spawnSync("ruby", ["-EUTF-8", script], {
    input: JSON.stringify(times),
    encoding: "utf8",
    env: { ...process.env, LANG: "C.UTF-8" },
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT")
    throw new Error("ruby not found: run `sh tooling/scripts/provision.sh`");
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[];
}

describe("sparkline (mco ping --graph)", () => {
  it("draws what MCollective's spark draws for the same reply times", () => {
    expect(TIMES.map(sparkline)).toEqual(ruby(TIMES));
  });

  it("one fast answer is one full tick", () => {
    expect(sparkline([4.2])).toBe("▇");
  });
});

/**
 * rubyFloatToS against Ruby's own Float#to_s (one Ruby process for the whole
 * table): the fixed/exponent boundaries (1e-4, 1e15, 1e16), integral values,
 * signs, specials, and a spread of pseudo-random doubles.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { rubyOnce } from "./__oracle__/run-ruby.js";
import { rubyFloatToS } from "./float-to-s.js";

const EDGES = [
  1e15,
  9999999999999998,
  1e16,
  123456789012345.6,
  1234567890123456.8,
  1234567890123456,
  1.2e15,
  999999999999999.9,
  999999999999999,
  100000000000000,
  2 ** 53,
  2 ** 53 + 2,
  12345678901234568,
  1e-4,
  1e-5,
  0.00012,
  9.999999999999999e-5,
  1.5e-5,
  0.001,
  0.1,
  1 / 3,
  2 / 3,
  0.5,
  1,
  2,
  100,
  1e20,
  1e21,
  1e22,
  1e23,
  1e100,
  1.7976931348623157e308,
  5e-324,
  2.2250738585072014e-308,
  Number.EPSILON,
  0,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

/** Deterministic doubles over many magnitudes (a small LCG, so the table is the same each run). */
function spread(count: number): number[] {
  let seed = 20261206;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const exponent = Math.floor(next() * 44) - 22;
    const digits = Math.floor(next() * 4) === 0 ? Math.round(next() * 1000) : next() * 10;
    out.push(digits * 10 ** exponent);
  }
  return out;
}

const TABLE = [...EDGES, ...spread(600)].flatMap((x) => [x, -x]);

function bits(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return Buffer.from(view.buffer).toString("hex");
}

describe("rubyFloatToS against Ruby's Float#to_s", () => {
  const ruby = rubyOnce<string[]>(fileURLToPath(new URL("./__oracle__/float-to-s.rb", import.meta.url)), () =>
    TABLE.map(bits),
  );

  it(`prints ${TABLE.length} doubles as Ruby does`, () => {
    const expected = ruby();
    const disagreements = TABLE.flatMap((x, i) => {
      const mine = rubyFloatToS(x);
      return mine === expected[i] ? [] : [`${bits(x)}: ruby ${expected[i]} ours ${mine}`];
    });
    expect(disagreements.join("\n")).toBe("");
  }, 60_000);

  it("covers the range where Ruby switches to exponent form at 1e15", () => {
    expect(ruby().slice(0, 2)).toEqual(["1.0e+15", "-1.0e+15"]);
  }, 60_000);
});

import { describe, expect, it } from "vitest";
import { haltCode } from "./application.js";

describe("haltCode (Application#halt_code)", () => {
  it.each([
    ["discovered, all answered and passed", { discoverytime: 1, discovered: 4, responses: 4, okcount: 4 }, 0],
    ["discovered, some failed", { discoverytime: 1, discovered: 4, responses: 4, failcount: 1 }, 2],
    ["discovered, nobody answered", { discoverytime: 1, discovered: 4, responses: 0 }, 3],
    ["nothing discovered", { discoverytime: 1, discovered: 0, responses: 0 }, 1],
    ["no discovery, no replies (mco ping)", { discoverytime: 0, responses: 0 }, 4],
    ["no discovery, some replies (mco ping)", { discoverytime: 0, responses: 3 }, 0],
    ["-I without discovery, all answered", { discoverytime: 0, discovered: 2, responses: 2 }, 0],
    ["-I without discovery, one failed", { discoverytime: 0, discovered: 2, responses: 2, failcount: 1 }, 2],
    ["-I without discovery, nobody answered", { discoverytime: 0, discovered: 2, responses: 0 }, 4],
    ["responses unknown", { discoverytime: 1, discovered: 0 }, 1],
  ])("%s → %i", (_what, stats, code) => {
    expect(haltCode(stats)).toBe(code);
  });
});

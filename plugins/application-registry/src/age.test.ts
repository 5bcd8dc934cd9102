import { describe, expect, it } from "vitest";
import { ageSeconds, formatAge } from "./age.js";

describe("ages", () => {
  it("are whole seconds, and a time ahead of ours is no age at all", () => {
    const now = new Date("2026-12-06T05:00:00Z");
    expect(ageSeconds(new Date("2026-12-06T04:58:20.900Z"), now)).toBe(99);
    expect(ageSeconds(new Date("2026-12-06T05:00:30Z"), now)).toBe(0);
  });

  it("read as the two largest units", () => {
    expect(formatAge(0)).toBe("0s");
    expect(formatAge(59)).toBe("59s");
    expect(formatAge(60)).toBe("1m 0s");
    expect(formatAge(303)).toBe("5m 3s");
    expect(formatAge(7500)).toBe("2h 5m");
    expect(formatAge(3 * 86400 + 4 * 3600 + 59)).toBe("3d 4h");
  });
});

import { describe, expect, it } from "vitest";
import { eventually } from "./eventually.js";

describe("eventually", () => {
  it("returns the first value the probe gives that is not undefined", async () => {
    let calls = 0;
    const value = await eventually(() => (++calls === 3 ? "ready" : undefined), "the third call", 10_000, 1);
    expect(value).toBe("ready");
    expect(calls).toBe(3);
  });

  it("keeps a false or zero answer: only undefined means not yet", async () => {
    expect(await eventually(() => 0, "zero")).toBe(0);
    expect(await eventually(() => false, "false")).toBe(false);
  });

  it("retries a probe that throws and names the last error when it gives up", async () => {
    let calls = 0;
    const failure = eventually(
      () => {
        calls++;
        throw new Error(`refused ${calls}`);
      },
      "the daemon to listen",
      0,
      1,
    );
    await expect(failure).rejects.toThrow(
      /^the daemon to listen: not within 0 ms \(last error: refused \d+\)$/,
    );
    expect(calls).toBeGreaterThan(0);
  });

  it("names what it waited for when the probe never answers", async () => {
    await expect(eventually(async () => undefined, "a registration", 0, 1)).rejects.toThrow(
      "a registration: not within 0 ms",
    );
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { connectWithin } from "./connect-deadline.js";

describe("connectWithin", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives up with the transport's error and stops it when the deadline passes first", async () => {
    vi.useFakeTimers();
    const stop = vi.fn(async () => {});
    const attempt = connectWithin(
      new Promise<void>(() => {}),
      2500,
      (reason) => new Error(`gave up: ${reason}`),
      stop,
    );
    const outcome = expect(attempt).rejects.toThrow("gave up: no connection within 2.5s");
    await vi.advanceTimersByTimeAsync(2500);
    await outcome;
    expect(stop).toHaveBeenCalledOnce();
  });

  it("resolves with the connection, and never stops it, when it comes first", async () => {
    vi.useFakeTimers();
    const stop = vi.fn(async () => {});
    await connectWithin(Promise.resolve(), 2500, () => new Error("unused"), stop);
    await vi.advanceTimersByTimeAsync(5000);
    expect(stop).not.toHaveBeenCalled();
  });

  it("waits as long as it takes without a deadline", async () => {
    const connected = Promise.resolve();
    expect(
      connectWithin(
        connected,
        undefined,
        () => new Error("unused"),
        async () => {},
      ),
    ).toBe(connected);
  });
});

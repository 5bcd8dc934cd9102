import { ConfigError, configFromText } from "@phobos/core";
import { describe, expect, it } from "vitest";
import { readStaleRequestPolicy, staleRequestReason } from "./stale-requests.js";

const policy = (lines: string) => readStaleRequestPolicy(configFromText(lines));

describe("plugin.stale_requests", () => {
  it("is off unless asked for, with 5 seconds of grace", () => {
    expect(policy("")).toEqual({ drop: false, grace: 5 });
    expect(policy("plugin.stale_requests.drop = true\nplugin.stale_requests.grace = 0\n")).toEqual({
      drop: true,
      grace: 0,
    });
  });

  it("refuses a negative grace, naming the key", () => {
    expect(() => policy("plugin.stale_requests.grace = -1\n")).toThrow(ConfigError);
    expect(() => policy("plugin.stale_requests.grace = -1\n")).toThrow(/plugin\.stale_requests\.grace/);
  });

  it("drops a request older than its agent's DDL timeout plus the grace, and only then", () => {
    const on = { drop: true, grace: 5 };
    const now = 1_000_000;
    const request = (age: number, agent = "service") => ({ agent, msgtime: now - age });
    expect(staleRequestReason(on, request(15), 10, now)).toBeUndefined();
    expect(staleRequestReason(on, request(16), 10, now)).toBe(
      "it is 16 seconds old and its client stopped waiting after 10 seconds (the service DDL timeout) plus 5 of grace (plugin.stale_requests.drop, plugin.stale_requests.grace)",
    );
    // Off, a ping, or an agent without a timeout: MCollective's rule (the ttl) alone.
    expect(staleRequestReason({ drop: false, grace: 5 }, request(50), 10, now)).toBeUndefined();
    expect(staleRequestReason(on, request(50, "discovery"), 10, now)).toBeUndefined();
    expect(staleRequestReason(on, request(50), 0, now)).toBeUndefined();
  });
});

/**
 * The reconnect back-off both transports (STOMP and AMQP) use: the stomp
 * gem's delays, capped, started again only after a connection that lasted,
 * and `max_reconnect_attempts` attempts in a row at most.
 */
import { describe, expect, it } from "vitest";
import { ReconnectBackOff, type ReconnectPolicy, STABLE_CONNECTION_MS } from "./back-off.js";

const policy = (over: Partial<ReconnectPolicy> = {}): ReconnectPolicy => ({
  initialDelayMs: 10,
  multiplier: 2,
  maxDelayMs: 30_000,
  maxAttempts: 0,
  exponential: true,
  ...over,
});
const delays = (b: ReconnectBackOff, n: number) => Array.from({ length: n }, () => b.nextDelay());

describe("ReconnectBackOff", () => {
  it("starts at initial_reconnect_delay and multiplies by back_off_multiplier", () => {
    expect(delays(new ReconnectBackOff(policy()), 5)).toEqual([10, 20, 40, 80, 160]);
    expect(delays(new ReconnectBackOff(policy({ initialDelayMs: 100, multiplier: 3 })), 4)).toEqual([
      100, 300, 900, 2700,
    ]);
  });

  it("never waits longer than max_reconnect_delay", () => {
    const b = new ReconnectBackOff(policy({ initialDelayMs: 1_000, maxDelayMs: 5_000 }));
    expect(delays(b, 6)).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
  });

  it("keeps the initial delay without use_exponential_back_off", () => {
    expect(delays(new ReconnectBackOff(policy({ exponential: false })), 4)).toEqual([10, 10, 10, 10]);
  });

  it("starts the delays again after a connection that lasted", () => {
    const b = new ReconnectBackOff(policy());
    delays(b, 4);
    b.connected(1_000);
    b.disconnected(1_000 + STABLE_CONNECTION_MS);
    expect(delays(b, 3)).toEqual([10, 20, 40]);
  });

  it("keeps backing off after a connection the broker closed at once", () => {
    const b = new ReconnectBackOff(policy());
    expect(delays(b, 3)).toEqual([10, 20, 40]);
    b.connected(1_000);
    b.disconnected(1_000 + STABLE_CONNECTION_MS - 1);
    expect(delays(b, 2)).toEqual([80, 160]);
  });

  it("honours a custom stable-connection time", () => {
    const b = new ReconnectBackOff(policy(), 100);
    delays(b, 3);
    b.connected(0);
    b.disconnected(100);
    expect(b.nextDelay()).toBe(10);
  });

  it("a disconnect without a connection does not reset the delays", () => {
    const b = new ReconnectBackOff(policy());
    delays(b, 2);
    b.connected(0);
    b.disconnected(STABLE_CONNECTION_MS - 1);
    b.disconnected(10 * STABLE_CONNECTION_MS);
    expect(b.nextDelay()).toBe(40);
  });

  it("counts attempts up to max_reconnect_attempts, and again from 0 once connected", () => {
    const b = new ReconnectBackOff(policy({ maxAttempts: 3 }));
    expect(b.exhausted).toBe(false);
    expect([b.attempt(), b.attempt()]).toEqual([1, 2]);
    expect(b.exhausted).toBe(false);
    expect(b.attempt()).toBe(3);
    expect(b.attempts).toBe(3);
    expect(b.exhausted).toBe(true);
    b.connected();
    expect(b.attempts).toBe(0);
    expect(b.exhausted).toBe(false);
  });

  it("retries forever with max_reconnect_attempts = 0", () => {
    const b = new ReconnectBackOff(policy({ maxAttempts: 0 }));
    for (let i = 0; i < 1_000; i++) b.attempt();
    expect(b.exhausted).toBe(false);
  });
});

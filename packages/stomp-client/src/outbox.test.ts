/**
 * The outbox both transports (STOMP and AMQP) keep while their broker is
 * unreachable: a byte limit, expiry by ttl (with a timer that does not keep
 * the process alive), and a flush in the order the messages were sent.
 */
import { createLogger, memorySink } from "@phobos/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type HeldMessage, Outbox } from "./outbox.js";

const setup = (limitBytes?: number) => {
  const sink = memorySink("debug");
  const outbox = new Outbox({ limitBytes, log: createLogger(sink), brokerName: "RabbitMQ" });
  return { outbox, lines: () => sink.lines.map((l) => `${l.level} ${l.message}`) };
};
const message = (destination: string, bytes: number, ttlSeconds = 60): HeldMessage => ({
  destination,
  headers: { "reply-to": "/temp-queue/x" },
  body: new Uint8Array(bytes),
  expiresAt: Date.now() + ttlSeconds * 1000,
});
const flushed = (outbox: Outbox) => {
  const sent: [string, number][] = [];
  outbox.flush((m, ttl) => sent.push([m.destination, ttl]));
  return sent;
};

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Outbox", () => {
  it("holds messages and flushes them oldest first with the ttl they have left", () => {
    const { outbox, lines } = setup();
    outbox.hold(message("/exchange/a", 3, 60));
    outbox.hold(message("/exchange/b", 4, 30));
    outbox.hold(message("/exchange/c", 5, 90));
    expect([outbox.length, outbox.bytes]).toEqual([3, 12]);
    vi.advanceTimersByTime(10_000);
    expect(flushed(outbox)).toEqual([
      ["/exchange/a", 50],
      ["/exchange/b", 20],
      ["/exchange/c", 80],
    ]);
    expect([outbox.length, outbox.bytes]).toEqual([0, 0]);
    expect(lines()).toEqual([
      "info holding a message to /exchange/a until RabbitMQ is reachable again (for at most 60s, its ttl)",
      "info holding a message to /exchange/b until RabbitMQ is reachable again (for at most 30s, its ttl)",
      "info holding a message to /exchange/c until RabbitMQ is reachable again (for at most 90s, its ttl)",
      "info sending 3 message(s) held while RabbitMQ was unreachable",
    ]);
    expect(flushed(outbox)).toEqual([]);
  });

  it("gives a message at least 1 s of ttl when it is sent again", () => {
    const { outbox } = setup();
    outbox.hold(message("/queue/q", 1, 2));
    vi.setSystemTime(Date.now() + 1_900);
    expect(flushed(outbox)).toEqual([["/queue/q", 1]]);
  });

  it("drops a message that would pass the byte limit, with an error, and keeps the rest", () => {
    const { outbox, lines } = setup(10);
    outbox.hold(message("/exchange/a", 6));
    outbox.hold(message("/exchange/b", 5));
    outbox.hold(message("/exchange/c", 4));
    expect([outbox.length, outbox.bytes]).toEqual([2, 10]);
    expect(lines()).toContain(
      "error dropping a message to /exchange/b: 1 messages (6 bytes) already wait for the connection to RabbitMQ",
    );
    expect(flushed(outbox).map(([d]) => d)).toEqual(["/exchange/a", "/exchange/c"]);
  });

  it("defaults to a 16 MiB limit", () => {
    const { outbox } = setup();
    outbox.hold(message("/exchange/a", 16 * 1024 * 1024));
    outbox.hold(message("/exchange/b", 1));
    expect(outbox.length).toBe(1);
  });

  it("drops each message when its ttl passes, even without a reconnect", () => {
    const { outbox, lines } = setup();
    outbox.hold(message("/exchange/short", 2, 5));
    outbox.hold(message("/exchange/long", 3, 20));
    vi.advanceTimersByTime(5_000);
    expect([outbox.length, outbox.bytes]).toEqual([1, 3]);
    expect(lines()).toContain(
      "warn dropped a message to /exchange/short: its ttl passed while RabbitMQ was unreachable",
    );
    vi.advanceTimersByTime(15_000);
    expect([outbox.length, outbox.bytes]).toEqual([0, 0]);
    expect(lines()).toContain(
      "warn dropped a message to /exchange/long: its ttl passed while RabbitMQ was unreachable",
    );
    expect(vi.getTimerCount()).toBe(0);
  });

  it("does not keep the process alive for waiting messages", () => {
    vi.useRealTimers(); // Node's own timer, whose hasRef() tells
    const timers = vi.spyOn(globalThis, "setTimeout");
    const { outbox } = setup();
    outbox.hold(message("/exchange/a", 1));
    expect(timers).toHaveBeenCalledTimes(1);
    const timer = timers.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    outbox.drop("done");
    timers.mockRestore();
  });

  it("does not flush what expired before the reconnect", () => {
    const { outbox } = setup();
    outbox.hold(message("/exchange/old", 1, 1));
    outbox.hold(message("/exchange/new", 1, 60));
    vi.setSystemTime(Date.now() + 1_000); // no timer has run yet
    expect(flushed(outbox).map(([d]) => d)).toEqual(["/exchange/new"]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("refuses messages while the connection is closing", () => {
    const { outbox, lines } = setup();
    outbox.hold(message("/exchange/a", 1), true);
    expect(outbox.length).toBe(0);
    expect(lines()).toEqual(["warn dropped a message to /exchange/a: the connection was closed"]);
  });

  it("drops everything on close, saying how much and why", () => {
    const { outbox, lines } = setup();
    outbox.hold(message("/exchange/a", 2));
    outbox.hold(message("/exchange/b", 3));
    outbox.drop("the connection was closed");
    expect([outbox.length, outbox.bytes]).toEqual([0, 0]);
    expect(lines().at(-1)).toBe(
      "warn dropped 2 message(s) (5 bytes) that waited for RabbitMQ: the connection was closed",
    );
    expect(vi.getTimerCount()).toBe(0);
    outbox.drop("again");
    expect(lines()).toHaveLength(3);
  });
});

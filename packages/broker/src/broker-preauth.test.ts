/**
 * Connections that never log in (issue 19 item 5): they are bounded on
 * their own, the oldest closed to make room, so however many a client opens,
 * logged-in clients and `maxConnections` are unaffected. Floods come from
 * other loopback addresses (127.0.0.x; Linux routes all of 127/8 to lo) so
 * the per-address limits can be told apart from the global one.
 */
import net from "node:net";
import tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "./limits.js";
import { eventually, useBrokers } from "./test-support/broker-fixture.js";
import { headerMap, type RawClient } from "./test-support/raw-client.js";
import { createTestPki, type TestPki } from "./test-support/tls-certs.js";

const GUEST = { "accept-version": "1.2", login: "guest", passcode: "guest" };
/** Waits here are for events on a loaded 2-core machine, not bounds on speed. */
const PATIENCE_MS = 120_000;
/** No idle socket times out during a test, so only the limits under test close any. */
const NO_DEADLINE = { connectTimeoutMs: 3_600_000 };

interface IdleSocket {
  readonly socket: net.Socket;
  closed: boolean;
}

describe("connections that have not logged in", { timeout: 4 * PATIENCE_MS }, () => {
  const fixture = useBrokers();
  const idle: IdleSocket[] = [];
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki();
  });
  afterAll(async () => {
    await pki?.remove();
  });
  afterEach(() => {
    for (const entry of idle.splice(0)) entry.socket.destroy();
  });

  /**
   * Opens `count` TCP connections from `localAddress` that send nothing,
   * `parallel` handshakes at a time so the listen backlog is not what is tested.
   */
  async function openIdle(port: number, localAddress: string, count: number, parallel = 100) {
    const opened: IdleSocket[] = [];
    let next = 0;
    const one = () =>
      new Promise<void>((resolve, reject) => {
        const socket = net.connect({ host: "127.0.0.1", port, localAddress });
        const entry: IdleSocket = { socket, closed: false };
        socket.on("close", () => {
          entry.closed = true;
        });
        socket.once("connect", () => {
          socket.off("error", reject);
          socket.on("error", () => {});
          resolve();
        });
        socket.once("error", reject);
        idle.push(entry);
        opened.push(entry);
      });
    const lane = async () => {
      while (next < count) {
        next++;
        await one();
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
    return opened;
  }

  async function loggedIn(port: number, localAddress = "127.0.0.1"): Promise<RawClient> {
    const client = await fixture.client(port, { localAddress });
    client.send("CONNECT", GUEST);
    const frame = await client.next(PATIENCE_MS);
    expect([frame.command, frame.body.toString()]).toEqual(["CONNECTED", ""]);
    return client;
  }

  async function subscribed(port: number, destination: string): Promise<RawClient> {
    const client = await loggedIn(port);
    client.send("SUBSCRIBE", { id: "s", destination, receipt: "subscribed" });
    expect(headerMap(await client.next(PATIENCE_MS))["receipt-id"]).toBe("subscribed");
    return client;
  }

  it("lets a client log in and subscribe while 5,000 sockets that never log in are open", async () => {
    // maxConnections far below the flood: before pre-auth sockets were counted apart, this locked everyone out.
    const broker = await fixture.broker({ limits: { maxConnections: 64, ...NO_DEADLINE } });
    const { maxPreauthConnections } = DEFAULT_LIMITS;
    const sources = Array.from({ length: 25 }, (_, i) => `127.0.0.${10 + i}`);
    const perSource = 200;

    // Half the flood, then a client logs in; then the rest: it must stay connected throughout.
    const flood: IdleSocket[] = [];
    for (const source of sources.slice(0, 12))
      flood.push(...(await openIdle(broker.port, source, perSource)));
    const early = await subscribed(broker.port, "/exchange/flood/#");
    for (const source of sources.slice(12)) flood.push(...(await openIdle(broker.port, source, perSource)));
    expect(flood).toHaveLength(5000);
    await eventually(
      () => broker.stats().connectionsTotal >= 5001,
      PATIENCE_MS,
      "the broker to see every socket",
    );

    const late = await subscribed(broker.port, "/exchange/flood/#");
    const publisher = await loggedIn(broker.port);
    publisher.send("SEND", { destination: "/exchange/flood/news", receipt: "sent" }, "still here");
    expect(headerMap(await publisher.next(PATIENCE_MS))["receipt-id"]).toBe("sent");
    for (const client of [early, late]) {
      const message = await client.next(PATIENCE_MS);
      expect([message.command, message.body.toString()]).toEqual(["MESSAGE", "still here"]);
      expect(client.isOpen).toBe(true);
    }

    const stats = broker.stats();
    expect(stats.authenticatedConnections).toBe(3);
    expect(stats.connectionsRejected).toBe(0);
    expect(stats.connectionsDropped).toBe(0);
    // Bounded: never more than the cap waited at once, and the rest were closed to make room.
    expect(stats.preauthPeak).toBeLessThanOrEqual(maxPreauthConnections);
    expect(stats.preauthConnections).toBeLessThanOrEqual(maxPreauthConnections);
    expect(stats.preauthEvicted + stats.preauthRateLimited).toBeGreaterThanOrEqual(
      5000 - maxPreauthConnections,
    );
    // And the flood sees it: its own sockets were closed down to the cap.
    await eventually(
      () => flood.filter((entry) => !entry.closed).length <= maxPreauthConnections,
      PATIENCE_MS,
      "the broker to close the surplus idle sockets",
    );
  });

  it("closes the oldest idle sockets of an address past maxPreauthPerAddress, and no other address's", async () => {
    const broker = await fixture.broker({
      limits: { maxPreauthPerAddress: 5, connectRatePerAddress: 0, ...NO_DEADLINE },
    });
    const other = await openIdle(broker.port, "127.0.0.3", 2);
    const flood = await openIdle(broker.port, "127.0.0.2", 20, 1);
    await eventually(() => flood.filter((entry) => entry.closed).length === 15, PATIENCE_MS, "15 closed");
    // Opened one at a time, so "oldest" is well defined: the first 15 went, the last 5 stay.
    expect(flood.map((entry) => entry.closed)).toEqual([...Array(15).fill(true), ...Array(5).fill(false)]);
    expect(other.every((entry) => !entry.closed)).toBe(true);
    expect(broker.stats()).toMatchObject({ preauthConnections: 7, preauthEvicted: 15, preauthPeak: 7 });
    await subscribed(broker.port, "/topic/x");
    expect(broker.stats()).toMatchObject({ preauthConnections: 7, authenticatedConnections: 1 });
  });

  it("closes the oldest idle socket anywhere past maxPreauthConnections", async () => {
    const broker = await fixture.broker({
      limits: { maxPreauthConnections: 10, connectRatePerAddress: 0, ...NO_DEADLINE },
    });
    const first = await openIdle(broker.port, "127.0.0.4", 10, 1);
    const second = await openIdle(broker.port, "127.0.0.5", 4, 1);
    await eventually(() => first.filter((entry) => entry.closed).length === 4, PATIENCE_MS, "4 closed");
    expect(first.map((entry) => entry.closed)).toEqual([...Array(4).fill(true), ...Array(6).fill(false)]);
    expect(second.every((entry) => !entry.closed)).toBe(true);
    expect(broker.stats()).toMatchObject({ preauthConnections: 10, preauthEvicted: 4, preauthPeak: 10 });
  });

  it("closes new connections from an address past its connection rate, at once, and counts them", async () => {
    // One token per 1,000 s: within this test nothing refills, whatever the machine's speed.
    const broker = await fixture.broker({
      limits: { connectRatePerAddress: 0.001, connectBurstPerAddress: 3, ...NO_DEADLINE },
    });
    const flood = await openIdle(broker.port, "127.0.0.6", 10, 1);
    await eventually(() => flood.filter((entry) => entry.closed).length === 7, PATIENCE_MS, "7 refused");
    expect(flood.map((entry) => entry.closed)).toEqual([false, false, false, ...Array(7).fill(true)]);
    expect(broker.stats()).toMatchObject({ preauthRateLimited: 7, preauthConnections: 3, preauthEvicted: 0 });
    // Another address has its own budget.
    await subscribed(broker.port, "/topic/x");
  });

  it("applies maxConnections to logged-in clients only, at CONNECT", async () => {
    const broker = await fixture.broker({ limits: { maxConnections: 2, ...NO_DEADLINE } });
    const waiting = await openIdle(broker.port, "127.0.0.7", 5);
    await loggedIn(broker.port);
    await loggedIn(broker.port);
    const third = await fixture.client(broker.port);
    third.send("CONNECT", GUEST);
    const error = await third.next(PATIENCE_MS);
    expect([error.command, headerMap(error).message]).toEqual(["ERROR", "Too many connections"]);
    expect(error.body.toString()).toContain("maxConnections");
    await third.closed;
    expect(waiting.every((entry) => !entry.closed)).toBe(true);
    expect(broker.stats()).toMatchObject({
      connectionsRejected: 1,
      authenticatedConnections: 2,
      preauthConnections: 5,
    });
  });

  it("does not buffer more than a header block for a client that has not logged in", async () => {
    const broker = await fixture.broker({ limits: { maxHeaderBytes: 4096 } });
    const client = await fixture.client(broker.port);
    client.write(`CONNECT\nlogin:guest\npasscode:guest\ncontent-length:${1024 * 1024}\n\n`);
    const error = await client.next(PATIENCE_MS);
    expect([error.command, headerMap(error).message]).toEqual(["ERROR", "Malformed frame"]);
    expect(error.body.toString()).toContain("maximum frame size of 4096 bytes");
    await client.closed;
    // Once logged in, the full frame size applies again.
    const sender = await loggedIn(broker.port);
    sender.send("SEND", { destination: "/queue/big", receipt: "r" }, Buffer.alloc(256 * 1024, 0x61));
    expect(headerMap(await sender.next(PATIENCE_MS))["receipt-id"]).toBe("r");
  });

  it("counts a TLS handshake in progress as not logged in, and the TLS client once logged in", async () => {
    const broker = await fixture.broker({
      tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile },
      limits: { maxPreauthPerAddress: 3, connectRatePerAddress: 0, ...NO_DEADLINE },
    });
    // Plain TCP to a TLS port: a handshake that never starts.
    const stalled = await openIdle(broker.port, "127.0.0.8", 5, 1);
    await eventually(() => stalled.filter((entry) => entry.closed).length === 2, PATIENCE_MS, "2 closed");
    expect(stalled.map((entry) => entry.closed)).toEqual([true, true, false, false, false]);
    expect(broker.stats()).toMatchObject({ preauthConnections: 3, preauthEvicted: 2 });

    const client = await fixture.client(broker.port, { tls: { ca: pki.ca } });
    expect(client.socket).toBeInstanceOf(tls.TLSSocket);
    await eventually(() => broker.stats().preauthConnections === 4, PATIENCE_MS, "the TLS client to count");
    client.send("CONNECT", GUEST);
    expect((await client.next(PATIENCE_MS)).command).toBe("CONNECTED");
    expect(broker.stats()).toMatchObject({ preauthConnections: 3, authenticatedConnections: 1 });

    // Handshake done but no CONNECT: still waiting to log in, so the oldest of an address goes.
    const handshaken: RawClient[] = [];
    for (let i = 0; i < 4; i++) {
      handshaken.push(await fixture.client(broker.port, { tls: { ca: pki.ca }, localAddress: "127.0.0.11" }));
    }
    await handshaken[0]?.closed;
    expect(handshaken.map((c) => c.isOpen)).toEqual([false, true, true, true]);
    expect(broker.stats()).toMatchObject({ preauthConnections: 6, preauthEvicted: 3 });
  });

  it("counts connections that never send CONNECT in time", async () => {
    const broker = await fixture.broker({ limits: { connectTimeoutMs: 200 } });
    const [socket] = await openIdle(broker.port, "127.0.0.9", 1);
    await eventually(() => socket?.closed === true, PATIENCE_MS, "the idle socket to be closed");
    expect(broker.stats()).toMatchObject({ preauthTimeouts: 1, preauthConnections: 0 });

    const tlsBroker = await fixture.broker({
      tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile },
      limits: { connectTimeoutMs: 200 },
    });
    const [stalled] = await openIdle(tlsBroker.port, "127.0.0.9", 1);
    await eventually(() => stalled?.closed === true, PATIENCE_MS, "the stalled handshake to be closed");
    await eventually(() => tlsBroker.stats().preauthTimeouts === 1, PATIENCE_MS, "the timeout to be counted");
    expect(tlsBroker.stats().preauthConnections).toBe(0);
  });
});

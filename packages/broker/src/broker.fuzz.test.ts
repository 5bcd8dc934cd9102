import net from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "./broker.js";
import { eventually } from "./test-support/broker-fixture.js";
import { encode, headerMap, RawClient } from "./test-support/raw-client.js";

const COMMANDS = [
  "CONNECT",
  "STOMP",
  "SEND",
  "SUBSCRIBE",
  "UNSUBSCRIBE",
  "ACK",
  "NACK",
  "BEGIN",
  "COMMIT",
  "ABORT",
  "DISCONNECT",
  "MESSAGE",
  "FOO",
];
const DESTINATIONS = [
  "/exchange/fuzz_broadcast/a.b",
  "/exchange/fuzz_directed/n1",
  "/exchange/fuzz_broadcast/#",
  "/exchange/fuzz_broadcast/*.b",
  "/exchange/fuzz_broadcast",
  "/exchange//x",
  "/queue/fuzz",
  "/queue/amq.x",
  "/amq/queue/fuzz",
  "/topic/a.*",
  "/temp-queue/t",
  "/reply-queue/amq.gen-nothing",
  "/bogus",
  "",
];

const value = fc.oneof(
  fc.constantFrom(
    ...DESTINATIONS,
    "1",
    "0",
    "-1",
    "auto",
    "client",
    "client-individual",
    "1.0",
    "1.2",
    "guest",
    "t1",
  ),
  fc.constantFrom("0,0", "10,10", "x", "100000", "a\\cb", "\\q", "m@@session@@1"),
  fc.string({ maxLength: 20 }),
);
const header = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      "destination",
      "id",
      "ack",
      "receipt",
      "transaction",
      "content-length",
      "reply-to",
      "expiration",
      "heart-beat",
      "accept-version",
      "prefetch-count",
      "requeue",
      "message-id",
      "subscription",
      "host",
    ),
    fc.string({ maxLength: 8 }),
  ),
  value,
);
const frame = fc
  .record({
    command: fc.constantFrom(...COMMANDS),
    headers: fc.array(header, { maxLength: 6 }),
    body: fc.uint8Array({ maxLength: 200 }),
    contentLength: fc.boolean(),
  })
  .map((f) => encode(f.command, f.headers, f.body, f.contentLength));
const garbage = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes));
const goodConnect = fc
  .constantFrom("1.0", "1.1", "1.2")
  .map((v) => encode("CONNECT", { "accept-version": v, login: "guest", passcode: "guest" }));
const session = fc.tuple(
  fc.oneof({ weight: 4, arbitrary: goodConnect }, { weight: 1, arbitrary: frame }),
  fc.array(fc.oneof({ weight: 4, arbitrary: frame }, { weight: 1, arbitrary: garbage }), { maxLength: 12 }),
  fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 5 }),
);

/** Writes `bytes` in pieces of the given sizes, then waits a moment for the broker's answer. */
function play(port: number, bytes: Buffer, pieces: readonly number[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.on("error", () => {});
    socket.on("data", () => {});
    socket.on("connect", () => {
      let at = 0;
      let i = 0;
      while (at < bytes.length && !socket.destroyed) {
        const size = pieces[i++ % pieces.length] ?? 16;
        socket.write(bytes.subarray(at, at + size));
        at += size;
      }
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 5);
    });
  });
}

describe("broker under fuzzed input over real sockets", () => {
  let broker: RunningBroker;
  /** The broker logs at error level only for its own failures (caught exceptions); there must be none. */
  const internalErrors: string[] = [];
  beforeAll(async () => {
    broker = await startBroker({
      port: 0,
      limits: { maxFrameSize: 16 * 1024, connectTimeoutMs: 1000 },
      logger: { debug() {}, info() {}, warn() {}, error: (message) => internalErrors.push(message) },
    });
  });
  afterAll(async () => {
    await broker.close();
  });

  it("survives arbitrary and mutated frame streams and keeps serving good clients", async () => {
    await fc.assert(
      fc.asyncProperty(session, async ([first, rest, pieces]) => {
        await play(broker.port, Buffer.concat([first, ...rest]), pieces);
      }),
      { numRuns: Number(process.env.PHOBOS_FUZZ_RUNS ?? 250) },
    );
    expect(internalErrors).toEqual([]);

    // Everything the fuzzed connections built is gone with them.
    await eventually(() => broker.stats().connections === 0, 5000, "fuzzed connections to close");
    expect(broker.stats().subscriptions).toBe(0);

    const daemon = await RawClient.open(broker.port);
    const client = await RawClient.open(broker.port);
    try {
      await daemon.connect();
      await client.connect();
      daemon.send("SUBSCRIBE", { destination: "/exchange/fuzz_directed/node1", receipt: "s" });
      expect((await daemon.next()).command).toBe("RECEIPT");
      client.send(
        "SEND",
        { destination: "/exchange/fuzz_directed/node1", "reply-to": "/temp-queue/r" },
        Buffer.from([0, 1, 2]),
      );
      const request = await daemon.next();
      expect([...request.body]).toEqual([0, 1, 2]);
      daemon.send("SEND", { destination: headerMap(request)["reply-to"] ?? "" }, "pong");
      expect((await client.next()).body.toString()).toBe("pong");
    } finally {
      await daemon.close();
      await client.close();
    }
  });
});

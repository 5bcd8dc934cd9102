import { describe, expect, it } from "vitest";
import { sleep, useBrokers } from "./test-support/broker-fixture.js";
import { retainedBytes } from "./test-support/memory.js";
import { encode, headerMap, type RawClient } from "./test-support/raw-client.js";

const GUEST = { "accept-version": "1.0", login: "guest", passcode: "guest" };
const KiB = 1024;
const MiB = 1024 * KiB;

/** Limits that keep a bad client from hurting the broker. */
describe("broker limits", () => {
  const fixture = useBrokers();

  async function connected(port: number): Promise<RawClient> {
    const client = await fixture.client(port);
    await client.connect(GUEST);
    return client;
  }

  async function subscribe(client: RawClient, destination: string): Promise<void> {
    client.send("SUBSCRIBE", { destination, receipt: "s" });
    expect((await client.next()).command).toBe("RECEIPT");
  }

  async function expectError(client: RawClient, message: string, detail?: string): Promise<void> {
    const error = await client.next();
    expect([error.command, headerMap(error).message]).toEqual(["ERROR", message]);
    if (detail) expect(error.body.toString()).toContain(detail);
    await client.closed;
  }

  it("bounds memory for a subscriber that stops reading, and keeps serving the others", async () => {
    const limits = { maxPendingBytes: 256 * KiB, maxQueueBytes: 1 * MiB, maxBufferedBytes: 4 * MiB };
    const broker = await fixture.broker({ limits });
    const slow = await connected(broker.port);
    await subscribe(slow, "/exchange/load/#");
    const fast = await connected(broker.port);
    await subscribe(fast, "/exchange/load/#");
    slow.socket.pause();

    const publisher = await connected(broker.port);
    const body = Buffer.alloc(10 * KiB, 0x61);
    const batches = 96;
    const perBatch = 64; // 640 KiB per batch, 60 MiB in all
    const retainedBefore = retainedBytes();
    let maxPending = 0;
    let maxBuffered = 0;
    let received = 0;
    for (let batch = 0; batch < batches; batch++) {
      const frames = [];
      for (let i = 0; i < perBatch; i++) {
        frames.push(encode("SEND", { destination: `/exchange/load/b${batch}` }, body));
      }
      publisher.write(Buffer.concat(frames));
      // Wait for the reader that keeps up, so the test measures the slow one's effect only.
      for (let i = 0; i < perBatch; i++) {
        const frame = await fast.next();
        expect(frame.body.length).toBe(body.length);
        received++;
      }
      const stats = broker.stats();
      maxPending = Math.max(maxPending, stats.maxConnectionPendingBytes);
      maxBuffered = Math.max(maxBuffered, stats.bufferedBytes);
    }
    const retainedGrowth = retainedBytes() - retainedBefore;

    expect(received).toBe(batches * perBatch);
    // One frame may go out past the cap, never more.
    expect(maxPending).toBeLessThanOrEqual(limits.maxPendingBytes + body.length + 1024);
    expect(maxBuffered).toBeLessThanOrEqual(limits.maxQueueBytes);
    const stats = broker.stats();
    expect(stats.messagesDropped).toBeGreaterThan(batches * perBatch * 0.5);
    expect(stats.bufferedBytes).toBeLessThanOrEqual(limits.maxQueueBytes);
    // 60 MiB went through; had the broker kept it for the slow reader, it would still be held.
    expect(retainedGrowth).toBeLessThan(8 * MiB);
    expect(slow.isOpen).toBe(true);
  });

  it("refuses frames larger than maxFrameSize and stays up", async () => {
    const broker = await fixture.broker({ limits: { maxFrameSize: 64 * KiB } });
    const big = await connected(broker.port);
    big.write(`SEND\ndestination:/queue/x\ncontent-length:${1 * MiB}\n\n`);
    await expectError(big, "Malformed frame", "maximum frame size of 65536 bytes");

    const endless = await connected(broker.port);
    endless.write("SEND\ndestination:/queue/x\n\n");
    for (let i = 0; i < 20 && endless.isOpen; i++) {
      endless.write(Buffer.alloc(8 * KiB, 0x62));
      await sleep(5);
    }
    await expectError(endless, "Malformed frame", "maximum frame size");

    const fine = await connected(broker.port);
    fine.send("SEND", { destination: "/queue/x", receipt: "ok" }, Buffer.alloc(60 * KiB));
    expect((await fine.next()).command).toBe("RECEIPT");
  });

  it("refuses too many headers and oversized header blocks", async () => {
    const broker = await fixture.broker({ limits: { maxHeaders: 10, maxHeaderBytes: 1024 } });
    const many = await connected(broker.port);
    many.send("SEND", Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`h${i}`, "v"])), "");
    await expectError(many, "Malformed frame", "at most 10 headers");

    const long = await connected(broker.port);
    long.send("SEND", { destination: "/queue/x", h: "v".repeat(2000) }, "");
    await expectError(long, "Malformed frame", "exceed 1024 bytes");
  });

  it("answers a malformed frame with ERROR and closes", async () => {
    const broker = await fixture.broker();
    for (const bad of [
      "SEND\nno colon here\n\n\0",
      "send\n\n\0",
      "SEND\ncontent-length:3\n\nabcdef\0",
      "SEND\ncontent-length:x\n\n\0",
    ]) {
      const client = await connected(broker.port);
      client.write(bad);
      await expectError(client, "Malformed frame");
    }
    expect(broker.stats().errorsSent).toBe(4);
  });

  it("caps subscriptions and temp queues per connection", async () => {
    const broker = await fixture.broker({ limits: { maxSubscriptions: 2, maxTempQueues: 2 } });
    const subs = await connected(broker.port);
    await subscribe(subs, "/topic/a");
    await subscribe(subs, "/topic/b");
    subs.send("SUBSCRIBE", { destination: "/topic/c" });
    await expectError(subs, "resource_limit", "maxSubscriptions");

    const temps = await connected(broker.port);
    for (const name of ["a", "b", "c"]) {
      temps.send("SEND", { destination: "/topic/x", "reply-to": `/temp-queue/${name}` }, "");
    }
    await expectError(temps, "resource_limit", "maxTempQueues");
  });

  it("drops the oldest messages when a queue is full, like RabbitMQ's drop-head", async () => {
    const broker = await fixture.broker({ limits: { maxQueueMessages: 5 } });
    const pub = await connected(broker.port);
    for (let i = 0; i < 10; i++) pub.send("SEND", { destination: "/queue/full", receipt: `r${i}` }, `m${i}`);
    for (let i = 0; i < 10; i++) await pub.next();
    expect(broker.stats()).toMatchObject({ bufferedMessages: 5, messagesDropped: 5 });
    const sub = await connected(broker.port);
    await subscribe(sub, "/queue/full");
    const bodies = [];
    for (let i = 0; i < 5; i++) bodies.push((await sub.next()).body.toString());
    expect(bodies).toEqual(["m5", "m6", "m7", "m8", "m9"]);
  });

  it("caps the bytes buffered across all queues", async () => {
    const broker = await fixture.broker({ limits: { maxBufferedBytes: 100 * KiB } });
    const pub = await connected(broker.port);
    for (let i = 0; i < 20; i++)
      pub.send("SEND", { destination: `/queue/q${i % 4}` }, Buffer.alloc(10 * KiB));
    pub.send("SEND", { destination: "/queue/q0", receipt: "done" }, "");
    await pub.next();
    const stats = broker.stats();
    expect(stats.bufferedBytes).toBeLessThanOrEqual(100 * KiB);
    expect(stats.messagesDropped).toBeGreaterThan(0);
  });

  it("caps what open transactions may hold", async () => {
    const broker = await fixture.broker({ limits: { maxTransactionBytes: 50 * KiB } });
    const client = await connected(broker.port);
    client.send("BEGIN", { transaction: "t" });
    for (let i = 0; i < 10; i++)
      client.send("SEND", { destination: "/queue/t", transaction: "t" }, Buffer.alloc(10 * KiB));
    await expectError(client, "resource_limit", "maxTransactionBytes");
  });

  it("stops reading from a client that does not read its own receipts", async () => {
    const broker = await fixture.broker({ limits: { maxPendingBytes: 64 * KiB } });
    const client = await connected(broker.port);
    client.socket.pause();
    const receiptId = "r".repeat(1000);
    const frame = encode("BEGIN", { transaction: "x", receipt: receiptId });
    const abort = encode("ABORT", { transaction: "x", receipt: receiptId });
    // ~2000 receipts of 1 KiB each: far more than the cap if the broker kept answering.
    for (let i = 0; i < 1000; i++) client.write(Buffer.concat([frame, abort]));
    await sleep(500);
    // The kernel's socket buffers take some; the broker's own backlog stays near the cap.
    expect(broker.stats().maxConnectionPendingBytes).toBeLessThan(64 * KiB + 64 * KiB);
    client.socket.resume();
    let receipts = 0;
    while (receipts < 2000) {
      expect((await client.next()).command).toBe("RECEIPT");
      receipts++;
    }
  });
});

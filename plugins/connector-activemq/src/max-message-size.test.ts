/**
 * `plugin.activemq.max_message_size` against the provisioned ActiveMQ
 * (STOMP 61614): a message over the limit is skipped as it arrives with one
 * WARN line naming size, limit and destination, and the same connection
 * delivers the next one.
 */
import { randomBytes } from "node:crypto";
import type { InboundMessage } from "@phobos/core";
import { activeMqFromEnv, checkActiveMq } from "@phobos/interop";
import { type OpenPlugin, openPlugin } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import activemq from "./connector.js";

const endpoint = activeMqFromEnv();
const agent = `size_${randomBytes(3).toString("hex")}`;
const opened: OpenPlugin<"connector">[] = [];

async function peer(identity: string, mode: "client" | "server", extra: Record<string, string> = {}) {
  const settings = {
    "pool.size": "1",
    "pool.1.host": endpoint.host,
    "pool.1.port": String(endpoint.port),
    "pool.1.user": endpoint.user,
    "pool.1.password": endpoint.password,
    ...extra,
  };
  const plugin = await openPlugin({ definition: activemq, settings }, mode, identity);
  opened.push(plugin);
  const received: InboundMessage[] = [];
  plugin.instance.onMessage((m) => received.push(m));
  const lines = () => plugin.log.lines.map((l) => `${l.level} ${l.message}`);
  return { connector: plugin.instance, received, lines };
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const text = (m: InboundMessage) => Buffer.from(m.body).toString("latin1");
const request = (body: Uint8Array) =>
  ({ kind: "request", agent, collective: "mcollective", body, ttl: 60, requestSeq: 1 }) as const;

describe("max_message_size over ActiveMQ", () => {
  beforeAll(async () => {
    await checkActiveMq(endpoint);
  });

  afterAll(async () => {
    await Promise.allSettled(opened.map((p) => p.instance.disconnect()));
    for (const p of opened) p.close();
  });

  it("drops a message over the limit with one WARN line and reads on", async () => {
    const daemon = await peer(`size-node-${agent}`, "server", { max_message_size: "64k" });
    await daemon.connector.subscribe({ kind: "broadcast", agent, collective: "mcollective" });
    await daemon.connector.connect({ timeoutMs: 10_000 });
    const client = await peer(`size-client-${agent}`, "client");
    await client.connector.connect({ timeoutMs: 10_000 });
    await until(() => {
      void client.connector.publish(request(Buffer.from("probe")));
      return daemon.received.find((m) => text(m) === "probe");
    }, "the daemon's subscription");

    const before = daemon.lines().length;
    await client.connector.publish(request(Buffer.alloc(3 * 1024 * 1024, 0x41)));
    await client.connector.publish(request(Buffer.from("after the big one")));
    await until(() => daemon.received.find((m) => text(m) === "after the big one"), "the next message");
    const lines = daemon.lines().slice(before);
    expect(lines.filter((l) => l.includes("Dropped"))).toEqual([
      `warn Dropped a message of ${3 * 1024 * 1024} bytes to /topic/mcollective.${agent}.agent: over the limit of 65536 bytes (plugin.activemq.max_message_size)`,
    ]);
    expect(lines.filter((l) => /Disconnected|Connected to/.test(l))).toEqual([]);
    expect(daemon.received.filter((m) => m.body.length > 65536)).toEqual([]);
  });
});

/**
 * `plugin.rabbitmq.max_message_size` against the machine's RabbitMQ, over
 * STOMP and over AMQP: a message over the limit is dropped as it arrives with
 * one WARN line naming size, limit and destination, the connection reads on
 * (the next message arrives, nothing reconnects), a message at the limit
 * arrives byte for byte, and a value that is not a size is refused.
 */
import { randomBytes } from "node:crypto";
import { ConfigError, type InboundMessage } from "@phobos/core";
import { DEFAULT_MAX_MESSAGE_BYTES } from "@phobos/stomp-client";
import { eventually } from "@phobos/testing";
import { describe, expect, it } from "vitest";
import { useTestVhost } from "./__fixtures__/test-vhost.js";

const { peer } = useTestVhost("phobos-size-test", "max_message_size tests");
const until = <T>(probe: () => T | undefined, what: string) => eventually(probe, what, 20_000, 20);

const text = (m: InboundMessage) => Buffer.from(m.body).toString("latin1");
const request = (body: Uint8Array) =>
  ({ kind: "request", agent: "rpcutil", collective: "mcollective", body, ttl: 60, requestSeq: 1 }) as const;

const variants = [
  { transport: "stomp", name: "STOMP 1.0", extra: {} },
  // Heart-beats make it STOMP 1.1: escaped headers, and EOLs between frames.
  { transport: "stomp", name: "STOMP 1.1", extra: { heartbeat_interval: "30" } },
  { transport: "amqp", name: "AMQP", extra: {} },
] as const;

for (const { transport, name: variant, extra } of variants) {
  describe(`max_message_size over ${variant}`, () => {
    // Above RabbitMQ's frame_max (128 KiB): a message at the limit spans several AMQP body frames.
    const LIMIT = 200 * 1024;

    /** A daemon with the limit and a client, the daemon's broadcast queue known to be bound. */
    async function pair() {
      const server = await peer(transport, `size-server-${transport}`, "server", {
        max_message_size: "200k",
        ...extra,
      });
      await server.connector.subscribe({ kind: "broadcast", agent: "rpcutil", collective: "mcollective" });
      await server.connector.connect();
      const client = await peer(transport, `size-client-${transport}`, "client");
      await client.connector.connect();
      const probe = `probe-${randomBytes(4).toString("hex")}`;
      await until(() => {
        void client.connector.publish(request(Buffer.from(probe)));
        return server.received.find((m) => text(m) === probe);
      }, "the daemon's subscription");
      return { server, client };
    }

    it("drops a message over the limit with one WARN line and reads on", async () => {
      const { server, client } = await pair();
      const before = server.lines().length;
      // 3 MiB: many TCP reads over STOMP, many body frames over AMQP.
      await client.connector.publish(request(Buffer.alloc(3 * 1024 * 1024, 0x41)));
      await client.connector.publish(request(Buffer.from("after the big one")));
      await until(() => server.received.find((m) => text(m) === "after the big one"), "the next message");
      const lines = server.lines().slice(before);
      expect(lines.filter((l) => l.includes("Dropped"))).toEqual([
        `warn Dropped a message of ${3 * 1024 * 1024} bytes to /exchange/mcollective_broadcast/rpcutil: over the limit of ${LIMIT} bytes (plugin.rabbitmq.max_message_size)`,
      ]);
      expect(lines.filter((l) => /Disconnected|Connected to/.test(l))).toEqual([]);
      expect(server.received.filter((m) => m.body.length > LIMIT)).toEqual([]);
    });

    it("delivers a message of exactly the limit byte for byte", async () => {
      const { server, client } = await pair();
      const body = randomBytes(LIMIT);
      await client.connector.publish(request(body));
      const got = await until(() => server.received.find((m) => m.body.length === LIMIT), "the message");
      expect(Buffer.from(got.body).equals(body)).toBe(true);
      expect(server.lines().filter((l) => l.includes("Dropped"))).toEqual([]);
    });
  });
}

describe("the max_message_size setting", () => {
  it("defaults to 4 MiB, the embedded broker's frame limit", () => {
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(4 * 1024 * 1024);
  });

  it("refuses a value that is not a positive size, naming the key", async () => {
    for (const [value, transport] of [
      ["lots", "stomp"],
      ["0", "amqp"],
      ["-1m", "stomp"],
      ["4t", "amqp"],
    ] as const) {
      const error = await peer(transport, "bad-size", "server", { max_message_size: value }).catch(
        (err: Error) => err,
      );
      // Re-tagged with the plugin and hook on its way out of create(), the ConfigError kept as the cause.
      expect((error as Error).cause).toEqual(
        new ConfigError(
          `'${value}' is not a size: give a positive number of bytes, optionally with k, m or g (4m is 4194304)`,
          { key: "plugin.rabbitmq.max_message_size" },
        ),
      );
      expect((error as Error).cause).toBeInstanceOf(ConfigError);
    }
  });
});

/**
 * `plugin.rabbitmq.transport = amqp` with the real binaries: on one RabbitMQ
 * vhost, a Phobos daemon speaking STOMP, one speaking AMQP 0-9-1 and Debian's
 * Ruby daemon all answer the same mco, whether that mco is Ruby's, Phobos's
 * over STOMP or Phobos's over AMQP. Replies cross the protocols both ways:
 * the AMQP daemon answers STOMP clients' temp queues, the STOMP daemons answer
 * the AMQP client's reply queue.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type RubyFleet, startRubyFleet, writeClientConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const NODES = ["phobos-amqp", "phobos-stomp", "ruby1"];
let fleet: RubyFleet;
let amqpClientConfig: string;

beforeAll(async () => {
  fleet = await startRubyFleet({ vhostPrefix: "phobos-amqp", nodes: [{ identity: "ruby1" }] });
  // The AMQP port from RabbitMQ itself, as the fleet finds the STOMP one.
  const overview = await fleet.admin.overview();
  const amqpPort = overview.listeners.find((l) => l.protocol === "amqp")?.port;
  if (amqpPort === undefined)
    throw new Error("RabbitMQ has no AMQP listener: run `sh tooling/scripts/provision.sh`");
  const amqp = { "plugin.rabbitmq.transport": "amqp", "plugin.rabbitmq.pool.1.port": String(amqpPort) };
  await fleet.addNodes([
    { identity: "phobos-stomp", implementation: "phobos" },
    { identity: "phobos-amqp", implementation: "phobos", extra: amqp },
  ]);
  amqpClientConfig = await writeClientConfig(join(fleet.dir, "client-amqp"), {
    ...fleet.clientConfigOptions,
    identity: "amqp-client",
    extra: amqp,
  });
});

afterAll(async () => {
  await fleet?.dispose();
});

function pingers(stdout: string): string[] {
  return stdout
    .split("\n")
    .flatMap((l) => /^(\S+)\s+time=[\d.]+ ms$/.exec(l)?.[1] ?? [])
    .sort();
}

const clients = [
  { name: "the Ruby mco (STOMP)", implementation: "ruby" as const, amqp: false },
  { name: "the Phobos mco over STOMP", implementation: "phobos" as const, amqp: false },
  { name: "the Phobos mco over AMQP", implementation: "phobos" as const, amqp: true },
];

describe("STOMP and AMQP daemons on one RabbitMQ vhost", () => {
  it("the AMQP daemon is connected over AMQP, the STOMP one over STOMP", async () => {
    const log = (identity: string) => readFile(fleet.node(identity).logFile, "utf8");
    // The broker may see the subscriptions a moment before the log line is written.
    await vi.waitFor(
      async () => {
        expect(await log("phobos-amqp")).toMatch(/Connected to amqp:\/\/\S+@127\.0\.0\.1:\d+/);
        expect(await log("phobos-stomp")).toMatch(/Connected to stomp:\/\/\S+@127\.0\.0\.1:\d+/);
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  for (const client of clients) {
    it(`${client.name}: mco ping is answered by all three daemons`, async () => {
      const r = await fleet.mco(["ping", "-t", "2"], {
        implementation: client.implementation,
        ...(client.amqp ? { configFile: amqpClientConfig } : {}),
      });
      expect(r.code, r.stderr).toBe(0);
      expect(pingers(r.stdout)).toEqual(NODES);
    });

    it(`${client.name}: mco rpc rpcutil ping gets a reply from each`, async () => {
      const r = await fleet.mco(["rpc", "rpcutil", "ping", "--dt", "2", "-j"], {
        implementation: client.implementation,
        ...(client.amqp ? { configFile: amqpClientConfig } : {}),
      });
      expect(r.code, r.stderr).toBe(0);
      const results = JSON.parse(r.stdout) as {
        sender: string;
        statuscode: number;
        data: { pong?: number };
      }[];
      expect(results.map((x) => [x.sender, x.statuscode]).sort()).toEqual(NODES.map((n) => [n, 0]));
      for (const x of results) expect(typeof x.data.pong).toBe("number");
    });
  }
});

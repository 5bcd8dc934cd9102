/**
 * A message far over the size limit against real daemons on a real RabbitMQ
 * vhost: 40 MiB broadcasts reach a Phobos daemon reading STOMP and one
 * reading AMQP 0-9-1. Each drops it as the bytes arrive, with one log line
 * naming size, limit and destination, without its peak memory (VmHWM from
 * /proc) growing by more than a small multiple of the message or keeping any
 * of three such messages, and answers a ping afterwards on the same connection.
 */
import { readFile, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { type RubyFleet, startRubyFleet } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, logLines, logSize } from "./test-support/daemon.js";
import { openFleetClient } from "./test-support/fleet.js";
import type { RawClient } from "./test-support/raw-client.js";

const MiB = 1024 * 1024;
const BIG = 40 * MiB;
/** More than the one a freed-but-resident heap can hide: holding them would show as 120 MiB. */
const BROADCASTS = 3;
const STOMP = "phobos-stomp";
const AMQP = "phobos-amqp";
const NODES = [AMQP, STOMP];

let fleet: RubyFleet;
let client: RawClient;

beforeAll(async () => {
  fleet = await startRubyFleet({ vhostPrefix: "phobos-large-message", nodes: [] });
  const overview = await fleet.admin.overview();
  const amqpPort = overview.listeners.find((l) => l.protocol === "amqp")?.port;
  if (amqpPort === undefined)
    throw new Error("RabbitMQ has no AMQP listener: run `sh tooling/scripts/provision.sh`");
  await fleet.addNodes([
    { identity: STOMP, implementation: "phobos" },
    {
      identity: AMQP,
      implementation: "phobos",
      extra: { "plugin.rabbitmq.transport": "amqp", "plugin.rabbitmq.pool.1.port": String(amqpPort) },
    },
  ]);
  client = await openFleetClient(fleet, "large-message-client");
}, 120_000);

afterAll(async () => {
  await client?.close();
  await fleet?.dispose();
});

/** `VmRSS`/`VmHWM` of a process, in bytes. */
async function memory(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(m[1]) * 1024;
  };
  return { rss: kib("VmRSS"), hwm: kib("VmHWM") };
}

/** Makes VmHWM start again from the current RSS (Linux: `echo 5 > clear_refs`). */
async function resetPeak(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, "5");
}

const mb = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

/** The RSS once it is below `below`, or the last reading after a minute. */
async function settledRss(pid: number, below: number): Promise<number> {
  let rss = (await memory(pid)).rss;
  for (let i = 0; i < 120 && rss >= below; i++) {
    await sleep(500);
    rss = (await memory(pid)).rss;
  }
  return rss;
}

describe("a 40 MiB message is dropped as it arrives, by the STOMP and the AMQP transport", () => {
  it("both daemons answer a ping before it", async () => {
    expect(await client.pingAll(NODES)).toEqual(NODES);
  });

  it("three broadcasts of 40 MiB: one log line each, peak RSS under idle + 4x the message, none of them kept, a ping answered after", async () => {
    const nodes = NODES.map((identity) => fleet.node(identity));
    const from = new Map<string, number>();
    const idle = new Map<string, number>();
    for (const node of nodes) {
      from.set(node.identity, await logSize(node.logFile));
      await resetPeak(node.pid);
      idle.set(node.identity, (await memory(node.pid)).rss);
    }

    const dropped =
      /WARN -- : connector\/rabbitmq Dropped a message of 41943040 bytes to \/exchange\/mcollective_broadcast\/rpcutil: over the limit of 4194304 bytes \(plugin\.rabbitmq\.max_message_size\)$/;
    for (let sent = 1; sent <= BROADCASTS; sent++) {
      // Garbage, not a request: the size check must come before anything looks at the bytes.
      await client.sendBytes("rpcutil", Buffer.alloc(BIG, 0x41));
      for (const node of nodes) {
        await eventually(
          async () =>
            (await logLines(node.logFile, dropped, from.get(node.identity) ?? 0)).length >= sent
              ? true
              : undefined,
          `${node.identity}'s log line for broadcast ${sent}`,
          120_000,
          200,
        );
      }
    }
    // Still connected on the same socket, and still answering.
    expect(await client.pingAll(NODES)).toEqual(NODES);

    const figures: string[] = [];
    for (const node of nodes) {
      const start = from.get(node.identity) ?? 0;
      expect(await logLines(node.logFile, /Dropped a message/, start)).toHaveLength(BROADCASTS);
      expect(await logLines(node.logFile, /Disconnected from|Failed to handle message/, start)).toEqual([]);
      const { hwm } = await memory(node.pid);
      const base = idle.get(node.identity) ?? 0;
      expect(hwm, `${node.identity}'s peak RSS`).toBeLessThan(base + 4 * BIG);
      // Nothing of the messages is kept: a daemon that held them would sit
      // BROADCASTS x 40 MiB above idle. One message's worth may stay resident
      // (freed, but when pages go back to the system is the allocator's
      // choice: glibc keeps the chunks amqplib's frames were read into), and
      // the next message reuses it, so the bound is two messages, not one.
      const rss = await settledRss(node.pid, base + 2 * BIG);
      figures.push(
        `${node.identity}: idle ${mb(base)}, peak ${mb(hwm)} (+${mb(hwm - base)}), after ${mb(rss)}`,
      );
      expect(rss, `${node.identity}'s RSS after`).toBeLessThan(base + 2 * BIG);
    }
    console.log(`${BROADCASTS} broadcasts of 40 MiB: ${figures.join("; ")}`);
  }, 400_000);

  it("a message under the limit still reaches the daemon's checks", async () => {
    const node = fleet.node(STOMP);
    const from = await logSize(node.logFile);
    await client.sendBytes("rpcutil", Buffer.alloc(3 * MiB, 0x41), { nodes: [STOMP] });
    await eventually(
      async () =>
        (await logLines(node.logFile, /Failed to handle message from large-message-client/, from))[0],
      "the daemon's refusal of 3 MiB of garbage",
      60_000,
    );
    expect(await logLines(node.logFile, /Dropped a message/, from)).toEqual([]);
  });
});

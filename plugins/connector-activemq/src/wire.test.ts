/**
 * What the connector puts on the wire, checked on the provisioned ActiveMQ
 * (tooling/scripts/provision.sh, STOMP 61614) from the broker's side: the
 * consumers it records for each SUBSCRIBE (its consumer advisories, selector
 * included) and the headers it delivers with each message. Logged in as the
 * `mcollective` user, on the `mcollective` collective, with identities
 * unique to this run so parallel runs do not meet.
 */
import { randomBytes } from "node:crypto";
import type { Connector, InboundMessage } from "@phobos/core";
import { activeMqFromEnv, type ConsumerWatch, checkActiveMq, watchConsumers } from "@phobos/interop";
import { openPlugin } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import activemq from "./connector.js";

const endpoint = activeMqFromEnv();
const run = randomBytes(3).toString("hex");
const settings = (extra: Record<string, string> = {}) => ({
  "pool.size": "1",
  "pool.1.host": endpoint.host,
  "pool.1.port": String(endpoint.port),
  "pool.1.user": endpoint.user,
  "pool.1.password": endpoint.password,
  ...extra,
});

interface Peer {
  connector: Connector;
  received: InboundMessage[];
  errors: () => string[];
  close: () => void;
}

const opened: Peer[] = [];

async function peer(
  identity: string,
  mode: "client" | "server",
  extra: Record<string, string> = {},
): Promise<Peer> {
  const plugin = await openPlugin({ definition: activemq, settings: settings(extra) }, mode, identity);
  const received: InboundMessage[] = [];
  plugin.instance.onMessage((m) => received.push(m));
  await plugin.instance.connect({ timeoutMs: 10_000 });
  const p: Peer = {
    connector: plugin.instance,
    received,
    errors: () => plugin.log.lines.filter((l) => l.level === "error").map((l) => l.message),
    close: plugin.close,
  };
  opened.push(p);
  return p;
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const text = (m: InboundMessage) => Buffer.from(m.body).toString("latin1");

describe("on the wire, against the provisioned ActiveMQ", () => {
  let watch: ConsumerWatch;

  beforeAll(async () => {
    await checkActiveMq(endpoint);
    watch = await watchConsumers(endpoint);
  });

  afterAll(async () => {
    await Promise.allSettled(opened.map((p) => p.connector.disconnect()));
    for (const p of opened) p.close();
    await watch?.close();
  });

  it("a daemon consumes its agents' topics and the nodes queue with its identity's selector", async () => {
    const identity = `wire-node-${run}`;
    const daemon = await peer(identity, "server");
    await daemon.connector.subscribe({ kind: "directed", collective: "mcollective" });
    await daemon.connector.subscribe({ kind: "broadcast", agent: `wire_${run}`, collective: "mcollective" });
    const connection = await watch.nodeReady({
      identity,
      collectives: ["mcollective"],
      agents: [`wire_${run}`],
    });
    const mine = watch.consumers().filter((c) => c.connectionId === connection);
    expect(mine.map((c) => [c.destination, c.selector ?? null]).sort()).toEqual([
      ["queue://mcollective.nodes", `mc_identity = '${identity}'`],
      [`topic://mcollective.wire_${run}.agent`, null],
    ]);
  });

  it("requests and replies arrive with Ruby's headers; the reply queue is subscribed, then let go", async () => {
    const identity = `wire-daemon-${run}`;
    const clientId = `wire-client-${run}`;
    const agent = `hdr_${run}`;
    const daemon = await peer(identity, "server");
    const client = await peer(clientId, "client", { priority: "7" });
    await daemon.connector.subscribe({ kind: "directed", collective: "mcollective" });
    await daemon.connector.subscribe({ kind: "broadcast", agent, collective: "mcollective" });
    await watch.nodeReady({ identity, collectives: ["mcollective"], agents: [agent] });

    const reply = { kind: "reply" as const, agent, collective: "mcollective", requestSeq: 5 };
    const replyQueue = `mcollective.reply.${clientId}_${process.pid}.5`;
    await client.connector.subscribe(reply);
    await watch.until(
      (cs) => cs.find((c) => c.destination === `queue://${replyQueue}`),
      `no consumer on ${replyQueue}`,
    );

    const sentAt = Math.floor(Date.now() / 1000);
    const base = { agent, collective: "mcollective", ttl: 45, requestSeq: 5 };
    await client.connector.publish({ ...base, kind: "request", body: Buffer.from("broadcast\0body") });
    await client.connector.publish({
      ...base,
      kind: "direct_request",
      nodes: [identity],
      body: Buffer.from("direct"),
    });
    const broadcast = await until(
      () => daemon.received.find((m) => text(m) === "broadcast\0body"),
      "no broadcast",
    );
    const direct = await until(
      () => daemon.received.find((m) => text(m) === "direct"),
      "no directed request",
    );

    const expires = (h: Readonly<Record<string, string>>) => Number(h.expires) - Number(h.timestamp);
    for (const m of [broadcast, direct]) {
      expect(m.headers["reply-to"]).toBe(`/queue/${replyQueue}`);
      expect(m.headers.mc_sender).toBe(clientId);
      expect(m.headers.priority).toBe("7");
      expect(Number(m.headers.timestamp) % 1000).toBe(0);
      expect(Number(m.headers.timestamp) / 1000).toBeGreaterThanOrEqual(sentAt);
      expect(expires(m.headers)).toBe((45 + 10) * 1000);
    }
    expect(broadcast.headers.destination).toBe(`/topic/mcollective.${agent}.agent`);
    expect(broadcast.headers.mc_identity).toBeUndefined();
    expect(direct.headers.destination).toBe("/queue/mcollective.nodes");
    expect(direct.headers.mc_identity).toBe(identity);

    await daemon.connector.publish({ kind: "reply", body: Buffer.from("pong"), ttl: 60, request: broadcast });
    const back = await until(() => client.received.find((m) => text(m) === "pong"), "no reply");
    expect(back.headers.destination).toBe(`/queue/${replyQueue}`);
    expect(back.headers.mc_sender).toBe(identity);
    expect(back.headers["reply-to"]).toBeUndefined();
    expect(expires(back.headers)).toBe(70_000);

    await client.connector.unsubscribe(reply);
    await watch.until(
      (cs) => (cs.some((c) => c.destination === `queue://${replyQueue}`) ? undefined : true),
      `the consumer on ${replyQueue} stays after unsubscribing`,
    );
  });

  it("a destination the broker's authorization map refuses is logged with what to configure", async () => {
    const daemon = await peer(`wire-denied-${run}`, "server", {
      initial_reconnect_delay: "0.5",
      max_reconnect_delay: "2",
    });
    await daemon.connector.subscribe({ kind: "broadcast", agent: "rpcutil", collective: `forbidden_${run}` });
    const error = await until(
      () => daemon.errors().find((e) => e.includes(`forbidden_${run}`)),
      "no error logged for the refused subscription",
    );
    expect(error).toMatch(
      new RegExp(
        `ActiveMQ sent an ERROR frame .*not authorized to read from: topic://forbidden_${run}\\.rpcutil\\.agent .*MCollective needs read, write and admin`,
      ),
    );
  });
});

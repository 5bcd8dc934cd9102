/**
 * Pool failover between two real ActiveMQ brokers (Debian's 5.17, each
 * started by this file on a port of its own): a daemon and a client with
 * `pool.size = 2` both use the first broker; stopping it moves both to the
 * second, where the daemon subscribes again (its directed selector included,
 * as the second broker's consumer advisories show) and a request gets its
 * reply. The brokers are not networked: failover, not clustering.
 */
import type { Connector, InboundMessage } from "@phobos/core";
import { type PrivateActiveMq, startPrivateActiveMq, watchConsumers } from "@phobos/interop";
import { openPlugin } from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import activemq from "./connector.js";

interface Peer {
  connector: Connector;
  received: InboundMessage[];
  states: string[];
  close: () => void;
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

describe("a pool of two ActiveMQ brokers", () => {
  let first: PrivateActiveMq | undefined;
  let second: PrivateActiveMq | undefined;
  const peers: Peer[] = [];

  beforeAll(async () => {
    [first, second] = await Promise.all([startPrivateActiveMq(), startPrivateActiveMq()]);
  });

  afterAll(async () => {
    await Promise.allSettled(peers.map((p) => p.connector.disconnect()));
    for (const p of peers) p.close();
    await Promise.allSettled([first?.dispose(), second?.dispose()]);
  });

  async function peer(identity: string, mode: "client" | "server"): Promise<Peer> {
    const a = first as PrivateActiveMq;
    const b = second as PrivateActiveMq;
    const settings = {
      "pool.size": "2",
      "pool.1.host": "127.0.0.1",
      "pool.1.port": String(a.port),
      "pool.1.user": "mcollective",
      "pool.1.password": a.endpoint.password,
      "pool.2.host": "127.0.0.1",
      "pool.2.port": String(b.port),
      "pool.2.user": "mcollective",
      "pool.2.password": b.endpoint.password,
      initial_reconnect_delay: "0.05",
      max_reconnect_delay: "0.5",
    };
    const plugin = await openPlugin({ definition: activemq, settings }, mode, identity);
    const p: Peer = { connector: plugin.instance, received: [], states: [], close: plugin.close };
    plugin.instance.onMessage((m) => p.received.push(m));
    plugin.instance.onStateChange?.((state) => p.states.push(state));
    await plugin.instance.connect({ timeoutMs: 10_000 });
    peers.push(p);
    return p;
  }

  it("stopping the broker in use moves daemon and client to the other; requests and replies go on", async () => {
    const a = first as PrivateActiveMq;
    const b = second as PrivateActiveMq;
    const daemon = await peer("failover-node", "server");
    const client = await peer("failover-client", "client");
    expect(daemon.connector.describe()).toBe(`stomp://mcollective@127.0.0.1:${a.port}`);
    expect(client.connector.describe()).toBe(`stomp://mcollective@127.0.0.1:${a.port}`);

    await daemon.connector.subscribe({ kind: "directed", collective: "mcollective" });
    await daemon.connector.subscribe({ kind: "broadcast", agent: "rpcutil", collective: "mcollective" });
    const onSecond = await watchConsumers(b.endpoint);
    try {
      const onFirst = await watchConsumers(a.endpoint);
      await onFirst
        .nodeReady({ identity: "failover-node", collectives: ["mcollective"], agents: ["rpcutil"] })
        .finally(() => onFirst.close());

      const exchange = async (tag: string) => {
        const base = { agent: "rpcutil", collective: "mcollective", ttl: 60, requestSeq: 1 };
        await client.connector.publish({
          ...base,
          kind: "direct_request",
          nodes: ["failover-node"],
          body: Buffer.from(tag),
        });
        const request = await until(
          () => daemon.received.find((m) => Buffer.from(m.body).toString() === tag),
          `the daemon did not get ${tag}`,
        );
        await daemon.connector.publish({ kind: "reply", body: Buffer.from(`re-${tag}`), ttl: 60, request });
        await until(
          () => client.received.find((m) => Buffer.from(m.body).toString() === `re-${tag}`),
          `the client did not get the reply to ${tag}`,
        );
      };
      await exchange("before");

      await a.stop();
      await onSecond.nodeReady({
        identity: "failover-node",
        collectives: ["mcollective"],
        agents: ["rpcutil"],
      });
      await until(
        () =>
          client.connector.describe().endsWith(`:${b.port}`) && client.states.at(-1) === "connected"
            ? true
            : undefined,
        "the client did not move to the second broker",
      );
      expect(daemon.connector.describe()).toBe(`stomp://mcollective@127.0.0.1:${b.port}`);
      for (const p of [daemon, client]) expect(p.states).toContain("reconnecting");
      await exchange("after");
    } finally {
      await onSecond.close();
    }
  });
});

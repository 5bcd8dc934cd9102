/**
 * An ActiveMQ network of brokers as MCollective's middleware guide draws it:
 * two Debian ActiveMQ brokers, the second holding a duplex pair of network
 * connectors (topics, queues) to the first. Real mcollectived daemons (two
 * Phobos, one Ruby) connect to broker 1, the clients (Phobos's and Ruby's
 * `mco`, a long-lived Phobos client) to broker 2: broadcast requests, directed
 * ones (`-I`, `--nodes`, discovery then direct addressing) and every reply
 * cross the bridge. Then each broker is restarted under a loop of requests.
 *
 * The brokers start once for the file (two JVMs on a loaded machine), on this
 * suite's own ports (ports.ts).
 */
import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Client, openClient } from "@phobos/client";
import {
  type ActiveMqEndpoint,
  type ActiveMqFleet,
  type PrivateActiveMq,
  type RubyFleetNode,
  startActiveMqFleet,
  watchConsumers,
  writeClientConfig,
} from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrokerNetwork, startBrokerNetwork } from "./broker-network.js";
import { type DaemonDemand, waitForDemand } from "./demand.js";
import { networkPorts } from "./ports.js";
import { startRequestLoop } from "./request-loop.js";
import { complete, describeRound, restartOutcome } from "./rounds.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** Collectives that cross the bridge (the network connectors include `<c>.>`). */
const NETWORKED = ["mcollective", "netsub"] as const;
/** The daemons are in it too, but it stays on broker 1 (the guide's destination filtering). */
const SITE_ONLY = "siteonly";
const NODES: readonly RubyFleetNode[] = [
  { identity: "net-phobos1", implementation: "phobos", facts: { role: "web" } },
  { identity: "net-phobos2", implementation: "phobos", facts: { role: "db" } },
  { identity: "net-ruby1", implementation: "ruby", facts: { role: "web" } },
];
const ALL = NODES.map((n) => n.identity).sort();
/** Ruby's defaults back off up to 30 s between attempts: keep the outage short. */
const FAST_RECONNECT = {
  "plugin.activemq.initial_reconnect_delay": 0.1,
  "plugin.activemq.max_reconnect_delay": 1,
};
/** Readiness waits: two JVMs and a fleet on a loaded two-core CI machine. */
const READY_MS = 120_000;

const pinged = (stdout: string) =>
  stdout
    .split("\n")
    .map((l) => /^(net-\S+)\s+time=/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined)
    .sort();

describe("an ActiveMQ network of brokers: daemons on broker 1, clients on broker 2", () => {
  let net: BrokerNetwork;
  let fleet: ActiveMqFleet;
  /** Client configs: pinned to one broker, or broker 2 with broker 1 as failover. */
  const configs = { onFirst: "", onSecond: "", failover: "" };
  let daemons: DaemonDemand[];

  const clientConfig = (name: string, pool: readonly ActiveMqEndpoint[]) =>
    writeClientConfig(join(fleet.dir, name), {
      ...fleet.clientConfigOptions,
      broker: {
        connector: "activemq",
        pool: pool.map((e) => ({ host: e.host, port: e.port, user: e.adminUser, password: e.adminPassword })),
      },
    });
  const mco = (implementation: "ruby" | "phobos", config: string, args: readonly string[]) =>
    fleet.mco(args, { implementation, configFile: config });

  beforeAll(async () => {
    net = await startBrokerNetwork({ ports: networkPorts(), collectives: NETWORKED });
    fleet = await startActiveMqFleet({
      nodes: NODES,
      endpoint: net.first.endpoint,
      failover: [net.second.endpoint],
      collectives: [...NETWORKED, SITE_ONLY],
      mainCollective: "mcollective",
      extra: FAST_RECONNECT,
      startTimeoutMs: READY_MS,
    });
    configs.onFirst = await clientConfig("client-b1", [net.first.endpoint]);
    configs.onSecond = await clientConfig("client-b2", [net.second.endpoint]);
    configs.failover = await clientConfig("client-failover", [net.second.endpoint, net.first.endpoint]);
    daemons = fleet.nodes.map((d) => ({ identity: d.identity, collectives: NETWORKED, agents: d.agents }));
    // The bridge carries a daemon's subscriptions to broker 2 as network consumers.
    await waitForDemand(net.second.endpoint, daemons, READY_MS);
  }, 300_000);

  afterAll(async () => {
    await fleet?.dispose();
    await net?.dispose();
  }, 120_000);

  describe.each(["phobos", "ruby"] as const)("%s mco on broker 2", (implementation) => {
    it("mco ping: the broadcast crosses to broker 1, every daemon's reply crosses back", async () => {
      const r = await mco(implementation, configs.onSecond, ["ping", "-t", "3"]);
      expect(r.code, r.stderr).toBe(0);
      expect(pinged(r.stdout)).toEqual(ALL);
    });

    it("mco rpc: discovery broadcast, then one directed request per node through <collective>.nodes", async () => {
      const r = await mco(implementation, configs.onSecond, ["rpc", "rpcutil", "ping", "--dt", "3", "--np"]);
      expect(r.code, r.stderr).toBe(0);
      for (const node of ALL) expect(r.stdout).toContain(node);
      expect(r.stdout).toMatch(/^Finished processing 3 \/ 3 hosts in/m);
    });

    it("mco rpc -I: only the named node answers (its mc_identity selector crossed the bridge)", async () => {
      const r = await mco(implementation, configs.onSecond, [
        "rpc",
        "rpcutil",
        "ping",
        "-I",
        "net-ruby1",
        "--dt",
        "3",
        "--np",
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Finished processing 1 \/ 1 hosts in/m);
      expect(r.stdout).toContain("net-ruby1");
      expect(r.stdout).not.toContain("net-phobos");
    });

    it("mco rpc --nodes: directed requests without discovery, one per listed node", async () => {
      const file = join(fleet.dir, `nodes-${implementation}.txt`);
      await writeFile(file, "net-phobos2\nnet-ruby1\n");
      const r = await mco(implementation, configs.onSecond, [
        "rpc",
        "rpcutil",
        "ping",
        "--nodes",
        file,
        "--np",
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Finished processing 2 \/ 2 hosts in/m);
      expect(r.stdout).not.toContain("net-phobos1");
    });

    it("a sub-collective in the network crosses too (-T netsub, -F role=web)", async () => {
      const r = await mco(implementation, configs.onSecond, [
        "rpc",
        "rpcutil",
        "ping",
        "-T",
        "netsub",
        "-F",
        "role=web",
        "--dt",
        "3",
        "--np",
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Finished processing 2 \/ 2 hosts in/m);
      expect(r.stdout).not.toContain("net-phobos2");
    });
  });

  it("a collective left out of the network connectors stays on its broker", async () => {
    const far = await mco("phobos", configs.onSecond, ["ping", "-T", SITE_ONLY, "-t", "2"]);
    expect(pinged(far.stdout)).toEqual([]);
    const near = await mco("phobos", configs.onFirst, ["ping", "-T", SITE_ONLY, "-t", "2"]);
    expect(near.code, near.stderr).toBe(0);
    expect(pinged(near.stdout)).toEqual(ALL);
  });

  describe("a broker restarted under a loop of requests", () => {
    let client: Client;

    beforeAll(async () => {
      // One long-lived client, on broker 2 with broker 1 as its failover.
      client = await openClient({
        config: configs.failover,
        appDir: join(ROOT, "apps/mco"),
        connectionTimeout: 60,
      });
    }, READY_MS);

    afterAll(async () => {
      await client?.close();
    });

    /**
     * Runs the loop, restarts `broker` once at least three requests came back
     * complete, keeps the loop going for 12 more requests after the broker is
     * back, and checks the rounds: no node ever answered a request twice;
     * once a request was complete again, so was every later one. Meanwhile it
     * waits for the bridge to carry every daemon's subscriptions to the
     * restarted broker again, and prints how long each step took.
     */
    async function restartUnderLoad(broker: PrivateActiveMq, label: string): Promise<void> {
      const loop = startRequestLoop(client.messaging, { nodes: ALL, intervalMs: 300, collectSeconds: 4 });
      let disruptedAt = 0;
      let backAt = 0;
      let bridgedAt = 0;
      const summary = () =>
        loop.rounds
          .map((r) => describeRound(r, ALL, disruptedAt || (loop.rounds[0]?.sentAt ?? 0)))
          .join("\n");
      try {
        const warm = Date.now() + READY_MS;
        while (loop.rounds.filter((r) => complete(r, ALL)).length < 3) {
          if (Date.now() > warm)
            throw new Error(`no three complete rounds before the restart:\n${summary()}`);
          await loop.sent(1);
        }
        disruptedAt = Date.now();
        await broker.stop();
        await broker.start();
        backAt = Date.now();
        // The daemons moved to the other broker: the restarted one reaches them only across the bridge.
        await Promise.all([
          waitForDemand(broker.endpoint, daemons, READY_MS).then(() => {
            bridgedAt = Date.now();
          }),
          loop.sent(12),
        ]);
      } finally {
        await loop.stop();
      }
      const rounds = loop.rounds;
      const outcome = restartOutcome(rounds, ALL, disruptedAt);
      const seconds = (ms: number | undefined) =>
        ms === undefined ? "never" : `${(ms / 1000).toFixed(1)} s`;
      console.log(
        `[activemq-network] ${label}: requests complete again ${seconds(outcome.recoveryMs)} after the stop; ` +
          `broker down ${seconds(backAt - disruptedAt)} (stop to STOMP listening again), ` +
          `bridge carrying every daemon again ${seconds(bridgedAt - backAt)} after that; ` +
          `${rounds.length} requests, ${outcome.after.length} after recovery, ${outcome.duplicates.length} duplicate replies`,
      );
      expect(outcome.duplicates, summary()).toEqual([]);
      expect(outcome.recovered, summary()).toBeDefined();
      expect(
        outcome.after.filter((r) => !complete(r, ALL)).map((r) => describeRound(r, ALL, disruptedAt)),
        summary(),
      ).toEqual([]);
      expect(outcome.after.filter((r) => r.sentAt >= backAt).length).toBeGreaterThanOrEqual(12);
    }

    /** Which broker holds each daemon's own connection (its directed and topic consumers together). */
    async function placement(): Promise<Record<string, string>> {
      const watches = await Promise.all(
        [net.first, net.second].map((b) => watchConsumers(b.endpoint, READY_MS)),
      );
      try {
        const where = await Promise.all(
          fleet.nodes.map((d) =>
            Promise.any(watches.map((w, i) => w.nodeReady(d, READY_MS).then(() => `broker ${i + 1}`))).then(
              (name) => [d.identity, name] as const,
            ),
          ),
        );
        return Object.fromEntries(where);
      } finally {
        await Promise.all(watches.map((w) => w.close()));
      }
    }

    const everyDaemonOn = (name: string) => Object.fromEntries(ALL.map((id) => [id, name]));

    it("broker 1 (the daemons') restarted: they fail over to broker 2; every later request is answered by every node, once", async () => {
      await restartUnderLoad(net.first, "broker 1 restarted");
      expect(await placement()).toEqual(everyDaemonOn("broker 2"));
      expect(client.messaging.connector.describe()).toBe(`stomp://admin@127.0.0.1:${net.second.port}`);
      // A client on the restarted broker reaches every daemon across the rebuilt bridge.
      for (const implementation of ["phobos", "ruby"] as const) {
        const r = await mco(implementation, configs.onFirst, ["ping", "-t", "3"]);
        expect(r.code, r.stderr).toBe(0);
        expect(pinged(r.stdout)).toEqual(ALL);
      }
    });

    it("broker 2 (the client's, holding the network connectors) restarted: client and daemons fail over to broker 1; the bridge comes back", async () => {
      await restartUnderLoad(net.second, "broker 2 restarted");
      expect(await placement()).toEqual(everyDaemonOn("broker 1"));
      expect(client.messaging.connector.describe()).toBe(`stomp://admin@127.0.0.1:${net.first.port}`);
      for (const implementation of ["phobos", "ruby"] as const) {
        const r = await mco(implementation, configs.onSecond, ["ping", "-t", "3"]);
        expect(r.code, r.stderr).toBe(0);
        expect(pinged(r.stdout)).toEqual(ALL);
      }
    });
  });
});

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

/** The identities in `mco ping` output (Ruby's and Phobos's print the same lines). */
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
  /** `mco rpc rpcutil ping … --np` from broker 2. */
  const rpcPing = (implementation: "ruby" | "phobos", args: readonly string[]) =>
    mco(implementation, configs.onSecond, ["rpc", "rpcutil", "ping", ...args, "--np"]);

  beforeAll(async () => {
    net = await startBrokerNetwork({
      ports: networkPorts(),
      collectives: NETWORKED,
      startTimeoutMs: READY_MS,
    });
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
      const r = await rpcPing(implementation, ["--dt", "3"]);
      expect(r.code, r.stderr).toBe(0);
      for (const node of ALL) expect(r.stdout).toContain(node);
      expect(r.stdout).toMatch(/^Finished processing 3 \/ 3 hosts in/m);
    });

    it("mco rpc -I: only the named node answers (its mc_identity selector crossed the bridge)", async () => {
      const r = await rpcPing(implementation, ["-I", "net-ruby1", "--dt", "3"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Finished processing 1 \/ 1 hosts in/m);
      expect(r.stdout).toContain("net-ruby1");
      expect(r.stdout).not.toContain("net-phobos");
    });

    it("mco rpc --nodes: directed requests without discovery, one per listed node", async () => {
      const file = join(fleet.dir, `nodes-${implementation}.txt`);
      await writeFile(file, "net-phobos2\nnet-ruby1\n");
      const r = await rpcPing(implementation, ["--nodes", file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Finished processing 2 \/ 2 hosts in/m);
      expect(r.stdout).not.toContain("net-phobos1");
    });

    it("a sub-collective in the network crosses too (-T netsub, -F role=web)", async () => {
      const r = await rpcPing(implementation, ["-T", "netsub", "-F", "role=web", "--dt", "3"]);
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
     * Runs the loop and restarts `broker` once three requests came back
     * complete. Recovery is what `survivor`'s consumer advisories show: every
     * daemon subscribed there again (its directed queue and every topic on its
     * own connection) and the client consuming a reply queue of a request made
     * after the stop. Every request sent after that point must be answered by
     * every node, and no request of the loop by any node twice. Meanwhile it
     * waits for the bridge to carry every daemon's subscriptions to the
     * restarted broker again, then sends 12 more requests; it prints how long
     * each step took.
     */
    async function restartUnderLoad(broker: PrivateActiveMq, survivor: PrivateActiveMq, label: string) {
      const loop = startRequestLoop(client.messaging, { nodes: ALL, intervalMs: 300, collectSeconds: 4 });
      const watch = await watchConsumers(survivor.endpoint, READY_MS);
      let disruptedAt = 0;
      let recoveredAt = Number.POSITIVE_INFINITY;
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
        const daemonsBack = Promise.all(fleet.nodes.map((d) => watch.nodeReady(d, READY_MS)));
        daemonsBack.catch(() => undefined);
        await broker.stop();
        // A reply queue of a later request consumed on the survivor is the client's
        // own: the bridge that carried its demand before went with the broker.
        const seq = client.messaging.sequence;
        const replies = `queue://mcollective.reply.${fleet.clientConfigOptions.identity}_${process.pid}.`;
        const clientBack = watch.until(
          (cs) =>
            cs.some(
              (c) => c.destination.startsWith(replies) && Number(c.destination.slice(replies.length)) > seq,
            )
              ? true
              : undefined,
          `the client did not consume a reply queue on broker ${survivor.port} after the stop`,
          READY_MS,
        );
        const recovered = Promise.all([daemonsBack, clientBack]).then(() => {
          recoveredAt = Date.now();
        });
        await broker.start();
        backAt = Date.now();
        // The restarted broker reaches the daemons (now on the survivor) only across the bridge.
        await Promise.all([
          recovered,
          waitForDemand(broker.endpoint, daemons, READY_MS).then(() => {
            bridgedAt = Date.now();
          }),
        ]);
        await loop.sent(12);
      } finally {
        await loop.stop();
        await watch.close();
      }
      const rounds = loop.rounds;
      const outcome = restartOutcome(rounds, ALL, disruptedAt, recoveredAt);
      const seconds = (ms: number | undefined) =>
        ms === undefined ? "never" : `${(ms / 1000).toFixed(1)} s`;
      console.log(
        `[activemq-network] ${label}: every daemon and the client subscribed on the other broker ` +
          `${seconds(recoveredAt - disruptedAt)} after the stop (first request answered by every node ` +
          `${seconds(outcome.firstCompleteMs)} after it); broker down ${seconds(backAt - disruptedAt)} ` +
          `(stop to STOMP listening again), bridge carrying every daemon again ${seconds(bridgedAt - backAt)} ` +
          `after that; ${rounds.length} requests, ${outcome.after.length} after recovery, ` +
          `${outcome.duplicates.length} duplicate replies`,
      );
      expect(outcome.duplicates, summary()).toEqual([]);
      expect(
        outcome.after.filter((r) => !complete(r, ALL)).map((r) => describeRound(r, ALL, disruptedAt)),
        summary(),
      ).toEqual([]);
      expect(outcome.after.length).toBeGreaterThanOrEqual(12);
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

    it.each([
      { restarted: 1, survivor: 2, whose: "the daemons'; they fail over to broker 2" },
      {
        restarted: 2,
        survivor: 1,
        whose: "the client's, holding the connectors; client and daemons fail over to broker 1",
      },
    ])(
      "broker $restarted restarted ($whose): every later request is answered by every node, once; the bridge comes back",
      async ({ restarted, survivor }) => {
        const brokers = [net.first, net.second];
        const broker = brokers[restarted - 1] as PrivateActiveMq;
        const other = brokers[survivor - 1] as PrivateActiveMq;
        await restartUnderLoad(broker, other, `broker ${restarted} restarted`);
        expect(await placement()).toEqual(everyDaemonOn(`broker ${survivor}`));
        expect(client.messaging.connector.describe()).toBe(`stomp://admin@127.0.0.1:${other.port}`);
        // A client on the restarted broker reaches every daemon across the rebuilt bridge.
        const pinned = restarted === 1 ? configs.onFirst : configs.onSecond;
        for (const implementation of ["phobos", "ruby"] as const) {
          const r = await mco(implementation, pinned, ["ping", "-t", "3"]);
          expect(r.code, r.stderr).toBe(0);
          expect(pinged(r.stdout)).toEqual(ALL);
        }
      },
    );
  });
});

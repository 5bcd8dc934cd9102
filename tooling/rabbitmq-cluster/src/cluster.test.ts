/**
 * A RabbitMQ cluster of three nodes (tooling/scripts/rabbitmq-cluster.sh, run
 * once for the file on its own ports) under real Phobos peers:
 *
 * - two mcollectived daemons connected only to nodes 2 and 3 answer `mco` on
 *   node 1 (broadcast, directed `-I`, the replies back);
 * - 1,000 simulated nodes (fleet-sim, two processes), each with the three
 *   nodes in its pool, randomized, and one long-lived client sending a loop of
 *   `rpcutil ping` requests: a node killed with `kill -9`, later a node cut off
 *   from the other two by iptables (three times, one node each). Each time
 *   every daemon on the lost node subscribes again on a live one, every
 *   request sent after that is answered by every node, no request by any node
 *   twice; the time to full recovery is printed; the node comes back (restart,
 *   heal), rejoins the cluster and an `mco` pinned to it reaches all 1,000.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { complete, describeRound, restartOutcome, startRequestLoop } from "@phobos/activemq-network";
import { type Client, openClient } from "@phobos/client";
import {
  type BrokerSettings,
  type RubyDaemon,
  runRubyMco,
  type SecuritySettings,
  startRubyDaemons,
  writeClientConfig,
  writeServerConfig,
} from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertPrerequisites,
  type ClusterNode,
  clusterCommand,
  clusterLayout,
  type NodeIndex,
  runClusterScript,
} from "./cluster.js";
import { daemonsPerNode, readPlacement, waitForSubscriptions } from "./placement.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const require = createRequire(import.meta.url);
const FLEET_SIM = resolve(dirname(require.resolve("@phobos/fleet-sim/package.json")), "bin/fleet-sim");

const layout = clusterLayout();
const FLEET = Number(process.env.PHOBOS_RABBITMQ_CLUSTER_FLEET ?? "1000");
const SIM_BASE = "rcnode";
const SIM_IDS = Array.from({ length: FLEET }, (_, i) => `${SIM_BASE}${i + 1}`);
const AGENTS = ["discovery", "rpcutil"];
/** Deadlines for readiness and recovery on a loaded two-core CI machine: guards against hangs, not speed. */
const READY_MS = 600_000;
const RECOVER_MS = 300_000;
/**
 * What a site with a cluster sets on every node and client: the pool, tried in
 * a random order so that the daemons spread over the nodes, and short
 * reconnect delays so that a lost node's daemons move at once.
 */
const RECONNECT = {
  "plugin.rabbitmq.randomize": "true",
  "plugin.rabbitmq.heartbeat_interval": 30,
  "plugin.rabbitmq.initial_reconnect_delay": 0.1,
  "plugin.rabbitmq.back_off_multiplier": 2,
  "plugin.rabbitmq.max_reconnect_delay": 2,
};

const env = {
  ...process.env,
  PHOBOS_RABBITMQ_CLUSTER_DIR: join(tmpdir(), "rabbit-cluster-test"),
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

describe("a RabbitMQ cluster of three nodes", () => {
  let dir: string;
  const security: SecuritySettings = {
    provider: "psk",
    psk: randomBytes(8).toString("hex"),
  };
  const broker = (nodes: readonly ClusterNode[]): BrokerSettings => ({
    connector: "rabbitmq",
    vhost: layout.vhost,
    pool: nodes.map((n) => ({
      host: "127.0.0.1",
      port: n.stompPort,
      user: layout.user,
      password: layout.password,
    })),
  });
  /** A client.cfg whose pool is `nodes`, in that order (no randomize: the first is the client's node). */
  const clientOn = (name: string, nodes: readonly ClusterNode[]) =>
    writeClientConfig(join(dir, name), {
      identity: `rc-${name}`,
      broker: broker(nodes),
      security,
      extra: { ...RECONNECT, "plugin.rabbitmq.randomize": "false" },
    });
  const mco = (configFile: string, args: readonly string[]) =>
    runRubyMco(args, {
      implementation: "phobos",
      configFile,
      timeoutMs: 300_000,
    });

  beforeAll(async () => {
    assertPrerequisites();
    dir = await mkdtemp(join(tmpdir(), "rabbit-cluster-"));
    // A cluster left by a killed run holds the ports and maybe iptables rules.
    await runClusterScript(["stop"], env);
    await clusterCommand(["start"], env);
  }, READY_MS);

  afterAll(async () => {
    const stopped = await runClusterScript(["stop"], env);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    if (stopped.code !== 0) throw new Error(`stopping the cluster failed:\n${stopped.output}`);
  }, READY_MS);

  it("joined: every node reports the three running, no partition; the exchanges exist once, cluster-wide", async () => {
    const status = await runClusterScript(["status"], env);
    expect(status.code, status.output).toBe(0);
    for (const node of layout.nodes) {
      const overview = await node.admin.overview();
      expect(overview.node).toBe(node.name);
      // Declared once on node 1 (phobos-rabbitmq-setup), seen from every node: durable, in the shared metadata.
      for (const [name, type] of [
        [`${layout.collective}_broadcast`, "topic"],
        [`${layout.collective}_directed`, "direct"],
      ] as const) {
        expect(await node.admin.getExchange(layout.vhost, name)).toMatchObject({
          name,
          type,
        });
      }
    }
  });

  describe("daemons on nodes 2 and 3 only, mco on node 1", () => {
    let daemons: RubyDaemon[];
    let onFirst: string;

    beforeAll(async () => {
      const [, second, third] = layout.nodes;
      daemons = await startRubyDaemons(
        [
          { identity: "rc-on-2", nodes: [second] },
          { identity: "rc-on-3", nodes: [third] },
        ].map(({ identity, nodes }) => ({
          identity,
          implementation: "phobos" as const,
          broker: broker(nodes),
          security,
          extra: RECONNECT,
          dir: join(dir, identity),
        })),
        { admin: layout.node(1).admin, startTimeoutMs: READY_MS },
      );
      onFirst = await clientOn("client-1", [layout.node(1)]);
    }, READY_MS);

    afterAll(async () => {
      await Promise.allSettled((daemons ?? []).map((d) => d.stop()));
    });

    it("each daemon's queues are on its own node", async () => {
      const p = await readPlacement(
        layout.node(1).admin,
        layout.vhost,
        layout.collective,
        layout.nodes.map((n) => n.name),
      );
      expect(Object.fromEntries(["rc-on-2", "rc-on-3"].map((id) => [id, p.directed.get(id)]))).toEqual({
        "rc-on-2": layout.node(2).name,
        "rc-on-3": layout.node(3).name,
      });
    });

    it("mco ping: the broadcast reaches both, both replies come back to node 1", async () => {
      const r = await mco(onFirst, ["ping", "-t", "5"]);
      expect(r.code, r.stderr).toBe(0);
      const names = r.stdout
        .split("\n")
        .map((l) => /^(rc-on-\d)\s+time=/.exec(l)?.[1])
        .filter((x) => x !== undefined)
        .sort();
      expect(names).toEqual(["rc-on-2", "rc-on-3"]);
    });

    it("mco rpc (discovery, then directed requests) and -I: only the named node answers", async () => {
      const all = await mco(onFirst, ["rpc", "rpcutil", "ping", "--dt", "5", "--np"]);
      expect(all.code, all.stderr).toBe(0);
      expect(all.stdout).toMatch(/^Finished processing 2 \/ 2 hosts in/m);
      for (const id of ["rc-on-2", "rc-on-3"]) {
        const one = await mco(onFirst, ["rpc", "rpcutil", "ping", "-I", id, "--dt", "5", "--np"]);
        expect(one.code, one.stderr).toBe(0);
        expect(one.stdout).toMatch(/^Finished processing 1 \/ 1 hosts in/m);
        expect(one.stdout).toContain(id);
        expect(one.stdout).not.toContain(id === "rc-on-2" ? "rc-on-3" : "rc-on-2");
      }
    });
  });

  describe(`faults under ${FLEET} simulated nodes and a loop of requests`, () => {
    let sim: ChildProcess | undefined;
    let client: Client;
    let nodesFile: string;
    /** The loop client's connection state, from its connector's own reports. */
    let clientState = "connected";

    beforeAll(async () => {
      const config = await writeServerConfig(join(dir, "sim"), {
        identity: SIM_BASE,
        broker: broker(layout.nodes),
        security,
        extra: RECONNECT,
      });
      nodesFile = join(dir, "nodes.txt");
      await writeFile(nodesFile, `${SIM_IDS.join("\n")}\n`);
      const started = Date.now();
      sim = spawn(
        process.execPath,
        [
          FLEET_SIM,
          ...["--count", String(FLEET), "--procs", "2", "--config", config],
          ...["--ready-timeout", "540", "--loglevel", "error"],
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      const child = sim;
      await new Promise<void>((ready, fail) => {
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
          if (!line.startsWith('{"ready"')) return;
          const r = JSON.parse(line) as { ready: number };
          if (r.ready === FLEET) ready();
          else fail(new Error(`fleet-sim: only ${r.ready} of ${FLEET} nodes answered: ${line}`));
        });
        child.once("exit", (code) => fail(new Error(`fleet-sim exited with ${code} before it was ready`)));
      });
      const placed = await waitForSubscriptions({
        admin: () => layout.node(1).admin,
        vhost: layout.vhost,
        collective: layout.collective,
        liveNodes: layout.nodes.map((n) => n.name),
        identities: SIM_IDS,
        agents: AGENTS,
        timeoutMs: READY_MS,
      });
      console.log(
        `[rabbitmq-cluster] ${FLEET} simulated nodes up in ${seconds(Date.now() - started)}, per node ` +
          `${JSON.stringify(daemonsPerNode(placed, SIM_IDS))} (load average ${load()})`,
      );
      client = await openClient({
        config: await clientOn("loop", layout.nodes),
        appDir: join(ROOT, "apps/mco"),
        connectionTimeout: 60,
      });
      client.messaging.connector.onStateChange?.((state) => {
        clientState = state;
      });
    }, READY_MS + 60_000);

    afterAll(async () => {
      await client?.close();
      if (sim !== undefined && sim.exitCode === null && sim.signalCode === null) {
        const gone = new Promise((r) => sim?.once("exit", r));
        sim.kill("SIGTERM");
        await gone;
      }
    }, 120_000);

    /** The node the loop's client is connected to, from its connector's description. */
    const clientNode = (): ClusterNode | undefined =>
      layout.nodes.find((n) => client.messaging.connector.describe().endsWith(`:${n.stompPort}`));

    /**
     * Runs the loop, disrupts `lost` once three requests came back complete,
     * waits until every daemon is subscribed on the two other nodes and the
     * client is connected to one of them, sends 8 more requests, then brings
     * the node back with `restore` (also when something failed).
     */
    async function underLoad(
      label: string,
      lost: NodeIndex,
      disrupt: () => Promise<unknown>,
      restore: () => Promise<unknown>,
    ) {
      const live = layout.nodes.filter((n) => n.index !== lost);
      const loop = startRequestLoop(client.messaging, {
        nodes: SIM_IDS,
        intervalMs: 1500,
        collectSeconds: 10,
      });
      let disruptedAt = 0;
      let recoveredAt = Number.POSITIVE_INFINITY;
      let restoredMs = 0;
      const summary = () =>
        loop.rounds
          .map((r) => describeRound(r, SIM_IDS, disruptedAt || (loop.rounds[0]?.sentAt ?? 0)))
          .join("\n");
      const before = await readPlacement(
        layout.node(1).admin,
        layout.vhost,
        layout.collective,
        layout.nodes.map((n) => n.name),
      );
      const onLost = SIM_IDS.filter((id) => before.directed.get(id) === layout.node(lost).name).length;
      const clientWasOn = clientNode()?.index;
      let placedAfter: Record<string, number> = {};
      try {
        const warm = Date.now() + RECOVER_MS;
        while (loop.rounds.filter((r) => complete(r, SIM_IDS)).length < 3) {
          if (Date.now() > warm) throw new Error(`no three complete rounds before the fault:\n${summary()}`);
          await loop.sent(1);
        }
        disruptedAt = Date.now();
        await disrupt();
        const placed = await waitForSubscriptions({
          admin: () => (live[0] as ClusterNode).admin,
          vhost: layout.vhost,
          collective: layout.collective,
          liveNodes: live.map((n) => n.name),
          identities: SIM_IDS,
          agents: AGENTS,
          timeoutMs: RECOVER_MS,
        });
        placedAfter = daemonsPerNode(placed, SIM_IDS);
        const clientDeadline = Date.now() + RECOVER_MS;
        while (!live.some((n) => n === clientNode()) || clientState !== "connected") {
          if (Date.now() > clientDeadline) {
            throw new Error(
              `the client did not reconnect to a live node: ${client.messaging.connector.describe()}`,
            );
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        recoveredAt = Date.now();
        await loop.sent(8);
      } finally {
        await loop.stop();
        const restoring = Date.now();
        await restore();
        restoredMs = Date.now() - restoring;
      }
      const rounds = loop.rounds;
      const outcome = restartOutcome(rounds, SIM_IDS, disruptedAt, recoveredAt);
      console.log(
        `[rabbitmq-cluster] ${label}: ${onLost} daemons were on node ${lost}` +
          `${clientWasOn === lost ? " with the client" : ""}; every daemon subscribed on a live node ` +
          `${seconds(recoveredAt - disruptedAt)} after the fault (${JSON.stringify(placedAfter)}); first request ` +
          `answered by all ${FLEET} ${outcome.firstCompleteMs === undefined ? "never" : seconds(outcome.firstCompleteMs)} ` +
          `after it; node ${lost} back in the cluster ${seconds(restoredMs)} after the restore began; ` +
          `${rounds.length} requests, ${outcome.after.length} after recovery, ${outcome.duplicates.length} duplicate ` +
          `replies (load average ${load()})`,
      );
      expect(outcome.duplicates, summary()).toEqual([]);
      expect(
        outcome.after.filter((r) => !complete(r, SIM_IDS)).map((r) => describeRound(r, SIM_IDS, disruptedAt)),
        summary(),
      ).toEqual([]);
      expect(outcome.after.length).toBeGreaterThanOrEqual(8);
      expect(placedAfter[layout.node(lost).name]).toBeUndefined();
    }

    /** The node is back: the cluster whole, and an mco pinned to it reaches every simulated node. */
    async function usableAgain(index: NodeIndex) {
      const status = await runClusterScript(["status"], env);
      expect(status.code, status.output).toBe(0);
      const pinned = await clientOn(`pinned-${index}`, [layout.node(index)]);
      const r = await mco(pinned, ["rpc", "rpcutil", "ping", "--nodes", nodesFile, "--np", "-t", "20"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Finished processing ${FLEET} / ${FLEET} hosts in`, "m"));
    }

    it(
      "kill -9 of node 2: its daemons move to nodes 1 and 3, every later request answered by all, once; node 2 restarted rejoins",
      async () => {
        await underLoad(
          "node 2 killed (kill -9)",
          2,
          () => clusterCommand(["kill", "2"], env),
          () => clusterCommand(["restart", "2"], env),
        );
        await usableAgain(2);
      },
      RECOVER_MS * 3,
    );

    it.each([3, 1, 2] as const)(
      "node %i cut off by iptables (pause_minority): its daemons move, every later request answered by all, once; healed, it rejoins",
      async (lost) => {
        try {
          await underLoad(
            `node ${lost} partitioned (iptables)`,
            lost,
            () => clusterCommand(["partition", String(lost)], env),
            () => clusterCommand(["heal", String(lost)], env),
          );
        } finally {
          // The rules must never outlive the test, whatever failed.
          await runClusterScript(["heal"], env);
        }
        await usableAgain(lost);
      },
      RECOVER_MS * 3,
    );
  });
});

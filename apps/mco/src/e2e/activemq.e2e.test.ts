/**
 * `connector = activemq`: a mixed fleet (Debian's Ruby mcollectived beside
 * Phobos's) on a real ActiveMQ, answering both mco binaries; then a broker
 * restart under a running fleet.
 *
 * The first part uses the provisioned broker (STOMP 61614) with a collective
 * of its own. The restart part starts a private ActiveMQ: restarting the
 * shared one would break every other test running at the same time.
 */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type ActiveMqFleet,
  type PrivateActiveMq,
  phobosCommand,
  type RubyFleetNode,
  startActiveMqFleet,
  startPrivateActiveMq,
  watchConsumers,
} from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const NODES: readonly RubyFleetNode[] = [
  { identity: "amq-ruby1", implementation: "ruby", facts: { role: "web" } },
  { identity: "amq-ruby2", implementation: "ruby", facts: { role: "db" } },
  { identity: "amq-phobos1", implementation: "phobos", facts: { role: "web" } },
  { identity: "amq-phobos2", implementation: "phobos", facts: { role: "db" } },
];
const ALL = NODES.map((n) => n.identity).sort();

const pinged = (stdout: string) =>
  stdout
    .split("\n")
    .map((l) => /^(amq-\S+)\s+time=/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined)
    .sort();

describe("a mixed Ruby/Phobos fleet on ActiveMQ", () => {
  let fleet: ActiveMqFleet;

  beforeAll(async () => {
    fleet = await startActiveMqFleet({ nodes: NODES });
  });

  afterAll(async () => {
    await fleet?.dispose();
  });

  describe.concurrent.each(["ruby", "phobos"] as const)("%s mco", (implementation) => {
    it("mco ping: every node answers", async () => {
      const r = await fleet.mco(["ping", "-t", "2"], { implementation });
      expect(r.code, r.stderr).toBe(0);
      expect(pinged(r.stdout)).toEqual(ALL);
      expect(r.stdout).toMatch(/^4 replies max: /m);
    });

    it("mco find, with and without a fact filter", async () => {
      const all = await fleet.mco(["find", "--dt", "2"], { implementation });
      expect(all.code, all.stderr).toBe(0);
      expect(all.stdout.trim().split("\n").sort()).toEqual(ALL);
      const web = await fleet.mco(["find", "--dt", "2", "-F", "role=web"], { implementation });
      expect(web.stdout.trim().split("\n").sort()).toEqual(["amq-phobos1", "amq-ruby1"]);
    });

    it("mco rpc rpcutil ping: broadcast discovery, then directed requests through the nodes queue", async () => {
      const r = await fleet.mco(["rpc", "rpcutil", "ping", "--dt", "2", "--np"], { implementation });
      expect(r.code, r.stderr).toBe(0);
      for (const node of ALL) expect(r.stdout).toContain(node);
      expect(r.stdout).toMatch(/^Finished processing 4 \/ 4 hosts in/m);
    });

    it("mco rpc rpcutil ping -I one node: only that node answers", async () => {
      const r = await fleet.mco(["rpc", "rpcutil", "ping", "-I", "amq-ruby2", "--dt", "2", "--np"], {
        implementation,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Finished processing 1 \/ 1 hosts in/m);
      expect(r.stdout).toContain("amq-ruby2");
      expect(r.stdout).not.toContain("amq-phobos1");
    });
  });
});

describe("ActiveMQ restarted under a running fleet (a private broker)", () => {
  let broker: PrivateActiveMq;
  let fleet: ActiveMqFleet;
  const nodes: readonly RubyFleetNode[] = [
    { identity: "restart-ruby", implementation: "ruby" },
    { identity: "restart-phobos", implementation: "phobos" },
  ];

  beforeAll(async () => {
    broker = await startPrivateActiveMq();
    fleet = await startActiveMqFleet({
      nodes,
      endpoint: broker.endpoint,
      // Ruby's defaults back off up to 30 s between attempts; keep the test short.
      extra: { "plugin.activemq.initial_reconnect_delay": 0.1, "plugin.activemq.max_reconnect_delay": 1 },
    });
  });

  afterAll(async () => {
    await fleet?.dispose();
    await broker?.dispose();
  });

  it("every daemon reconnects and subscribes again; both mcos then reach both daemons", async () => {
    await broker.stop();
    await broker.start();
    await fleet.waitUntilSubscribed({ timeoutMs: 30_000 });
    for (const implementation of ["ruby", "phobos"] as const) {
      const r = await fleet.mco(["ping", "-t", "2"], { implementation });
      expect(r.code, r.stderr).toBe(0);
      expect(pinged(r.stdout.replaceAll("restart-", "amq-"))).toEqual(["amq-phobos", "amq-ruby"]);
    }
  });

  it("a request in flight when the broker goes: Phobos's mco says so and ends within its timeout", async () => {
    const watch = await watchConsumers(broker.endpoint);
    // Paused daemons cannot answer before the broker goes: the request stays in flight.
    const daemons = ["restart-ruby", "restart-phobos"].map((id) => fleet.node(id).pid);
    try {
      // Flatfile discovery: the request in flight is the RPC itself, sent straight to both nodes.
      const nodesFile = join(fleet.dir, "restart-nodes.txt");
      await writeFile(nodesFile, "restart-ruby\nrestart-phobos\n");
      const args = [
        "rpc",
        "rpcutil",
        "ping",
        "--nodes",
        nodesFile,
        "-t",
        "3",
        "--np",
        "--config",
        fleet.clientConfig,
      ];
      for (const pid of daemons) process.kill(pid, "SIGSTOP");
      const mco = phobosCommand("mco", args);
      const child = spawn(mco.command, mco.args, { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
      // The client subscribes its reply queue just before it sends: the request is on its way.
      await watch.until(
        (cs) => cs.find((c) => c.destination.startsWith(`queue://${fleet.mainCollective}.reply.`)),
        "the mco never subscribed a reply queue",
      );
      await broker.stop();
      const hang = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const code = await exited;
      clearTimeout(hang);
      expect(code, `mco was killed after 30 s: it hung\n${stdout}\n${stderr}`).not.toBeNull();
      expect(code).not.toBe(0);
      const output = `${stdout}\n${stderr}`;
      expect(output).toMatch(/Disconnected from stomp:\/\/admin@127\.0\.0\.1:\d+: connection closed/);
      expect(output).toMatch(/No response from:\s+restart-(ruby|phobos)\s+restart-(ruby|phobos)/);
    } finally {
      for (const pid of daemons) process.kill(pid, "SIGCONT");
      await watch.close();
      if (!broker.running) await broker.start();
    }
  });
});

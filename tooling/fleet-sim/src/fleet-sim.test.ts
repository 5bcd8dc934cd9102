/**
 * The simulator end to end: `bin/fleet-sim` against the machine's RabbitMQ (in a vhost
 * of its own) and against the embedded broker, answered by the real `apps/mco` binary
 * and by Debian's Ruby `mco`.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningBroker, startBroker } from "@phobos/broker";
import {
  type RubyFleet,
  runRubyMco,
  startRubyFleet,
  writeClientConfig,
  writeServerConfig,
} from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { factsFor, parseFactsSpec } from "./facts-spec.js";
import { nodeIdentities } from "./identities.js";
import { BIN, type Sim, startSim } from "./start-sim.js";

const FACTS = "os=debian:3,redhat:1;role=web,db,app";

function mco(args: readonly string[], configFile: string, implementation: "phobos" | "ruby" = "phobos") {
  return runRubyMco(args, { configFile, implementation, timeoutMs: 60_000 });
}

/** `mco ping` lines are `identity   time=…`; the identities in them. */
function pingIdentities(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => /^(\S+)\s+time=/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined)
    .sort();
}

describe("fleet-sim on RabbitMQ", () => {
  let fleet: RubyFleet;
  let sim: Sim;
  const count = 50;

  beforeAll(async () => {
    // A Ruby fleet of no daemons: an isolated vhost, user and client config.
    fleet = await startRubyFleet({ vhostPrefix: "phobos-fleet-sim", nodes: [] });
    const serverConfig = await writeServerConfig(
      join(fleet.dir, "sim"),
      fleet.serverConfigOptions({ identity: "node" }),
    );
    sim = await startSim(["--count", String(count), "--config", serverConfig, "--facts", FACTS]);
  }, 180_000);

  afterAll(async () => {
    await sim?.stop();
    await fleet?.dispose();
  });

  it("starts N nodes named after the config's identity and reports them ready", () => {
    expect(sim.ready).toMatchObject({ ready: count, count, first: "node1", last: `node${count}` });
  });

  it("shows the broker one connection per node", async () => {
    // The nodes only: the readiness client has gone. RabbitMQ's list lags a little.
    let ours = await fleet.admin.listConnections(fleet.vhost);
    for (let i = 0; i < 50 && ours.length !== count; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ours = await fleet.admin.listConnections(fleet.vhost);
    }
    expect(ours.length).toBe(count);
  });

  it("answers mco ping from every node (the apps/mco binary)", async () => {
    const result = await mco(["ping", "-t", "2"], fleet.clientConfig);
    expect(result.code).toBe(0);
    expect(pingIdentities(result.stdout)).toEqual(nodeIdentities("node", 1, count).sort());
    expect(result.stdout).toContain(`${count} replies`);
  });

  it("answers mco rpc rpcutil ping -I one node", async () => {
    const result = await mco(["rpc", "rpcutil", "ping", "-I", "node7", "--np"], fleet.clientConfig);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("node7");
    expect(result.stdout).toContain("Finished processing 1 / 1 hosts");
  });

  it("honours the facts distribution in mco find -F (Phobos and Ruby mco agree)", async () => {
    const spec = parseFactsSpec(FACTS);
    const expected = nodeIdentities("node", 1, count)
      .filter((_, i) => {
        const facts = factsFor(spec, i + 1);
        return facts.os === "redhat" && facts.role !== "db";
      })
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(count);
    const args = ["find", "-F", "os=redhat", "-F", "role!=db", "--dt", "2"];
    const phobos = await mco(args, fleet.clientConfig);
    expect(phobos.code).toBe(0);
    expect(phobos.stdout.split("\n").filter(Boolean).sort()).toEqual(expected);
    const ruby = await mco(args, fleet.clientConfig, "ruby");
    expect(ruby.code).toBe(0);
    expect(ruby.stdout.split("\n").filter(Boolean).sort()).toEqual(expected);
  });

  it("gives each node its own facts (rpcutil get_fact)", async () => {
    const result = await mco(
      ["rpc", "rpcutil", "get_fact", "fact=fleet_sim_node", "-I", "node42", "-j"],
      fleet.clientConfig,
    );
    expect(result.code).toBe(0);
    const replies = JSON.parse(result.stdout) as { sender: string; data: { value: string } }[];
    expect(replies).toEqual([
      expect.objectContaining({ sender: "node42", data: expect.objectContaining({ value: "42" }) }),
    ]);
  });
});

describe("fleet-sim over several processes on the embedded broker", () => {
  let broker: RunningBroker;
  let dir: string;
  let sim: Sim;
  let clientConfig: string;
  const count = 30;

  beforeAll(async () => {
    broker = await startBroker({ port: 0, users: [{ name: "sim", password: "secret" }] });
    dir = await mkdtemp(join(tmpdir(), "phobos-fleet-sim-"));
    const common = {
      broker: {
        connector: "rabbitmq" as const,
        vhost: "/",
        pool: [{ host: "127.0.0.1", port: broker.port, user: "sim", password: "secret" }],
      },
      security: { provider: "psk" as const, psk: "fleet-sim-test" },
    };
    const serverConfig = await writeServerConfig(join(dir, "server"), { ...common, identity: "sim-" });
    clientConfig = await writeClientConfig(join(dir, "client"), { ...common, identity: "sim-client" });
    sim = await startSim(["--count", String(count), "--procs", "3", "--config", serverConfig]);
  }, 180_000);

  afterAll(async () => {
    await sim?.stop();
    await broker?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("splits the fleet over worker processes and every node answers mco ping", async () => {
    expect(sim.ready).toMatchObject({ ready: count, count, first: "sim-1", last: `sim-${count}` });
    expect(broker.stats().connections).toBeGreaterThanOrEqual(count);
    const result = await mco(["ping", "-t", "2"], clientConfig);
    expect(result.code).toBe(0);
    expect(pingIdentities(result.stdout)).toEqual(nodeIdentities("sim-", 1, count).sort());
  });

  it("stops every worker on TERM", async () => {
    expect(await sim.stop()).toBe(0);
    expect(broker.stats().connections).toBe(0);
  });
});

describe("fleet-sim's command line", () => {
  it("names a bad argument and exits 2", async () => {
    const child = spawn(process.execPath, [BIN, "--count", "zero", "--config", "/nonexistent"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain("--count must be an integer >= 1");
  });

  it("names a bad facts spec", async () => {
    const child = spawn(process.execPath, [BIN, "--count", "1", "--config", "/x", "--facts", "os="], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('fact "os" has an empty value');
  });
});

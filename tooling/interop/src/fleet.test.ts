/**
 * Smoke test of the reference environment, end to end: an isolated vhost on the
 * machine's RabbitMQ, three Debian mcollectived with different facts and classes, the
 * Ruby mco against them, a fault injected under the daemons, and a clean dispose.
 */
import { readFile, stat } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RubyFleet, startRubyFleet } from "./fleet.js";
import { RubyMcoError } from "./ruby-mco.js";

const nodes = [
  {
    identity: "node1",
    facts: {
      mcollective: 1,
      fqdn: "node1.example.net",
      osfamily: "Debian",
      operatingsystem: "Debian",
      role: "web",
    },
    classes: ["base", "role::web", "os::debian"],
  },
  {
    identity: "node2",
    facts: {
      mcollective: 1,
      fqdn: "node2.example.net",
      osfamily: "RedHat",
      operatingsystem: "RedHat",
      role: "db",
    },
    classes: ["base", "role::db", "os::redhat"],
  },
  {
    identity: "node3",
    facts: {
      mcollective: 1,
      fqdn: "node3.example.net",
      osfamily: "Debian",
      operatingsystem: "Ubuntu",
      role: "app",
    },
    classes: ["base", "role::app", "os::debian"],
  },
];

let fleet: RubyFleet;

beforeAll(async () => {
  fleet = await startRubyFleet({ vhostPrefix: "phobos-interop-smoke", nodes });
});

afterAll(async () => {
  await fleet?.dispose();
});

/** mco prints replies in arrival order; compare the sorted lines. */
function sortedLines(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .sort();
}

describe("an isolated Ruby fleet", () => {
  it("has its own vhost with the MCollective exchanges, its own user, one mcollectived per node", async () => {
    expect(fleet.vhost).toMatch(/^\/phobos-interop-smoke-[0-9a-f]{10}$/);
    const exchanges = await Promise.all(
      ["mcollective_broadcast", "mcollective_directed"].map(async (name) => {
        const res = await fetch(
          `${fleet.admin.url}/api/exchanges/${encodeURIComponent(fleet.vhost)}/${name}`,
          { headers: { authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}` } },
        );
        return (await res.json()) as { type: string; durable: boolean };
      }),
    );
    expect(exchanges.map((e) => [e.type, e.durable])).toEqual([
      ["topic", true],
      ["direct", true],
    ]);
    expect(await fleet.admin.listUserPermissions(fleet.user)).toEqual([
      expect.objectContaining({ vhost: fleet.vhost, configure: ".*", write: ".*", read: ".*" }),
    ]);

    expect(fleet.nodes.map((n) => n.identity)).toEqual(["node1", "node2", "node3"]);
    for (const node of fleet.nodes) {
      expect(node.agents).toEqual(["discovery", "rpcutil"]);
      const cmdline = (await readFile(`/proc/${node.pid}/cmdline`, "utf8")).replaceAll("\0", " ");
      expect(cmdline).toContain(`mcollectived --config ${node.configFile} --no-daemonize`);
    }
    const bindings = await fleet.bindings();
    expect(
      bindings
        .filter((b) => b.source === "mcollective_directed")
        .map((b) => b.routing_key)
        .sort(),
    ).toEqual(["node1", "node2", "node3"]);
    expect(bindings.filter((b) => b.source === "mcollective_broadcast")).toHaveLength(6);
  });
});

// Independent client runs: each mco gets its own connection and reply queues.
describe("the Ruby mco against it", () => {
  it.concurrent("mco ping -t 1: three replies", async () => {
    const r = await fleet.mco(["ping", "-t", "1"]);
    expect(r.code, r.stderr).toBe(0);
    const replies = r.stdout.split("\n").filter((l) => /^node\d\s+time=\d+\.\d\d ms$/.test(l));
    expect(replies.map((l) => l.split(/\s+/)[0]).sort()).toEqual(["node1", "node2", "node3"]);
    expect(r.stdout).toMatch(/^3 replies max: [\d.]+ min: [\d.]+ avg: [\d.]+/m);
  });

  it.concurrent("mco find -F osfamily=Debian: the Debian nodes", async () => {
    const r = await fleet.mco(["find", "-F", "osfamily=Debian", "--dt", "1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sortedLines(r.stdout)).toEqual(["node1", "node3"]);
  });

  it.concurrent("mco facts role: a report over all three", async () => {
    const r = await fleet.mco(["facts", "role", "--dt", "1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Report for fact: role\n");
    expect(r.stdout).toMatch(/^ +app +found 1 times$/m);
    expect(r.stdout).toMatch(/^ +db +found 1 times$/m);
    expect(r.stdout).toMatch(/^ +web +found 1 times$/m);
    expect(r.stdout).toMatch(/^Finished processing 3 \/ 3 hosts in [\d.]+ ms$/m);
  });

  it.concurrent("mco rpc rpcutil get_fact fact=role --np: one value per node", async () => {
    const r = await fleet.mco(["rpc", "rpcutil", "get_fact", "fact=role", "--np", "--dt", "1"]);
    expect(r.code, r.stderr).toBe(0);
    for (const [node, role] of [
      ["node1", "web"],
      ["node2", "db"],
      ["node3", "app"],
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^${node} +\\n +Fact: role\\n +Value: ${role}\\n`, "m"));
    }
    expect(r.stdout).toMatch(/Summary of Value:\n\n(?: +\w+ = 1\n){3}/);
    expect(r.stdout).toMatch(/^Finished processing 3 \/ 3 hosts in [\d.]+ ms$/m);
  });

  it.concurrent("mco inventory node1: stats, agents, classes and facts of that node", async () => {
    const r = await fleet.mco(["inventory", "node1"]);
    expect(r.code, r.stderr).toBe(0);
    const node1 = fleet.node("node1");
    expect(r.stdout).toContain("Inventory for node1:\n");
    expect(r.stdout).toContain("                      Version: 2.12.5\n");
    expect(r.stdout).toContain(`                  Config File: ${node1.configFile}\n`);
    expect(r.stdout).toContain(`                   Process ID: ${node1.pid}\n`);
    expect(r.stdout).toContain("                  Collectives: mcollective\n");
    expect(r.stdout).toMatch(/ {3}Agents:\n {6}discovery +rpcutil/);
    expect(r.stdout).toMatch(/Configuration Management Classes:\n +base +os::debian +role::web/);
    expect(r.stdout).toContain(
      [
        "   Facts:",
        "      fqdn => node1.example.net",
        "      mcollective => 1",
        "      operatingsystem => Debian",
        "      osfamily => Debian",
        "      role => web",
      ].join("\n"),
    );
  });
});

describe("runRubyMco", () => {
  it.concurrent("feeds input to stdin: mco rpc then discovers from it", async () => {
    const r = await fleet.mco(["rpc", "rpcutil", "ping", "--np"], { input: "node2\n" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^node2 +\n +Timestamp: \d+\n/m);
    expect(r.stdout).not.toMatch(/^node[13] /m);
    expect(r.stdout).toMatch(/^Finished processing 1 \/ 1 hosts/m);
  });

  it.concurrent("kills a run that outlives its timeout and says so with the output so far", async () => {
    const run = fleet.mco(["ping", "-t", "10"], { timeoutMs: 500 });
    await expect(run).rejects.toThrow(RubyMcoError);
    await expect(run).rejects.toThrow(/^mco ping -t 10: no exit after 500 ms \(killed\)\n--- stdout ---\n/);
  });
});

describe("fault injection", () => {
  it("closes the vhost's connections under the daemons, which reconnect and answer again", async () => {
    const before = await fleet.bindings();
    const closed = await fleet.closeConnections();
    expect(closed).toHaveLength(3);
    const after = await fleet.waitUntilSubscribed({ exclude: before, timeoutMs: 20_000 });
    expect(after).toHaveLength(9);
    const oldQueues = new Set(before.map((b) => b.destination));
    expect(after.every((b) => !oldQueues.has(b.destination))).toBe(true);

    for (const node of fleet.nodes) {
      const log = await readFile(node.logFile, "utf8");
      // Checked as booleans: a failure should not print a whole debug log.
      const closedByUs =
        /server_initiated_close,320,(?:\\n|\s)*\\"fault injection by @phobos\/interop\\"/.test(log);
      expect(closedByUs, `${node.identity} saw the close`).toBe(true);
      expect(
        log.match(/on_connected' Connected to stomp:\/\//g)?.length,
        `${node.identity} reconnected`,
      ).toBe(2);
    }
    const r = await fleet.mco(["ping", "-t", "1"]);
    expect(r.stdout).toMatch(/^3 replies /m);
  });
});

describe("dispose", () => {
  it("leaves no process, vhost, user or directory behind", async () => {
    const { vhost, user, dir, admin } = fleet;
    const pids = fleet.nodes.map((n) => n.pid);
    await fleet.dispose();

    expect(await admin.getVhost(vhost)).toBeUndefined();
    expect(await admin.getUser(user)).toBeUndefined();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    for (const node of fleet.nodes) expect(node.exited).toBe(true);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });
});

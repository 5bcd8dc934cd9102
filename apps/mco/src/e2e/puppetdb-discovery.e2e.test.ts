/**
 * PuppetDB discovery on a live fleet: six Phobos daemons on RabbitMQ, and the
 * real PuppetDB (tooling/scripts/provision.sh) holding the same facts and
 * classes, plus a class `mcollective_agent_<name>` for each agent a daemon
 * reports (what a Puppet module deploying the agent declares). For every
 * filter of the table, `mco find --dm puppetdb` selects exactly the nodes
 * `mco find --dm mc` (the daemons themselves) selects; `mco rpc` works end to
 * end with `--dm puppetdb`; faults and inexpressible filters fail in one line.
 */
import { fileURLToPath } from "node:url";
import {
  loadNodes,
  PUPPETDB_URL,
  type PuppetDbNode,
  requirePuppetDb,
  testEnvironment,
} from "@phobos/discovery-puppetdb/testing";
import type { RubyFleet, RubyFleetNode } from "@phobos/interop";
import { writeClientConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./harness.js";

const ECHO_LIBDIR = fileURLToPath(new URL("./__fixtures__/echo-libdir", import.meta.url));
const ENV = testEnvironment("mco_e2e");
const OS = ["Debian", "RedHat", "Ubuntu", "CentOS", "Debian", "Ubuntu"] as const;
const ROLE = ["web", "db", "app", "cache", "web", "db"] as const;

const NODES: RubyFleetNode[] = OS.map((os, n) => {
  const i = n + 1;
  const role = ROLE[n] as string;
  return {
    identity: `pdb${i}`,
    implementation: "phobos",
    facts: {
      operatingsystem: os,
      osfamily: os === "RedHat" || os === "CentOS" ? "RedHat" : "Debian",
      role,
      datacenter: i <= 3 ? "dc1" : "dc2",
      node_index: i,
      memory_mb: i * 512,
      load: i + 0.5,
      fqdn: `pdb${i}.${i % 3 === 0 ? "db" : "web"}.example.net`,
      ips: [`10.0.0.${i}`, `192.168.${i}.1`],
    },
    classes: ["base", `role::${role}`, `os::${os.toLowerCase()}`, ...(i % 4 === 0 ? ["monitoring"] : [])],
    ...([2, 5].includes(i)
      ? { extra: [`libdir = ${ECHO_LIBDIR}`], agents: ["discovery", "rpcutil", "echo"] }
      : {}),
  };
});

const FILTERS: string[][] = [
  [],
  ["-F", "osfamily=Debian"],
  ["-F", "osfamily=RedHat"],
  ["-F", "operatingsystem=/^(Ubu|Cen)/"],
  ["-F", "operatingsystem!=Debian"],
  ["-F", "node_index>3"],
  ["-F", "node_index>=3"],
  ["-F", "node_index<3"],
  ["-F", "node_index=<2"],
  ["-F", "memory_mb>2048"],
  ["-F", "load>3.2"],
  ["-F", "load<3.0"],
  ["-F", "role=~/^(web|db)$/"],
  ["-F", "fqdn=/db\\.example/"],
  ["-F", "ips=10.0.0.4"],
  ["-F", "ips=/^192\\.168\\.[1-3]\\./"],
  ["-F", "nosuchfact=1"],
  ["-F", "role=web", "-F", "datacenter=dc2"],
  ["-C", "base"],
  ["-C", "role::db"],
  ["-C", "/os::(debian|ubuntu)/"],
  ["-C", "monitoring"],
  ["-C", "role::web", "-C", "os::debian"],
  ["-C", "nosuchclass"],
  ["-I", "pdb3"],
  ["-I", "pdb3", "-I", "pdb6"],
  ["-I", "/pdb1/"],
  ["-I", "/^pdb[2-4]$/"],
  ["-I", "/pdb/", "-I", "pdb2"],
  // A plain name takes mc's shortcut (the name is echoed, no discovery): see the test below.
  ["-I", "/nosuchnode/"],
  ["-A", "echo"],
  ["-A", "rpcutil"],
  ["-A", "/ech/"],
  ["-A", "nosuchagent"],
  ["-A", "echo", "-F", "datacenter=dc1"],
  ["-W", "role=web base"],
  ["-W", "monitoring datacenter=dc2"],
  ["-F", "role=db", "-C", "base", "-I", "/pdb/"],
  ["-S", "role=web"],
  ["-S", "role=web or role=db"],
  ["-S", "not role=web"],
  ["-S", "!role=web and osfamily=Debian"],
  ["-S", "(role=web or role=db) and not datacenter=dc1"],
  ["-S", "role=cache or (os::redhat and datacenter=dc2)"],
  ["-S", "monitoring or node_index<2"],
  ["-S", "/role::(app|cache)/"],
  ["-S", "operatingsystem=/^Cent/ or osfamily=Debian and datacenter=dc1"],
  ["-S", "node_index>=3 and node_index<=5"],
  ["-S", "role=web", "-F", "datacenter=dc1"],
  ["-S", "role=db", "-S", "datacenter=dc2"],
];

let fleet: RubyFleet;
let clientConfig: string;

beforeAll(async () => {
  await requirePuppetDb();
  const { startRubyFleet } = await import("@phobos/interop");
  fleet = await startRubyFleet({ vhostPrefix: "phobos-puppetdb", nodes: NODES });
  clientConfig = await writeClientConfig(`${fleet.dir}/client-puppetdb`, {
    ...fleet.clientConfigOptions,
    extra: { "plugin.puppetdb.server": PUPPETDB_URL, "plugin.puppetdb.environment": ENV },
  });
  // PuppetDB learns each node's agents as a Puppet module would declare them: from the daemons.
  const inventory = await run(fleet, "phobos", ["rpc", "rpcutil", "agent_inventory", "--json", "--dt", "2"], {
    configFile: clientConfig,
  });
  const replies = JSON.parse(inventory.stdout) as { sender: string; data: { agents: { agent: string }[] } }[];
  expect(replies.map((r) => r.sender).sort()).toEqual(NODES.map((n) => n.identity).sort());
  const agents = new Map(replies.map((r) => [r.sender, r.data.agents.map((a) => a.agent)]));
  const pdbNodes: PuppetDbNode[] = NODES.map((n) => ({
    certname: n.identity,
    facts: { ...n.facts },
    classes: [...(n.classes ?? []), ...(agents.get(n.identity) ?? []).map((a) => `mcollective_agent_${a}`)],
  }));
  await loadNodes(ENV, pdbNodes);
}, 180_000);

afterAll(async () => {
  await fleet?.dispose();
});

const nodeSet = (stdout: string) =>
  stdout
    .split("\n")
    .filter((l) => /^pdb\d+$/.test(l))
    .sort();

describe("mco find --dm puppetdb on a live fleet", () => {
  it(`selects the nodes the daemons select, for all ${FILTERS.length} filters`, async () => {
    const mismatches: string[] = [];
    const distinct = new Set<string>();
    // Four at a time: two cores, shared with the daemons and PuppetDB.
    for (let start = 0; start < FILTERS.length; start += 4) {
      await Promise.all(
        FILTERS.slice(start, start + 4).map(async (filter) => {
          const [mc, pdb] = await Promise.all([
            run(fleet, "phobos", ["find", ...filter, "--dm", "mc", "--dt", "2"], {
              configFile: clientConfig,
            }),
            run(fleet, "phobos", ["find", ...filter, "--dm", "puppetdb"], { configFile: clientConfig }),
          ]);
          distinct.add(nodeSet(mc.stdout).join());
          if (mc.code !== pdb.code || nodeSet(mc.stdout).join() !== nodeSet(pdb.stdout).join()) {
            mismatches.push(
              `mco find ${filter.join(" ")}: mc ${mc.code} [${nodeSet(mc.stdout)}] / puppetdb ${pdb.code} [${nodeSet(pdb.stdout)}] ${pdb.stderr.trim()}`,
            );
          }
        }),
      );
    }
    expect(mismatches).toEqual([]);
    expect(distinct.size).toBeGreaterThanOrEqual(20);
  }, 300_000);
});

describe("mco rpc with --dm puppetdb", () => {
  it("rpcutil ping -F osfamily=Debian: the Debian nodes answer, -v shows the discovery", async () => {
    const result = await run(
      fleet,
      "phobos",
      ["rpc", "rpcutil", "ping", "--dm", "puppetdb", "-F", "osfamily=Debian", "-v"],
      { configFile: clientConfig },
    );
    expect(result.code, result.stderr).toBe(0);
    const debian = NODES.filter((n) => n.facts?.osfamily === "Debian").map((n) => n.identity);
    for (const node of debian) expect(result.stdout).toMatch(new RegExp(`^${node}\\s`, "m"));
    expect(result.stdout).toMatch(new RegExp(`Nodes: ${debian.length} / ${debian.length}`));
    expect(result.stdout).toMatch(/Discovery Time: [\d.]+ms/);
    expect(result.stdout).not.toMatch(/pdb2\s/);
  });

  it("-I with a name PuppetDB does not know finds nothing (mc would take the name as found)", async () => {
    const result = await run(fleet, "phobos", ["find", "-I", "nosuchnode", "--dm", "puppetdb"], {
      configFile: clientConfig,
    });
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toBe("");
  });

  it("default_discovery_method = puppetdb in client.cfg", async () => {
    const config = await writeClientConfig(`${fleet.dir}/client-puppetdb-default`, {
      ...fleet.clientConfigOptions,
      extra: {
        default_discovery_method: "puppetdb",
        "plugin.puppetdb.server": PUPPETDB_URL,
        "plugin.puppetdb.environment": ENV,
      },
    });
    const result = await run(fleet, "phobos", ["find", "-C", "role::db"], { configFile: config });
    expect(result.code, result.stderr).toBe(0);
    expect(nodeSet(result.stdout)).toEqual(["pdb2", "pdb6"]);
  });

  it("a filter PQL cannot express: refused in one line naming the part, nothing sent", async () => {
    const result = await run(
      fleet,
      "phobos",
      ["rpc", "rpcutil", "ping", "--dm", "puppetdb", "-S", 'fstat("/etc/hostname").present=1'],
      { configFile: clientConfig },
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /cannot express the -S function fstat\("\/etc\/hostname"\)\.present in PQL/,
    );
    expect(result.stdout).not.toMatch(/^pdb\d/m);
  });

  it("PuppetDB down: one line naming the URL, non-zero exit", async () => {
    const config = await writeClientConfig(`${fleet.dir}/client-puppetdb-down`, {
      ...fleet.clientConfigOptions,
      extra: { "plugin.puppetdb.server": "http://127.0.0.1:9" },
    });
    const result = await run(fleet, "phobos", ["rpc", "rpcutil", "ping", "--dm", "puppetdb", "--dt", "2"], {
      configFile: config,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /Cannot query PuppetDB at http:\/\/127\.0\.0\.1:9\/pdb\/query\/v4: connect ECONNREFUSED/,
    );
  });
});

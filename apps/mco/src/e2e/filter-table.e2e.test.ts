/**
 * The client's acceptance table: on a ten-node fleet of Ruby and Phobos
 * daemons with varied facts, classes and agents, Phobos's `mco find` selects
 * exactly the nodes Ruby's `mco find` selects, filter after filter, and RPC
 * calls with limits and batches answer from the same nodes with the same data.
 */
import { fileURLToPath } from "node:url";
import type { RubyFleet, RubyFleetNode } from "@phobos/interop";
import { writeClientConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { both, normalize } from "./harness.js";

const ECHO_LIBDIR = fileURLToPath(new URL("./__fixtures__/echo-libdir", import.meta.url));

const OS = ["Debian", "RedHat", "Ubuntu", "CentOS", "Debian"] as const;
const ROLE = ["web", "db", "app", "cache", "web"] as const;

/** node1..node10: odd ones Ruby, even ones Phobos; the echo agent on 2, 3, 6 and 7. */
const NODES: RubyFleetNode[] = Array.from({ length: 10 }, (_, n) => {
  const i = n + 1;
  const os = OS[n % 5] as string;
  const role = ROLE[n % 5] as string;
  const echo = [2, 3, 6, 7].includes(i);
  return {
    identity: `node${i}`,
    implementation: i % 2 === 1 ? "ruby" : "phobos",
    facts: {
      operatingsystem: os,
      osfamily: os === "RedHat" || os === "CentOS" ? "RedHat" : "Debian",
      role,
      datacenter: i <= 5 ? "dc1" : "dc2",
      node_index: i,
      memory_mb: i * 512,
      load: `${i}.5`,
      fqdn: `node${i}.${i % 3 === 0 ? "db" : "web"}.example.net`,
      ips: [`10.0.0.${i}`, `192.168.${i}.1`],
    },
    classes: ["base", `role::${role}`, `os::${os.toLowerCase()}`, ...(i % 4 === 0 ? ["monitoring"] : [])],
    ...(echo ? { extra: [`libdir = ${ECHO_LIBDIR}`], agents: ["discovery", "rpcutil", "echo"] } : {}),
  };
});

/** At least fifty filter combinations, each an argument list for `mco find`. */
const FILTERS: string[][] = [
  [],
  ["-F", "osfamily=Debian"],
  ["-F", "osfamily=RedHat"],
  ["-F", "operatingsystem=/^(Ubu|Cen)/"],
  ["-F", "operatingsystem!=Debian"],
  ["-F", "node_index>5"],
  ["-F", "node_index>=5"],
  ["-F", "node_index<3"],
  ["-F", "node_index<=3"],
  ["-F", "node_index=>9"],
  ["-F", "node_index=<2"],
  ["-F", "memory_mb>2048"],
  ["-F", "load>5.2"],
  ["-F", "load<3.0"],
  ["-F", "role=~/^(web|db)$/"],
  ["-F", "fqdn=/db\\.example/"],
  ["-F", "ips=10.0.0.4"],
  ["-F", "ips=/^192\\.168\\.1[0-9]?\\./"],
  ["-F", "nosuchfact=1"],
  ["-F", "role=web", "-F", "datacenter=dc2"],
  ["-C", "base"],
  ["-C", "role::db"],
  ["-C", "/os::(debian|ubuntu)/"],
  ["-C", "monitoring"],
  ["-C", "role::web", "-C", "os::debian"],
  ["-C", "nosuchclass"],
  ["-I", "node3"],
  ["-I", "node3", "-I", "node8"],
  ["-I", "/node1/"],
  ["-I", "/^node[2-4]$/"],
  ["-I", "/node1/", "-I", "node2"],
  ["-I", "nosuchnode"],
  ["-A", "echo"],
  ["-A", "rpcutil"],
  ["-A", "/ech/"],
  ["-A", "nosuchagent"],
  ["-A", "echo", "-F", "datacenter=dc1"],
  ["-W", "role=web base"],
  ["-W", "monitoring datacenter=dc2"],
  ["-F", "role=db", "-C", "base", "-I", "/node/"],
  ["-S", "role=web"],
  ["-S", "role=web or role=db"],
  ["-S", "role=web and datacenter=dc2"],
  ["-S", "not role=web"],
  ["-S", "!role=web and osfamily=Debian"],
  ["-S", "(role=web or role=db) and not datacenter=dc1"],
  ["-S", "role=cache or (os::redhat and datacenter=dc2)"],
  ["-S", "monitoring or node_index<2"],
  ["-S", "/role::(app|cache)/"],
  ["-S", "operatingsystem=/^Cent/ or osfamily=Debian and datacenter=dc1"],
  ["-S", "node_index>=3 and node_index<=6"],
  ["-S", 'fact("role").value=web'],
  ["-S", 'fact("ips.1").value=/^192\\.168\\.2\\./'],
  ["-S", 'agent("echo").version=1.0'],
  ["-S", 'collective("mcollective").member=true and role=app'],
  ["-S", 'fstat("/etc/hostname").present=1 and datacenter=dc2'],
  ["-S", 'fstat("/nonexistent/phobos").present=1'],
  ["-S", "role=web", "-F", "datacenter=dc1"],
  ["-S", "role=db", "-S", "datacenter=dc2"],
];

let fleet: RubyFleet;
let clientConfig: string;

beforeAll(async () => {
  const { startRubyFleet } = await import("@phobos/interop");
  fleet = await startRubyFleet({ vhostPrefix: "phobos-filter-table", nodes: NODES });
  // The client needs the echo DDL too: a DDL-only entry for Phobos, the .ddl for Ruby.
  clientConfig = await writeClientConfig(`${fleet.dir}/client-echo`, {
    ...fleet.clientConfigOptions,
    libdir: [ECHO_LIBDIR, "/usr/share/mcollective/plugins"],
  });
}, 180_000);

afterAll(async () => {
  await fleet?.dispose();
});

/** Runs `work` over `items`, at most `width` at a time. */
async function pool<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T);
      }
    }),
  );
  return out;
}

const nodeSet = (stdout: string) =>
  stdout
    .split("\n")
    .filter((l) => /^node\d+$/.test(l))
    .sort();

describe("mco find on a ten-node mixed fleet", () => {
  it(`selects the same nodes as Ruby's mco for all ${FILTERS.length} filters`, async () => {
    expect(FILTERS.length).toBeGreaterThanOrEqual(50);
    const results = await pool(FILTERS, 4, async (filter) => {
      const { ruby, phobos } = await both(fleet, ["find", ...filter, "--dt", "2"], {
        configFile: clientConfig,
      });
      return { filter, ruby, phobos };
    });
    const mismatches = results
      .filter(
        ({ ruby, phobos }) =>
          ruby.code !== phobos.code || nodeSet(ruby.stdout).join() !== nodeSet(phobos.stdout).join(),
      )
      .map(
        ({ filter, ruby, phobos }) =>
          `mco find ${filter.join(" ")}: ruby ${ruby.code} [${nodeSet(ruby.stdout)}] ${ruby.stderr.trim()} / phobos ${phobos.code} [${nodeSet(phobos.stdout)}] ${phobos.stderr.trim()}`,
      );
    expect(mismatches).toEqual([]);
    // The table is not vacuous: it selects many different node sets.
    const distinct = new Set(results.map(({ ruby }) => nodeSet(ruby.stdout).join()));
    expect(distinct.size).toBeGreaterThanOrEqual(30);
  }, 300_000);
});

describe("rpc with limits and batches on the mixed fleet", () => {
  const calls: string[][] = [
    ["rpc", "echo", "echo", "message=hello", "--np", "--dt", "2"],
    ["rpc", "rpcutil", "get_fact", "fact=role", "--np", "--dt", "2", "--batch", "3", "--batch-sleep", "0"],
    [
      "rpc",
      "rpcutil",
      "get_fact",
      "fact=datacenter",
      "--np",
      "--dt",
      "2",
      "-F",
      "osfamily=Debian",
      "--batch",
      "50%",
      "--batch-sleep",
      "0",
    ],
    [
      "rpc",
      "rpcutil",
      "get_fact",
      "fact=node_index",
      "--np",
      "--dt",
      "2",
      "--limit",
      "3",
      "--limit-seed",
      "42",
    ],
    ["rpc", "echo", "echo", "message=x", "--np", "--dt", "2", "--limit", "50%", "--limit-seed", "7"],
  ];
  it.each(calls.map((args) => ({ args, line: args.join(" ") })))(
    "mco $line: same nodes, same data",
    async ({ args }) => {
      const randomConfig = `${clientConfig}.random`;
      const { writeFile, readFile } = await import("node:fs/promises");
      // Seeded limits only mean the same nodes with rpclimitmethod = random.
      await writeFile(randomConfig, `${await readFile(clientConfig, "utf8")}rpclimitmethod = random\n`);
      const { ruby, phobos } = await both(fleet, args, { configFile: randomConfig });
      expect(phobos.code).toBe(ruby.code);
      expect(normalize(phobos.stdout)).toBe(normalize(ruby.stdout));
      expect(nodeSet(ruby.stdout.replace(/ +$/gm, "")).length).toBeGreaterThan(0);
    },
  );
});

describe("every node answers both mcos", () => {
  it("ping, facts and get_fact see all ten daemons, Ruby and Phobos alike", async () => {
    const ping = await both(fleet, ["ping", "-t", "2"], { configFile: clientConfig });
    const pinged = (out: string) =>
      out
        .split("\n")
        .map((l) => /^(node\d+)\s+time=/.exec(l)?.[1])
        .filter(Boolean)
        .sort();
    const all = NODES.map((n) => n.identity).sort();
    expect(pinged(ping.ruby.stdout)).toEqual(all);
    expect(pinged(ping.phobos.stdout)).toEqual(all);
    for (const args of [
      ["facts", "role", "--dt", "2"],
      ["rpc", "rpcutil", "get_fact", "fact=operatingsystem", "--np", "--dt", "2"],
    ]) {
      const { ruby, phobos } = await both(fleet, args, { configFile: clientConfig });
      expect(phobos.code).toBe(0);
      expect(normalize(phobos.stdout)).toBe(normalize(ruby.stdout));
      expect(ruby.stdout).toMatch(/10 \/ 10 hosts/);
    }
  }, 180_000);
});

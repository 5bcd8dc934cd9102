/**
 * The client's acceptance table: on a ten-node fleet of Ruby and Phobos
 * daemons with varied facts, classes and agents, Phobos's `mco find` selects
 * exactly the nodes Ruby's `mco find` selects, filter after filter, and RPC
 * calls with limits and batches answer from the same nodes with the same data.
 */
import type { RubyFleet } from "@phobos/interop";
import { writeClientConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ECHO_LIBDIR, FILTERS, NODES, nodeSet, pool } from "./filter-fleet.js";
import { both, normalize } from "./harness.js";

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

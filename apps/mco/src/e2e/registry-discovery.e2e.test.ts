/**
 * Registry discovery on the filter table's ten-node Ruby/Phobos fleet:
 * `mco registry refresh` fills a fresh registry from rpcutil inventory
 * (Ruby daemons send no facts in their default registration), then for
 * every filter of the table `mco find --dm registry` selects exactly the
 * nodes `mco find --dm mc` (the daemons themselves) selects; data functions
 * are refused, naming them; `mco rpc` and `default_discovery_method =
 * registry` work end to end; a missing database setting fails in one line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, PluginSettings } from "@phobos/core";
import type { RubyFleet } from "@phobos/interop";
import { writeClientConfig } from "@phobos/interop";
import { openRegistryStore, registrySettings } from "@phobos/registry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ECHO_LIBDIR, FILTERS, NODES, nodeSet, pool } from "./filter-fleet.js";
import { run } from "./harness.js";

let fleet: RubyFleet;
let dir: string;
let database: string;
let clientConfig: string;

const silent = createLogger({ level: "fatal", write: () => undefined });

async function config(name: string, extra: string[]): Promise<string> {
  return writeClientConfig(`${fleet.dir}/${name}`, {
    ...fleet.clientConfigOptions,
    libdir: [ECHO_LIBDIR, "/usr/share/mcollective/plugins"],
    extra,
  });
}

beforeAll(async () => {
  const { startRubyFleet } = await import("@phobos/interop");
  fleet = await startRubyFleet({ vhostPrefix: "phobos-registry-discovery", nodes: NODES });
  dir = mkdtempSync(join(tmpdir(), "regclient-e2e-"));
  database = join(dir, "registry.db");
  // The receiver creates the database; here the store itself does, empty.
  const store = await openRegistryStore(
    registrySettings(new PluginSettings("registration", new Map([["database", database]]))),
    silent,
  );
  await store.close();
  clientConfig = await config("client-registry", [`plugin.registry.database = ${database}`]);
}, 180_000);

afterAll(async () => {
  await fleet?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const phobos = (args: string[], configFile = clientConfig) => run(fleet, "phobos", args, { configFile });
const hasDataFunction = (filter: string[]) => filter.some((word) => /\w\(/.test(word));
const FLEET = new Set(NODES.map((n) => n.identity));

/**
 * `-I name` alone: mc takes the names as found without asking anyone (its
 * identity shortcut); the registry, like puppetdb, answers only those it knows.
 */
function identityShortcut(filter: string[]): string[] | undefined {
  const names = filter.filter((_, i) => i % 2 === 1);
  const plain = filter.every((word, i) => (i % 2 === 0 ? word === "-I" : !word.startsWith("/")));
  return filter.length > 0 && plain ? names : undefined;
}

describe("registry discovery on the ten-node mixed fleet", () => {
  it("mco registry refresh records every node's inventory", async () => {
    const refresh = await phobos(["registry", "refresh", "--dt", "2"]);
    expect(refresh.stderr).toBe("");
    expect(refresh.code).toBe(0);
    expect(refresh.stdout).toContain(`Recorded the inventory of 10 nodes in sqlite:${database}`);
    const list = await phobos(["registry", "-j"]);
    expect(list.code).toBe(0);
    const nodes = JSON.parse(list.stdout) as {
      identity: string;
      source: string;
      stale: boolean;
      facts: Record<string, unknown>;
    }[];
    expect(nodes.map((n) => n.identity).sort()).toEqual(NODES.map((n) => n.identity).sort());
    expect(nodes.every((n) => n.source === "inventory" && !n.stale)).toBe(true);
    // Ruby's and Phobos's inventories both carry the facts as the daemons hold them.
    expect(nodes.find((n) => n.identity === "node3")?.facts.role).toBe("app");
  }, 60_000);

  it(`finds the nodes --dm mc finds, for every filter of the table without data functions`, async () => {
    const results = await pool(FILTERS, 4, async (filter) => {
      const [mc, registry] = await Promise.all([
        phobos(["find", ...filter, "--dm", "mc", "--dt", "2"]),
        phobos(["find", ...filter, "--dm", "registry"]),
      ]);
      return { filter, mc, registry };
    });
    const compared = results.filter(({ filter }) => !hasDataFunction(filter));
    const expected = (filter: string[], mc: { code: number | null; stdout: string }) => {
      const named = identityShortcut(filter)?.filter((name) => FLEET.has(name));
      if (named === undefined) return { code: mc.code, nodes: nodeSet(mc.stdout).join() };
      return { code: named.length > 0 ? 0 : 1, nodes: named.sort().join() };
    };
    const mismatches = compared
      .filter(({ filter, mc, registry }) => {
        const want = expected(filter, mc);
        return want.code !== registry.code || want.nodes !== nodeSet(registry.stdout).join();
      })
      .map(
        ({ filter, mc, registry }) =>
          `mco find ${filter.join(" ")}: mc ${mc.code} [${nodeSet(mc.stdout)}] ${mc.stderr.trim()} / registry ${registry.code} [${nodeSet(registry.stdout)}] ${registry.stderr.trim()}`,
      );
    expect(mismatches).toEqual([]);
    expect(compared.length).toBeGreaterThanOrEqual(50);
    const distinct = new Set(compared.map(({ mc }) => nodeSet(mc.stdout).join()));
    expect(distinct.size).toBeGreaterThanOrEqual(30);

    const refused = results.filter(({ filter }) => hasDataFunction(filter));
    expect(refused.length).toBeGreaterThanOrEqual(5);
    for (const { filter, registry } of refused) {
      const call = filter.find((word) => /\w\(/.test(word))?.match(/(\w+)\("/)?.[1] as string;
      expect(registry.code, filter.join(" ")).not.toBe(0);
      expect(registry.stdout, filter.join(" ")).toBe("");
      expect(registry.stderr, filter.join(" ")).toContain(
        "The registry discovery method cannot evaluate the -S function",
      );
      expect(registry.stderr, filter.join(" ")).toContain(`${call}(`);
    }
  }, 300_000);

  it("drives mco rpc: the discovered nodes, and only they, answer", async () => {
    const result = await phobos(["rpc", "rpcutil", "ping", "--dm", "registry", "-F", "role=web", "-j"]);
    expect(result.code).toBe(0);
    const senders = (JSON.parse(result.stdout) as { sender: string }[]).map((r) => r.sender).sort();
    expect(senders).toEqual(["node1", "node10", "node5", "node6"]);
  }, 60_000);

  it("is the default with default_discovery_method = registry", async () => {
    const file = await config("client-default-registry", [
      `plugin.registry.database = ${database}`,
      "default_discovery_method = registry",
    ]);
    const result = await phobos(["find", "-C", "role::db", "-v"], file);
    expect(result.code).toBe(0);
    expect(nodeSet(result.stdout)).toEqual(["node2", "node7"]);
    expect(result.stderr).toContain("using the registry discovery plugin");
  }, 60_000);

  it("mco registry lists nodes with age, source and stale flag; --stale, filters", async () => {
    // A node that stopped registering a day ago: stale (stale_after 1800 s), not expired.
    const store = await openRegistryStore(
      registrySettings(new PluginSettings("registration", new Map([["database", database]]))),
      silent,
    );
    store.record({
      identity: "gone1",
      source: "agentlist",
      agents: ["rpcutil"],
      seenAt: new Date(Date.now() - 86_400_000),
    });
    await store.flush();
    await store.close();

    const list = await phobos(["registry"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Identity\s+Last seen\s+Source\n/);
    expect(list.stdout).toMatch(/^gone1\s+1d 0h ago\s+agentlist\s+stale$/m);
    expect(list.stdout).toMatch(/^node3\s+\d+[sm]( \d+s)? ago\s+inventory$/m);
    expect(list.stdout).toContain("\n11 nodes, 1 stale\n");
    const stale = await phobos(["registry", "list", "--stale"]);
    expect(stale.stdout.split("\n").filter((l) => /^(node|gone)/.test(l))).toEqual([
      expect.stringMatching(/^gone1\s/),
    ]);
    const web = await phobos(["registry", "-F", "role=web"]);
    const listed = web.stdout.split("\n").flatMap((l) => /^(node\d+)\s/.exec(l)?.[1] ?? []);
    expect(listed).toEqual(["node1", "node10", "node5", "node6"]);

    expect(nodeSet((await phobos(["find", "--dm", "registry", "-I", "/^gone/"])).stdout)).toEqual([]);
    const included = await phobos(["find", "--dm", "registry", "--do", "include_stale", "-I", "/^gone/"]);
    expect(included.stdout).toBe("gone1\n");

    const wrong = await phobos(["registry", "prune"]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("Unknown registry command 'prune': use list or refresh");
  }, 60_000);

  it("fails in one line naming the key when plugin.registry.database is not set", async () => {
    const file = await config("client-no-registry", []);
    for (const args of [["find", "--dm", "registry"], ["registry"]]) {
      const result = await phobos(args, file);
      expect(result.code, args.join(" ")).not.toBe(0);
      expect(result.stdout, args.join(" ")).toBe("");
      expect(result.stderr, args.join(" ")).toContain("plugin.registry.database: is not set");
    }
  }, 60_000);
});

/**
 * Phobos's mco and Ruby's mco side by side, same arguments, same fleet of
 * two Ruby and two Phobos daemons: identical stdout (after normalize) and
 * identical exit codes.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type RubyFleet, writeClientConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  both,
  jsonBySender,
  MIXED_NODES,
  messagesReceived,
  normalize,
  run,
  startMixedFleet,
} from "./harness.js";

let fleet: RubyFleet;

beforeAll(async () => {
  fleet = await startMixedFleet("mco-compare");
});

afterAll(async () => {
  await fleet?.dispose();
});

const DT = ["--dt", "1"];

async function same(args: string[], options: { counters?: boolean; code?: number } = {}) {
  const { ruby, phobos } = await both(fleet, args);
  expect(ruby.code, `ruby: ${ruby.stderr}`).toBe(options.code ?? 0);
  expect(phobos.code, `phobos: ${phobos.stderr}`).toBe(ruby.code);
  expect(normalize(phobos.stdout, options)).toBe(normalize(ruby.stdout, options));
  return { ruby, phobos };
}

describe.concurrent("the same stdout and exit code as Ruby's mco", () => {
  it("ping", async () => {
    const { phobos } = await same(["ping", "-t", "1"]);
    expect(phobos.stdout).toMatch(/^4 replies max: [\d.]+ min: [\d.]+ avg: [\d.]+ $/m);
  });

  it("ping with a filter nobody matches: no responses, exit 4", async () => {
    const { phobos } = await same(["ping", "-t", "1", "-F", "role=nothing"], { code: 4 });
    expect(phobos.stdout).toBe("\n\n---- ping statistics ----\nNo responses received\n");
  });

  for (const filter of [
    [],
    ["-F", "operatingsystem=Debian"],
    ["--with-fact", "osfamily=Debian"],
    ["-C", "role::db"],
    ["-C", "/role::(web|app)/"],
    ["-I", "/node[12]/"],
    ["-A", "rpcutil"],
    ["-W", "os::debian role=cache"],
    ["-S", "operatingsystem=Debian or (role=db and not datacenter=dc1)"],
    ["-S", "fact('role').value=web"],
  ]) {
    it(`find ${filter.join(" ")}`, async () => {
      const { phobos } = await same(["find", ...filter, ...DT]);
      expect(phobos.stdout).not.toBe("");
    });
  }

  it("find -I node3: no discovery at all", async () => {
    const { phobos } = await same(["find", "-I", "node3"]);
    expect(phobos.stdout).toBe("node3\n");
  });

  it("find with nothing found: exit 1", async () => {
    await same(["find", "-F", "role=nothing", ...DT], { code: 1 });
  });

  it("facts operatingsystem", async () => {
    const { phobos } = await same(["facts", "operatingsystem", ...DT]);
    expect(phobos.stdout).toMatch(/^ {8}Debian {35}found 2 times$/m);
  });

  it("facts role -v", async () => {
    await same(["facts", "role", "-v", ...DT], { counters: true });
  });

  it("inventory of a Ruby daemon", async () => {
    const { phobos } = await same(["inventory", "node1"], { counters: true });
    expect(phobos.stdout).toContain(`                   Process ID: ${fleet.node("node1").pid}\n`);
  });

  it("inventory of a Phobos daemon", async () => {
    const { phobos } = await same(["inventory", "node3"], { counters: true });
    expect(phobos.stdout).toContain(`                  Config File: ${fleet.node("node3").configFile}\n`);
  });

  it("inventory --list-collectives", async () => {
    await same(["inventory", "--list-collectives", ...DT]);
  });

  it("rpc rpcutil ping", async () => {
    const { phobos } = await same(["rpc", "rpcutil", "ping", ...DT]);
    expect(phobos.stderr).toBe("Discovering hosts using the mc method for 1 second(s) .... 4\n");
    expect(phobos.stdout).toContain("\r0 / 4\r1 / 4\r2 / 4\r3 / 4\r4 / 4\n");
  });

  it("rpc rpcutil get_fact fact=role: results and the summary", async () => {
    const { phobos } = await same(["rpc", "rpcutil", "get_fact", "fact=role", ...DT]);
    expect(phobos.stdout).toContain("Summary of Value:\n\n");
  });

  it("rpc rpcutil daemon_stats of each kind of daemon: pretty_inspect of Arrays and Hashes", async () => {
    await same(["rpc", "rpcutil", "daemon_stats", "-I", "node2"], { counters: true });
    await same(["rpc", "rpcutil", "daemon_stats", "-I", "node4"], { counters: true });
  });

  it("rpc rpcutil get_data from each kind of daemon", async () => {
    const args = [
      "rpc",
      "rpcutil",
      "get_data",
      "source=fstat",
      "query=/etc/hostname",
      "-I",
      "node1",
      "-I",
      "node3",
    ];
    const { ruby, phobos } = await both(fleet, args);
    // Reading the file for its md5 moves its atime (relatime), so whichever
    // daemon reads first changes what the next one reports.
    const age = (s: string) =>
      normalize(s)
        .replace(/_age: \d+/g, "_age: N")
        .replace(/(atime(?:_seconds)?): .*/g, "$1: A");
    expect([ruby.code, phobos.code]).toEqual([0, 0]);
    expect(age(phobos.stdout)).toBe(age(ruby.stdout));
  });

  it("rpc rpcutil get_config_item: a value, and an error reply (exit 2)", async () => {
    await same(["rpc", "rpcutil", "get_config_item", "item=collectives", "-I", "node1", "-I", "node3"]);
    const { phobos } = await same(
      ["rpc", "rpcutil", "get_config_item", "item=no_such", "-I", "node2", "-I", "node4"],
      {
        code: 2,
      },
    );
    expect(phobos.stdout).toContain("Request Aborted\n   Unknown config property no_such\n");
    expect(phobos.stdout).toContain("     No aggregate summary could be computed\n");
  });

  it("rpc rpcutil collective_info and agent_inventory", async () => {
    await same(["rpc", "rpcutil", "collective_info", ...DT]);
    const { ruby, phobos } = await both(fleet, [
      "rpc",
      "rpcutil",
      "agent_inventory",
      "-I",
      "node2",
      "-I",
      "node3",
      "-j",
    ]);
    expect(jsonBySender(phobos.stdout)).toEqual(jsonBySender(ruby.stdout));
  });

  it("rpc --json: the same data, compact off a terminal", async () => {
    const { ruby, phobos } = await both(fleet, [
      "rpc",
      "rpcutil",
      "get_fact",
      "fact=node_index",
      "-j",
      ...DT,
    ]);
    expect([ruby.code, phobos.code]).toEqual([0, 0]);
    expect(phobos.stdout.split("\n")).toHaveLength(2);
    expect(jsonBySender(phobos.stdout)).toEqual(jsonBySender(ruby.stdout));
    expect(phobos.stderr).toBe("");
  });

  it("rpc --json with an error reply: exit 2", async () => {
    const { ruby, phobos } = await both(fleet, [
      "rpc",
      "rpcutil",
      "get_config_item",
      "item=x",
      "-I",
      "node1",
      "-I",
      "node4",
      "-j",
    ]);
    expect([ruby.code, phobos.code]).toEqual([2, 2]);
    expect(jsonBySender(phobos.stdout)).toEqual(jsonBySender(ruby.stdout));
  });

  it("rpc --limit 2: two of four", async () => {
    const { ruby, phobos } = await both(fleet, ["rpc", "rpcutil", "ping", "--limit", "2", ...DT]);
    expect([ruby.code, phobos.code]).toEqual([0, 0]);
    for (const r of [ruby, phobos]) expect(r.stdout).toMatch(/^Finished processing 2 \/ 2 hosts in/m);
  });

  it("rpc --limit 50% with rpclimitmethod=random and --limit-seed: the same nodes as Ruby picks", async () => {
    const configFile = await writeClientConfig(join(fleet.dir, "client-random"), {
      ...fleet.clientConfigOptions,
      extra: { rpclimitmethod: "random" },
    });
    const args = ["rpc", "rpcutil", "ping", "--limit", "50%", "--limit-seed", "7", ...DT];
    const { ruby, phobos } = await both(fleet, args, { configFile });
    expect([ruby.code, phobos.code]).toEqual([0, 0]);
    expect(normalize(phobos.stdout)).toBe(normalize(ruby.stdout));
    expect(phobos.stdout).toMatch(/^Finished processing 2 \/ 4 hosts in/m);
  });

  it("rpc --batch 1", async () => {
    const { phobos } = await same(["rpc", "rpcutil", "ping", "--batch", "1", "--batch-sleep", "0", ...DT]);
    expect(phobos.stdout).toMatch(/^\n\r0 \/ 4\r1 \/ 4\r2 \/ 4\r3 \/ 4\r4 \/ 4\n\n\S/);
  });

  it("rpc --no-results: the request id, nothing else", async () => {
    const { phobos } = await same(["rpc", "rpcutil", "ping", "--no-results"]);
    expect(phobos.stdout).toMatch(/^Request sent with id: [0-9a-f]{32}\n$/);
  });

  it("rpc -I: no discovery, straight to the nodes named", async () => {
    const { phobos } = await same(["rpc", "rpcutil", "ping", "-I", "node2", "-I", "node3"]);
    expect(phobos.stderr).toBe("");
    expect(phobos.stdout).toMatch(/^Finished processing 2 \/ 2 hosts/m);
  });

  it("rpc -I with a node that does not answer: the No response block", async () => {
    const { phobos } = await same(["rpc", "rpcutil", "ping", "-I", "node1", "-I", "ghost", "-t", "1"]);
    expect(phobos.stdout).toMatch(/^No response from:\n\n {4}ghost {26}/m);
  });

  it("rpc -v: the old layout and the statistics block", async () => {
    const strip = (s: string) => normalize(s);
    const { ruby, phobos } = await both(fleet, ["rpc", "rpcutil", "get_fact", "fact=role", "-v", ...DT]);
    expect([ruby.code, phobos.code]).toEqual([0, 0]);
    expect(strip(phobos.stdout)).toBe(strip(ruby.stdout));
    expect(phobos.stdout).toContain("---- rpcutil#get_fact call stats ----\n           Nodes: 4 / 4\n");
  });

  it("rpc --display ok hides the failures", async () => {
    await same(["rpc", "rpcutil", "get_config_item", "item=no_such", "-I", "node1", "--display", "ok"], {
      code: 2,
    });
  });

  it("ping --graph: the sparkline after the statistics", async () => {
    // The ticks depend on how the replies spread over 50 ms buckets in each run.
    const { ruby, phobos } = await both(fleet, ["ping", "-g", "-t", "1"]);
    const spark = (s: string) => normalize(s).replace(/[▁▂▃▄▅▆▇]+$/m, "SPARK");
    expect([ruby.code, phobos.code]).toEqual([0, 0]);
    expect(spark(phobos.stdout)).toBe(spark(ruby.stdout));
    expect(phobos.stdout).toMatch(/^4 replies max: [\d.]+ min: [\d.]+ avg: [\d.]+ [▁▂▃▄▅▆▇]+$/m);
  });

  it("inventory --collective-graph: the same DOT graph", async () => {
    const rubyFile = join(fleet.dir, "ruby.dot");
    const phobosFile = join(fleet.dir, "phobos.dot");
    const [ruby, phobos] = await Promise.all([
      run(fleet, "ruby", ["inventory", "--cg", rubyFile, ...DT]),
      run(fleet, "phobos", ["inventory", "--collective-graph", phobosFile, ...DT]),
    ]);
    expect([ruby.code, phobos.code]).toEqual([0, 0]);
    expect(phobos.stdout).toBe(ruby.stdout.replace(rubyFile, phobosFile));
    const graph = async (f: string) => (await readFile(f, "utf8")).split("\n").sort();
    expect(await graph(phobosFile)).toEqual(await graph(rubyFile));
  });

  it("inventory --script: an MCollective Ruby report script gives the same report", async () => {
    const script = join(fleet.dir, "report.rb");
    await writeFile(
      script,
      'inventory do\n  format "%s:\\t%s\\t%s"\n  fields { [ identity, facts["operatingsystem"], facts["role"] ] }\nend\n',
    );
    const { ruby, phobos } = await both(fleet, ["inventory", "--script", script, ...DT]);
    expect([ruby.code, phobos.code]).toEqual([0, 0]);
    expect(phobos.stdout.split("\n").sort()).toEqual(ruby.stdout.split("\n").sort());
    expect(phobos.stdout).toContain("node3:\tUbuntu\tapp\n");
  });

  it("inventory --script: a JavaScript report", async () => {
    const script = join(fleet.dir, "report.mjs");
    await writeFile(
      script,
      'export default { format: "%s %s", fields: (n) => [n.identity, n.classes.length] };\n',
    );
    const r = await run(fleet, "phobos", ["inventory", "--script", script, ...DT]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n").sort()).toEqual(["", "node1 3", "node2 3", "node3 3", "node4 3"]);
  });

  it("rpc with the agent and action as options", async () => {
    await same(["rpc", "--agent", "rpcutil", "--action", "get_fact", "--arg", "fact=datacenter", ...DT]);
  });
});

// Sequential, after the concurrent block: each case reads the daemons'
// message counters before and after one Phobos run, so nothing else may
// send to the fleet meanwhile. Discovery would show as one more message per
// node; the closing daemon_stats request is the +1 every node sees.
describe("what reaches the daemons", () => {
  const identities = MIXED_NODES.map((n) => n.identity);
  const delta = async (args: string[]) => {
    const before = await messagesReceived(fleet, identities);
    const r = await run(fleet, "phobos", args);
    expect(r.code, r.stderr).toBe(0);
    const after = await messagesReceived(fleet, identities);
    return Object.fromEntries(identities.map((id) => [id, (after[id] ?? 0) - (before[id] ?? 0)]));
  };

  it("find -I node3 sends nothing: no discovery for a plain identity", async () => {
    expect(await delta(["find", "-I", "node3"])).toEqual({ node1: 1, node2: 1, node3: 1, node4: 1 });
  });

  it("rpc --no-results sends the request once, with no discovery before it", async () => {
    expect(await delta(["rpc", "rpcutil", "ping", "--no-results"])).toEqual({
      node1: 2,
      node2: 2,
      node3: 2,
      node4: 2,
    });
  });

  it("rpc -I sends only to the nodes named", async () => {
    expect(await delta(["rpc", "rpcutil", "ping", "-I", "node2", "-I", "node3"])).toEqual({
      node1: 1,
      node2: 2,
      node3: 2,
      node4: 1,
    });
  });
});

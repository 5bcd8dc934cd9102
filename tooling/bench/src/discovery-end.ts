/**
 * bench:discovery-end — how long `mco ping`, `mco find` and a discovered
 * `mco rpc rpcutil ping` take as whole processes when discovery waits its
 * fixed window (MCollective's way, Phobos's default), ends on a quiet
 * sliding window (`--discovery-window`), or ends once the expected nodes
 * answered (`discovery_expected = registry`, a SQLite node registry holding
 * the fleet, or `--expected flatfile`: a file listing it); Ruby's `mco`
 * beside, with its fixed window. Fleets: 6 daemons (3 Ruby, 3 Phobos
 * mcollectived) on the machine's RabbitMQ, and 100 and 1,000 simulated
 * nodes (fleet-sim) on an embedded broker of their own. Every row says how
 * many nodes the runs found at worst: a fast mode that misses nodes is no win.
 *
 *   pnpm --filter @phobos/bench run bench:discovery-end [--sizes 6,100,1000]
 *     [--runs 5] [--window 0.3] [--expected registry|flatfile] [--no-ruby]
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { configFromText, consoleSink, createLogger, pluginSettings } from "@phobos/core";
import { type RubyFleetNode, startRubyFleet, writeClientConfig } from "@phobos/interop";
import { openRegistryStore, registrySettings } from "@phobos/registry";
import { type Impl, parseFinished, parsePing, runMco } from "./lib/mco.js";
import type { RunResult } from "./lib/run.js";
import { openSite, startSimFleet } from "./lib/site.js";
import { fmt, median, table } from "./lib/stats.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "6,100,1000" },
    runs: { type: "string", default: "5" },
    window: { type: "string", default: "0.3" },
    "no-ruby": { type: "boolean", default: false },
    expected: { type: "string", default: "registry" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const runs = Number(values.runs);
const window = values.window;
const expectedSource = values.expected;
if (expectedSource !== "registry" && expectedSource !== "flatfile") {
  throw new Error(`--expected: registry or flatfile, not ${expectedSource}`);
}

type Mode = "fixed" | "sliding" | "expected";
type Command = "help" | "ping" | "find" | "rpc";

const COMMANDS: Record<Command, readonly string[]> = {
  help: ["help"],
  ping: ["ping"],
  find: ["find"],
  rpc: ["rpc", "rpcutil", "ping", "--np"],
};

interface Row {
  fleet: string;
  command: Command;
  mode: Mode;
  impl: Impl;
  wallMs: number[];
  found: number[];
  nodes: number;
}
const rows: Row[] = [];
const failures: string[] = [];

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Nodes a run reached: ping's replies, find's lines, rpc's finished hosts. */
function nodesFound(command: Command, result: RunResult): number {
  if (command === "ping") return parsePing(result.stdout)?.replies ?? 0;
  if (command === "rpc") return parseFinished(result.stdout)?.done ?? 0;
  if (command === "help") return Number.NaN;
  return result.stdout.split("\n").filter((l) => l.trim() !== "").length;
}

interface Target {
  name: string;
  nodes: readonly string[];
  /** Client configs: the fixed window (also Ruby's), and with the fleet as the expected set. */
  fixedConfig: string;
  expectedConfig: string;
}

async function measure(target: Target, impls: readonly Impl[]): Promise<void> {
  for (const command of ["help", "ping", "find", "rpc"] as const) {
    const cases: { mode: Mode; impl: Impl; args: string[] }[] = [];
    for (const impl of impls) cases.push({ mode: "fixed", impl, args: ["-c", target.fixedConfig] });
    // `mco help` connects to nothing: the floor a process start costs on this machine now.
    if (command !== "help")
      cases.push(
        { mode: "sliding", impl: "phobos", args: ["-c", target.fixedConfig, "--discovery-window", window] },
        { mode: "expected", impl: "phobos", args: ["-c", target.expectedConfig] },
      );
    const got = cases.map((c) => ({ ...c, wallMs: [] as number[], found: [] as number[] }));
    for (const c of got) await runMco(c.impl, [...COMMANDS[command], ...c.args]); // warm the page cache
    // Interleaved, so every mode sees the same machine load.
    for (let i = 0; i < runs; i++) {
      for (const c of got) {
        const result = await runMco(c.impl, [...COMMANDS[command], ...c.args], { timeoutMs: 60_000 });
        if (result.code !== 0) {
          const why = result.stderr.trim().split("\n").slice(-2).join(" ");
          failures.push(`${target.name}: ${c.impl} mco ${command} (${c.mode}) exited ${result.code}: ${why}`);
          log(failures[failures.length - 1] as string);
          continue;
        }
        c.wallMs.push(result.wallMs);
        c.found.push(nodesFound(command, result));
      }
    }
    for (const c of got) {
      rows.push({
        fleet: target.name,
        command,
        mode: c.mode,
        impl: c.impl,
        wallMs: c.wallMs,
        found: c.found,
        nodes: target.nodes.length,
      });
      log(
        `${target.name} ${c.impl} mco ${command} ${c.mode}: ${fmt(median(c.wallMs), 0)} ms, found ${Math.min(...c.found)}`,
      );
    }
  }
}

/**
 * The expected-set client config: the fixed one's broker and security, and the fleet as the
 * expected source: a node registry (SQLite) holding every node as registration would, or a flatfile.
 */
async function expectedConfig(
  dir: string,
  target: Omit<Target, "expectedConfig" | "fixedConfig">,
  settings: Parameters<typeof writeClientConfig>[1],
) {
  if (expectedSource === "flatfile") {
    const file = join(dir, "expected-nodes.txt");
    await writeFile(file, `${target.nodes.join("\n")}\n`);
    return writeClientConfig(join(dir, "client-expected"), {
      ...settings,
      extra: { discovery_expected: "flatfile", discovery_expected_options: file },
    });
  }
  const database = join(dir, "registry.db");
  const store = await openRegistryStore(
    registrySettings(pluginSettings(configFromText(`plugin.registry.database = ${database}\n`), "registry")),
    createLogger(consoleSink("warn")),
  );
  for (const identity of target.nodes) {
    store.record({
      identity,
      collective: "mcollective",
      agents: ["discovery", "rpcutil"],
      source: "agentlist",
    });
  }
  await store.flush();
  await store.close();
  return writeClientConfig(join(dir, "client-expected"), {
    ...settings,
    extra: { discovery_expected: "registry", "plugin.registry.database": database },
  });
}

const impls: readonly Impl[] = values["no-ruby"] ? ["phobos"] : ["phobos", "ruby"];
for (const size of sizes) {
  if (size === 6) {
    // A real mixed fleet: Ruby and Phobos mcollectived, on the machine's RabbitMQ (six connections).
    const nodes: RubyFleetNode[] = [1, 2, 3].flatMap((n) => [
      { identity: `ruby-${n}` },
      { identity: `phobos-${n}`, implementation: "phobos" as const },
    ]);
    const fleet = await startRubyFleet({ vhostPrefix: "window-bench", nodes, startTimeoutMs: 120_000 });
    try {
      const identities = nodes.map((n) => n.identity);
      const target = { name: "6 daemons (3 Ruby, 3 Phobos)", nodes: identities };
      const settings = { identity: "window-bench-client", broker: fleet.broker, security: fleet.security };
      await measure(
        {
          ...target,
          fixedConfig: fleet.clientConfig,
          expectedConfig: await expectedConfig(fleet.dir, target, settings),
        },
        impls,
      );
    } finally {
      await fleet.dispose();
    }
    continue;
  }
  const site = await openSite("embedded");
  try {
    const sim = await startSimFleet(site, { count: size });
    try {
      const target = { name: `${size} simulated nodes`, nodes: sim.identities };
      const settings = { identity: "phobos-bench-client", broker: site.broker, security: site.security };
      await measure(
        {
          ...target,
          fixedConfig: site.clientConfig,
          expectedConfig: await expectedConfig(site.dir, target, settings),
        },
        impls,
      );
    } finally {
      await sim.stop();
    }
  } finally {
    await site.dispose();
  }
}

const MODE_TEXT: Record<Mode, string> = {
  fixed: "fixed window",
  sliding: `sliding ${window} s`,
  expected: `expected set (${expectedSource})`,
};
console.log(
  `\n## Discovery that ends early: whole \`mco\` process, wall time (median of ${runs} interleaved runs)\n`,
);
console.log(
  table(
    ["fleet", "command", "client", "discovery ends", "wall ms", "nodes found (worst run)", "missed"],
    rows.map((r) => {
      const worst = r.found.length > 0 ? Math.min(...r.found) : Number.NaN;
      const floor = r.command === "help";
      return [
        r.fleet,
        r.command === "rpc" ? "`mco rpc rpcutil ping`" : `\`mco ${r.command}\``,
        r.impl === "ruby" ? "Ruby mco" : "Phobos mco",
        floor ? "(process floor)" : MODE_TEXT[r.mode],
        fmt(median(r.wallMs), 0),
        floor ? "-" : `${fmt(worst, 0)} / ${r.nodes}`,
        floor ? "-" : fmt(r.nodes - worst, 0),
      ];
    }),
  ),
);
if (failures.length > 0)
  console.log(`\nFailed runs (not in the figures):\n${failures.map((f) => `- ${f}`).join("\n")}`);

/**
 * bench:fanout — `ping` and `rpcutil ping` over simulated fleets of 10 to
 * 5,000 nodes on RabbitMQ and on the embedded broker: time to the last reply,
 * replies lost, client CPU; Phobos and Ruby MCollective side by side, both
 * timed inside the client (one call) and as whole `mco` processes.
 *
 *   pnpm --filter @phobos/bench run bench:fanout [--sizes 10,100,1000,5000]
 *     [--brokers rabbitmq,embedded] [--rounds 100] [--ruby-rounds 10] [--no-ruby]
 *     [--in-process-only] [--broker-port N]
 *
 * `--in-process-only` skips the whole-`mco` tables; `--broker-port` puts the embedded broker on a
 * given port (default: any free one).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startBenchRabbit } from "./lib/bench-rabbitmq.js";
import { type Kind, phobosClient, type Round, rubyRounds } from "./lib/clients.js";
import { IMPLS, type Impl, parseFinished, parsePing, runMco } from "./lib/mco.js";
import type { RunResult } from "./lib/run.js";
import { type BrokerKind, openSite, startSimFleet } from "./lib/site.js";
import { fmt, median, percentile, ratio, table } from "./lib/stats.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10,100,1000,5000" },
    brokers: { type: "string", default: "rabbitmq,embedded" },
    rounds: { type: "string", default: "100" },
    "ruby-rounds": { type: "string", default: "10" },
    "no-ruby": { type: "boolean", default: false },
    "in-process-only": { type: "boolean", default: false },
    "broker-port": { type: "string", default: "0" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const brokers = values.brokers.split(",") as BrokerKind[];
const rounds = Number(values.rounds);
const rubyRoundCount = Number(values["ruby-rounds"]);
const impls: readonly Impl[] = values["no-ruby"] ? ["phobos"] : IMPLS;
for (const b of brokers)
  if (b !== "rabbitmq" && b !== "embedded") throw new Error(`--brokers: unknown broker ${b}`);

const KINDS: readonly Kind[] = ["discovery-ping", "rpcutil-ping"];
/** From this size on, fewer rounds of the slower cases keep the run within minutes. */
const LARGE = 5000;
/** Every size gets `--rounds` pings; large fleets 20 rpcutil pings (and Ruby 3 rounds of each). */
function roundsFor(kind: Kind, nodes: number): number {
  return kind === "rpcutil-ping" && nodes >= LARGE ? Math.min(20, rounds) : rounds;
}
/** Generous: a lost reply shows as lost, not as a slow round. */
const TIMEOUT_S = 10;

interface InProcessRow {
  broker: BrokerKind;
  nodes: number;
  kind: Kind;
  impl: Impl;
  rounds: Round[];
}
interface ProcessRow {
  broker: BrokerKind;
  nodes: number;
  command: string;
  impl: Impl;
  replies: number;
  lastMs: number;
  wallMs: number;
  cpuMs: number;
}

const inProcess: InProcessRow[] = [];
const processes: ProcessRow[] = [];

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

const failedRuns: string[] = [];
/** A failed mco run shows as "-" in its row and is listed under the tables, with its error. */
function reportFailure(result: RunResult, what: string): void {
  if (result.code === 0) return;
  const why = result.stderr.trim().split("\n").filter(Boolean).slice(-2).join(" ");
  failedRuns.push(`${what} exited with ${result.code}: ${why}`);
  log(failedRuns[failedRuns.length - 1] as string);
}

let failure: unknown;
const rabbit = brokers.includes("rabbitmq") ? await startBenchRabbit() : undefined;
if (rabbit) log(`RabbitMQ: ${rabbit.description}`);
try {
  for (const broker of brokers) {
    const site = await openSite(broker, { port: Number(values["broker-port"]) });
    try {
      for (const nodes of sizes) {
        log(`[${broker}] starting ${nodes} simulated nodes…`);
        const fleet = await startSimFleet(site, { count: nodes }).catch((error: unknown) => {
          log(`[${broker}] ${nodes} nodes: ${(error as Error).message}`);
          throw error;
        });
        log(`[${broker}] ${nodes} nodes ready in ${String(fleet.ready.readyMs)} ms`);
        try {
          // One call, timed inside the client.
          const client = await phobosClient(site.clientConfig);
          try {
            for (const kind of KINDS) {
              for (let i = 0; i < 3; i++) await client.round(kind, fleet.identities, TIMEOUT_S); // warm-up
              const got: Round[] = [];
              const n = roundsFor(kind, nodes);
              for (let i = 0; i < n; i++) got.push(await client.round(kind, fleet.identities, TIMEOUT_S));
              inProcess.push({ broker, nodes, kind, impl: "phobos", rounds: got });
            }
          } finally {
            await client.close();
          }
          if (impls.includes("ruby")) {
            for (const kind of KINDS) {
              // The first round warms Ruby up (connect, plugin loading, subscriptions): dropped.
              const n = nodes >= LARGE ? Math.min(3, rubyRoundCount) : rubyRoundCount;
              const got = await rubyRounds(site.clientConfig, kind, fleet.identities, n + 1, 60);
              inProcess.push({ broker, nodes, kind, impl: "ruby", rounds: got.slice(1) });
            }
          }
          if (values["in-process-only"]) continue;
          // Whole mco processes.
          const nodesFile = join(site.dir, `nodes-${nodes}.txt`);
          await writeFile(nodesFile, `${fleet.identities.join("\n")}\n`);
          const pingTimeout = nodes >= 1000 ? 5 : 2;
          for (const impl of impls) {
            const ping = await runMco(impl, [
              "ping",
              "-t",
              String(pingTimeout),
              "--config",
              site.clientConfig,
            ]);
            reportFailure(ping, `[${broker}] ${nodes} nodes: ${impl} mco ping`);
            const p = parsePing(ping.stdout);
            processes.push({
              broker,
              nodes,
              command: `mco ping -t ${pingTimeout}`,
              impl,
              replies: p?.replies ?? 0,
              lastMs: p?.maxMs ?? Number.NaN,
              wallMs: ping.wallMs,
              cpuMs: ping.cpuMs,
            });
            const rpc = await runMco(impl, [
              ...["rpc", "rpcutil", "ping", "--np", "-t", String(TIMEOUT_S)],
              ...["--nodes", nodesFile, "--config", site.clientConfig],
            ]);
            reportFailure(rpc, `[${broker}] ${nodes} nodes: ${impl} mco rpc rpcutil ping`);
            const f = parseFinished(rpc.stdout);
            processes.push({
              broker,
              nodes,
              command: "mco rpc rpcutil ping --nodes FILE",
              impl,
              replies: f?.done ?? 0,
              lastMs: f?.ms ?? Number.NaN,
              wallMs: rpc.wallMs,
              cpuMs: rpc.cpuMs,
            });
          }
        } finally {
          await fleet.stop();
        }
      }
    } finally {
      await site.dispose();
    }
  }
} catch (error) {
  // Print what was measured before the failure, then the failure.
  failure = error;
} finally {
  rabbit?.stop();
}

const summary = (rs: Round[]) => ({
  median: median(rs.map((r) => r.ms)),
  p99: percentile(
    rs.map((r) => r.ms),
    99,
  ),
  max: Math.max(...rs.map((r) => r.ms)),
  lost: rs.reduce((s, r) => s + r.lost, 0),
  cpu: median(rs.map((r) => r.cpuMs)),
  rounds: rs.length,
});

console.log(`\n## One call, timed inside the client \n`);
const rows1: string[][] = [];
for (const broker of brokers)
  for (const nodes of sizes)
    for (const kind of KINDS) {
      const ph = inProcess.find(
        (r) => r.broker === broker && r.nodes === nodes && r.kind === kind && r.impl === "phobos",
      );
      const rb = inProcess.find(
        (r) => r.broker === broker && r.nodes === nodes && r.kind === kind && r.impl === "ruby",
      );
      if (!ph) continue;
      const p = summary(ph.rounds);
      const r = rb ? summary(rb.rounds) : undefined;
      rows1.push([
        broker,
        String(nodes),
        kind === "discovery-ping" ? "ping" : "rpcutil ping",
        `${p.rounds} / ${r ? r.rounds : "-"}`,
        `${fmt(p.median)} / ${fmt(p.p99)} / ${fmt(p.max)}`,
        r ? `${fmt(r.median)} / ${fmt(r.max)}` : "-",
        ratio(p.median, r?.median),
        `${p.lost} / ${p.rounds * nodes}`,
        r ? `${r.lost} / ${r.rounds * nodes}` : "-",
        fmt(p.cpu),
        r ? fmt(r.cpu) : "-",
        fmt((nodes / p.median) * 1000, 0),
      ]);
    }
console.log(
  table(
    [
      "broker",
      "nodes",
      "request",
      "rounds Phobos / Ruby",
      "Phobos last reply ms (median/p99/max)",
      "Ruby (median/max)",
      "Ruby/Phobos",
      "Phobos lost",
      "Ruby lost",
      "Phobos CPU ms",
      "Ruby CPU ms",
      "Phobos replies/s",
    ],
    rows1,
  ),
);

console.log("\n## Whole mco processes (one run each)\n");
const rows2: string[][] = [];
for (const broker of brokers)
  for (const nodes of sizes)
    for (const command of [...new Set(processes.map((p) => p.command))].filter((c) =>
      processes.some((p) => p.command === c && p.nodes === nodes && p.broker === broker),
    )) {
      const ph = processes.find(
        (p) => p.broker === broker && p.nodes === nodes && p.command === command && p.impl === "phobos",
      );
      const rb = processes.find(
        (p) => p.broker === broker && p.nodes === nodes && p.command === command && p.impl === "ruby",
      );
      if (!ph) continue;
      rows2.push([
        broker,
        String(nodes),
        command,
        `${ph.replies} / ${rb ? rb.replies : "-"}`,
        `${fmt(ph.lastMs)} / ${rb ? fmt(rb.lastMs) : "-"}`,
        ratio(ph.lastMs, rb?.lastMs),
        `${fmt(ph.wallMs, 0)} / ${rb ? fmt(rb.wallMs, 0) : "-"}`,
        `${fmt(ph.cpuMs, 0)} / ${rb ? fmt(rb.cpuMs, 0) : "-"}`,
        ratio(ph.cpuMs, rb?.cpuMs),
      ]);
    }
console.log(
  table(
    [
      "broker",
      "nodes",
      "command",
      "replies Phobos / Ruby",
      "last reply ms Phobos / Ruby",
      "Ruby/Phobos",
      "wall ms Phobos / Ruby",
      "client CPU ms Phobos / Ruby",
      "CPU Ruby/Phobos",
    ],
    rows2,
  ),
);
const lost = inProcess.filter((r) => r.impl === "phobos").reduce((s, r) => s + summary(r.rounds).lost, 0);
console.log(`\nPhobos replies lost over all rounds: ${lost}`);
if (lost > 0) process.exitCode = 1;
for (const failed of failedRuns) console.log(`\nFailed: ${failed}`);
if (failure !== undefined) {
  console.error(failure);
  process.exitCode = 1;
}

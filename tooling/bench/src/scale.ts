/**
 * bench:scale — past one broker: `ping` and `rpcutil ping` from the Phobos
 * client to 5,000 and 10,000 simulated nodes on one RabbitMQ node (STOMP or
 * AMQP), on the embedded broker and on a three-node RabbitMQ cluster; per
 * case the time to the last reply (median, max), replies lost, and where the
 * CPU went per round (broker, fleet-sim, client); Ruby's `mco ping` beside.
 *
 *   pnpm --filter @phobos/bench run bench:scale [--sizes 5000,10000] [--rounds 20]
 *     [--brokers rabbitmq,embedded,cluster] [--kinds ping,rpc] [--transports stomp,amqp]
 *     [--procs K] [--timeout 10] [--no-ruby] [--cpu-prof DIR]
 *     [--rabbit-conf 'key = value;…'] [--erl-args '+sbwt none']
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeClientConfig } from "@phobos/interop";
import { type BenchRabbit, startBenchRabbit } from "./lib/bench-rabbitmq.js";
import type { Kind } from "./lib/clients.js";
import { parsePing, runMco } from "./lib/mco.js";
import { runScaleCase, type ScaleCaseResult } from "./lib/scale-case.js";
import { openScaleSite, type ScaleBroker, type ScaleSite, type Transport } from "./lib/scale-site.js";
import { fmt, median, table } from "./lib/stats.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "5000,10000" },
    rounds: { type: "string", default: "20" },
    brokers: { type: "string", default: "rabbitmq,embedded,cluster" },
    kinds: { type: "string", default: "ping,rpc" },
    transports: { type: "string", default: "stomp" },
    procs: { type: "string" },
    timeout: { type: "string", default: "10" },
    "no-ruby": { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
    "rabbit-conf": { type: "string", default: "" },
    "erl-args": { type: "string", default: "" },
  },
});

function list<T extends string>(name: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(",").filter(Boolean);
  for (const item of items)
    if (!allowed.includes(item as T))
      throw new Error(`--${name}: unknown ${item} (one of ${allowed.join(", ")})`);
  if (items.length === 0) throw new Error(`--${name} is empty`);
  return items as T[];
}
const positive = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, not ${text}`);
  return n;
};
const sizes = values.sizes.split(",").map((s) => positive("sizes", s));
const rounds = positive("rounds", values.rounds);
const brokers = list<ScaleBroker>("brokers", values.brokers, ["rabbitmq", "embedded", "cluster"]);
const KIND_OF = { ping: "discovery-ping", rpc: "rpcutil-ping" } as const;
const kinds: Kind[] = list("kinds", values.kinds, ["ping", "rpc"] as const).map((k) => KIND_OF[k]);
const transports = list<Transport>("transports", values.transports, ["stomp", "amqp"]);
/** Seconds a round waits for its replies: a reply later than that counts as lost. */
const timeoutSeconds = positive("timeout", values.timeout);
const procs = values.procs === undefined ? undefined : positive("procs", values.procs);
const rabbitConf = values["rabbit-conf"]
  .split(";")
  .map((l) => l.trim())
  .filter(Boolean);
const profileDir = values["cpu-prof"];

/**
 * 5,000 directed requests over AMQP wait for 5,000 publisher confirms, which outlast the default
 * 2 s `publish_timeout` on a busy 2-core machine: the figures are about replies, not that limit.
 */
const PUBLISH = { publish_timeout: "10" };

/** Ruby's `mco ping` waits out its whole window: long enough for the slowest fleet to answer. */
const MCO_PING_TIMEOUT_S = 10;

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

interface Row {
  broker: ScaleBroker;
  transport: Transport;
  result: ScaleCaseResult;
}
interface PingRow {
  broker: ScaleBroker;
  nodes: number;
  impl: "phobos" | "ruby";
  replies: number;
  maxMs: number;
  failed: string | undefined;
}
const rows: Row[] = [];
const pings: PingRow[] = [];
let failure: unknown;

async function mcoPings(site: ScaleSite, broker: ScaleBroker, nodes: number): Promise<void> {
  for (const impl of values["no-ruby"] ? (["phobos"] as const) : (["phobos", "ruby"] as const)) {
    const run = await runMco(
      impl,
      ["ping", "-t", String(MCO_PING_TIMEOUT_S), "--config", site.site.clientConfig],
      {
        timeoutMs: (MCO_PING_TIMEOUT_S + 120) * 1000,
      },
    );
    const p = parsePing(run.stdout);
    const why = run.stderr.trim().split("\n").filter(Boolean).slice(-1)[0];
    pings.push({
      broker,
      nodes,
      impl,
      replies: p?.replies ?? 0,
      maxMs: p?.maxMs ?? Number.NaN,
      failed: run.code === 0 ? undefined : `exit ${run.code}: ${why ?? ""}`,
    });
    log(`[${broker}] ${impl} mco ping: ${p?.replies ?? 0} of ${nodes} replies, max ${p?.maxMs ?? "-"} ms`);
  }
}

let rabbit: BenchRabbit | undefined;
try {
  if (brokers.includes("rabbitmq")) {
    rabbit = await startBenchRabbit({
      conf: rabbitConf,
      ...(values["erl-args"] ? { erlArgs: values["erl-args"] } : {}),
    });
    log(`RabbitMQ: ${rabbit.description}`);
  }
  for (const broker of brokers) {
    const site = await openScaleSite(broker, rabbit);
    log(`[${broker}] ${site.description}`);
    try {
      for (const nodes of sizes) {
        for (const [t, transport] of (broker === "embedded" ? (["stomp"] as const) : transports).entries()) {
          if (profileDir)
            await mkdir(join(profileDir, `${broker}-${transport}-${nodes}`), { recursive: true });
          const extra = { ...site.transportExtra(transport), ...PUBLISH };
          const clientConfig = await writeClientConfig(join(site.site.dir, `client-${transport}`), {
            identity: "phobos-bench-client",
            broker: site.site.broker,
            security: site.site.security,
            extra,
          });
          log(`[${broker}/${transport}] starting ${nodes} simulated nodes…`);
          const result = await runScaleCase(site.site, {
            nodes,
            kinds,
            rounds,
            timeoutSeconds,
            ...(procs === undefined ? {} : { procs }),
            serverExtra: { ...extra, ...site.serverExtra },
            clientConfig,
            brokerPids: site.brokerPids(),
            ...(profileDir ? { profileDir: join(profileDir, `${broker}-${transport}-${nodes}`) } : {}),
            // Whole `mco ping` processes once per size, on the first transport.
            ...(t === 0 ? { withFleet: () => mcoPings(site, broker, nodes) } : {}),
            log: (line) => log(`[${broker}/${transport}] ${line}`),
          });
          rows.push({ broker, transport, result });
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

console.log("\n## One call, timed inside the Phobos client\n");
const out: string[][] = [];
for (const { broker, transport, result } of rows)
  for (const [kind, rs] of result.byKind) {
    const ms = rs.map((r) => r.ms);
    const lost = rs.reduce((s, r) => s + r.lost, 0);
    out.push([
      broker,
      broker === "embedded" ? "stomp" : transport,
      String(result.nodes),
      kind === "discovery-ping" ? "ping" : "rpcutil ping",
      rs.length === rounds ? String(rs.length) : `${rs.length} of ${rounds}`,
      `${fmt(median(ms), 0)} / ${fmt(Math.max(...ms), 0)}`,
      `${lost} / ${rs.length * result.nodes}`,
      fmt(median(rs.map((r) => r.brokerCpuMs)), 0),
      fmt(median(rs.map((r) => r.fleetCpuMs)), 0),
      fmt(median(rs.map((r) => r.cpuMs)), 0),
      fmt(result.brokerIdleCpuPerS, 0),
    ]);
  }
console.log(
  table(
    [
      "broker",
      "transport",
      "nodes",
      "request",
      "rounds",
      "last reply ms (median / max)",
      "lost",
      "broker CPU ms/round",
      "fleet-sim CPU ms/round",
      "client CPU ms/round",
      "broker idle CPU ms/s",
    ],
    out,
  ),
);

if (pings.length > 0) {
  console.log(`\n## Whole \`mco ping -t ${MCO_PING_TIMEOUT_S}\` processes (one run each)\n`);
  const pout: string[][] = [];
  for (const broker of brokers)
    for (const nodes of sizes) {
      const ph = pings.find((p) => p.broker === broker && p.nodes === nodes && p.impl === "phobos");
      const rb = pings.find((p) => p.broker === broker && p.nodes === nodes && p.impl === "ruby");
      if (!ph) continue;
      const cell = (p: PingRow | undefined) =>
        p === undefined ? "-" : `${p.replies} / ${nodes}${p.failed ? ` (${p.failed})` : ""}`;
      pout.push([
        broker,
        String(nodes),
        cell(ph),
        cell(rb),
        `${fmt(ph.maxMs, 0)} / ${rb ? fmt(rb.maxMs, 0) : "-"}`,
      ]);
    }
  console.log(
    table(["broker", "nodes", "replies Phobos", "replies Ruby", "last reply ms Phobos / Ruby"], pout),
  );
}

const lost = rows.reduce(
  (s, r) => s + [...r.result.byKind.values()].flat().reduce((t, round) => t + round.lost, 0),
  0,
);
console.log(`\nPhobos replies lost over all rounds: ${lost}`);
const failedRounds = rows.flatMap((r) => r.result.errors.map((e) => `[${r.broker}/${r.transport}] ${e}`));
for (const f of failedRounds) console.log(`\nFailed: ${f}`);
if (lost > 0 || failedRounds.length > 0) process.exitCode = 1;
if (failure !== undefined) {
  console.error(failure);
  process.exitCode = 1;
}

/**
 * bench:daemon — one Phobos mcollectived beside one Ruby mcollectived on the
 * same RabbitMQ vhost and the same load: RSS at idle, the requests/s each
 * sustains for `--requests` rpcutil pings directed at it (`--window`
 * outstanding at a time), its CPU per request, and RSS afterwards.
 * The two daemons are loaded one after the other, never at once.
 *
 *   pnpm --filter @phobos/bench run bench:daemon [--requests 10000] [--window 20]
 *     [--shipped | --mcollectived PATH] [--node-flags "--flag ..."] [--broker embedded] [--no-ruby]
 *
 * `--shipped` runs the mcollectived that tooling/ship built (out/phobos/bin/mcollectived, on its pinned
 * Node); `--node-flags` runs the workspace's bin/mcollectived under this Node with those flags instead
 * of its #! line's, to measure a flag before it goes there. `--broker embedded` (no Ruby daemon) loads
 * the daemon through a phobos-broker on `--broker-port` instead of RabbitMQ.
 */

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { phobosBin } from "@phobos/interop";
import { startBenchRabbit } from "./lib/bench-rabbitmq.js";
import { phobosClient } from "./lib/clients.js";
import { openSite } from "./lib/site.js";
import { fmt, percentile, ratio, table } from "./lib/stats.js";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "10000" },
    window: { type: "string", default: "20" },
    "idle-seconds": { type: "string", default: "5" },
    shipped: { type: "boolean", default: false },
    mcollectived: { type: "string" },
    "node-flags": { type: "string" },
    broker: { type: "string", default: "rabbitmq" },
    "broker-port": { type: "string", default: "0" },
    "no-ruby": { type: "boolean", default: false },
  },
});
const requests = Number(values.requests);
const windowSize = Number(values.window);
const idleMs = Number(values["idle-seconds"]) * 1000;
const brokerKind = values.broker;
if (brokerKind !== "rabbitmq" && brokerKind !== "embedded") {
  throw new Error(`bench:daemon: --broker is rabbitmq or embedded, not ${brokerKind}`);
}
const withRuby = !values["no-ruby"] && brokerKind === "rabbitmq";

const SHIPPED_MCOLLECTIVED = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../ship/out/phobos/bin/mcollectived",
);

/** The command that starts Phobos's daemon, and a name for it in the table. */
function daemonCommand(): { command: string; args: string[]; label: string } {
  if (values.shipped && values.mcollectived !== undefined) {
    throw new Error("bench:daemon: --shipped and --mcollectived name two daemons; give one");
  }
  const script = values.shipped
    ? SHIPPED_MCOLLECTIVED
    : (values.mcollectived ?? phobosBin("mcollectived", "workspace"));
  if (!existsSync(script)) {
    throw new Error(
      values.shipped
        ? `bench:daemon --shipped: ${script} is missing; build it with node tooling/ship/bin/phobos-ship --no-debs`
        : `bench:daemon: ${script} is missing; build the workspace first`,
    );
  }
  const label = values.shipped ? "Phobos mcollectived (shipped)" : "Phobos mcollectived";
  const flags = values["node-flags"];
  if (flags === undefined) return { command: script, args: [], label };
  if (values.shipped) throw new Error("bench:daemon: --node-flags applies to the workspace daemon only");
  const split = flags.split(/\s+/).filter((f) => f !== "");
  return { command: process.execPath, args: [...split, script], label: `${label} ${flags}` };
}
const daemon = daemonCommand();
const loadAtStart = loadavg();

interface Rss {
  total: number;
  /** Heap, stacks, malloc: what the process itself allocated (RssAnon); the rest is mapped files. */
  anon: number;
}

/** VmRSS and RssAnon from /proc, in MiB. */
async function rssMiB(pid: number): Promise<Rss> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]);
  return { total: kb("VmRSS") / 1024, anon: kb("RssAnon") / 1024 };
}

/** User + system CPU of a process so far, in ms. */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Figures {
  idleRss: Rss;
  afterRss: Rss;
  perSecond: number;
  cpuPerRequestMs: number;
  p99Ms: number;
  lost: number;
}

const benchRabbit = brokerKind === "rabbitmq" ? await startBenchRabbit() : undefined;
const figures = new Map<string, Figures>();
try {
  const site = await openSite(brokerKind, { port: Number(values["broker-port"]) });
  let stopPhobos = async () => {};
  try {
    // Phobos's daemon as an operator or init system starts it: bin/mcollectived
    // itself, so its #! line (and the V8 flags there) applies.
    // A replay journal of its own: the default file (per identity, under /var/lib) would
    // carry the previous run's 10,000 requests into this run's idle RSS for their ttl.
    const phobosConfig = await site.serverConfig("phobos-daemon", {
      "plugin.replay.file": join(site.dir, "phobos-daemon.replay"),
    });
    const child = spawn(daemon.command, [...daemon.args, "--config", phobosConfig, "--no-daemonize"], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    stopPhobos = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await gone;
    };
    if (child.pid === undefined) throw new Error(`${daemon.command} did not start`);
    const daemons = [{ identity: "phobos-daemon", pid: child.pid }];
    if (withRuby) {
      if (site.rabbit === undefined) throw new Error("bench:daemon: Ruby's daemon needs the RabbitMQ site");
      const [ruby] = await site.rabbit.addNodes([{ identity: "ruby-daemon", implementation: "ruby" }]);
      if (ruby === undefined) throw new Error("Ruby's mcollectived did not start");
      daemons.push({ identity: ruby.identity, pid: ruby.pid });
    }
    const check = await phobosClient(site.clientConfig);
    try {
      for (let i = 0; i < 60; i++) {
        if ((await check.round("discovery-ping", ["phobos-daemon"], 1)).lost === 0) break;
        if (i === 59) throw new Error("bin/mcollectived did not answer pings within a minute");
      }
    } finally {
      await check.close();
    }
    await sleep(idleMs);
    const idle = new Map<string, Rss>();
    for (const d of daemons) idle.set(d.identity, await rssMiB(d.pid));

    const client = await phobosClient(site.clientConfig);
    try {
      for (const d of daemons) {
        const target = [d.identity];
        for (let i = 0; i < 50; i++) await client.round("rpcutil-ping", target, 10); // warm-up
        const cpu0 = await cpuMs(d.pid);
        const latencies: number[] = [];
        let lost = 0;
        let sent = 0;
        const started = performance.now();
        const worker = async () => {
          while (sent < requests) {
            sent++;
            const round = await client.round("rpcutil-ping", target, 10);
            latencies.push(round.ms);
            lost += round.lost;
          }
        };
        await Promise.all(Array.from({ length: windowSize }, worker));
        const elapsed = performance.now() - started;
        const cpu1 = await cpuMs(d.pid);
        await sleep(1000);
        figures.set(d.identity, {
          idleRss: idle.get(d.identity) ?? { total: Number.NaN, anon: Number.NaN },
          afterRss: await rssMiB(d.pid),
          perSecond: (requests * 1000) / elapsed,
          cpuPerRequestMs: (cpu1 - cpu0) / requests,
          p99Ms: percentile(latencies, 99),
          lost,
        });
        process.stderr.write(`${d.identity}: ${requests} requests in ${fmt(elapsed / 1000, 2)} s\n`);
      }
    } finally {
      await client.close();
    }
  } finally {
    await stopPhobos();
    await site.dispose();
  }
} finally {
  benchRabbit?.stop();
}

const ph = figures.get("phobos-daemon");
const rb = figures.get("ruby-daemon");
const row = (name: string, f: (x: Figures) => number, digits = 1, better: "lower" | "higher" = "lower") => {
  const p = ph ? f(ph) : Number.NaN;
  const r = rb ? f(rb) : Number.NaN;
  return [name, fmt(p, digits), fmt(r, digits), better === "lower" ? ratio(p, r) : ratio(r, p)];
};
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
console.log(
  `\n## One daemon: ${requests} rpcutil pings, ${windowSize} outstanding at a time (${brokerKind}; load average ${load(loadAtStart)} at start, ${load(loadavg())} at end)\n`,
);
console.log(
  table(
    ["", daemon.label, "Ruby mcollectived", "Ruby/Phobos (>1: Phobos better)"],
    [
      row("RSS idle (MiB)", (x) => x.idleRss.total),
      row(`RSS after ${requests} requests (MiB)`, (x) => x.afterRss.total),
      row("… of which anonymous, idle (MiB)", (x) => x.idleRss.anon),
      row(`… of which anonymous, after ${requests} (MiB)`, (x) => x.afterRss.anon),
      row("requests/s sustained", (x) => x.perSecond, 0, "higher"),
      row("daemon CPU per request (ms)", (x) => x.cpuPerRequestMs, 3),
      row("request latency p99 (ms)", (x) => x.p99Ms),
      row("replies lost", (x) => x.lost, 0),
    ],
  ),
);

/**
 * bench:daemon — one Phobos mcollectived beside one Ruby mcollectived on the
 * same RabbitMQ vhost and the same load: RSS at idle, the requests/s each
 * sustains for `--requests` rpcutil pings directed at it (`--window`
 * outstanding at a time), its CPU per request, and RSS afterwards.
 * The two daemons are loaded one after the other, never at once.
 *
 *   pnpm --filter @phobos/bench run bench:daemon [--requests 10000] [--window 20]
 */

import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
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
  },
});
const requests = Number(values.requests);
const windowSize = Number(values.window);
const idleMs = Number(values["idle-seconds"]) * 1000;

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
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
  idleRss: number;
  afterRss: number;
  perSecond: number;
  cpuPerRequestMs: number;
  p99Ms: number;
  lost: number;
}

const benchRabbit = await startBenchRabbit();
const figures = new Map<string, Figures>();
try {
  const site = await openSite("rabbitmq");
  let stopPhobos = async () => {};
  const rabbit = site.rabbit;
  if (rabbit === undefined) throw new Error("bench:daemon needs the RabbitMQ site");
  try {
    // Phobos's daemon as an operator or init system starts it: bin/mcollectived
    // (or the shipped launcher, PHOBOS_UNDER_TEST=shipped) itself, so the V8 flags there apply.
    const phobosConfig = await site.serverConfig("phobos-daemon");
    const child = spawn(phobosBin("mcollectived"), ["--config", phobosConfig, "--no-daemonize"], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    stopPhobos = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await gone;
    };
    const [ruby] = await rabbit.addNodes([{ identity: "ruby-daemon", implementation: "ruby" }]);
    if (ruby === undefined || child.pid === undefined) throw new Error("a daemon did not start");
    const daemons = [
      { identity: "phobos-daemon", pid: child.pid },
      { identity: ruby.identity, pid: ruby.pid },
    ];
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
    const idle = new Map<string, number>();
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
          idleRss: idle.get(d.identity) ?? Number.NaN,
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
  benchRabbit.stop();
}

const ph = figures.get("phobos-daemon");
const rb = figures.get("ruby-daemon");
const row = (name: string, f: (x: Figures) => number, digits = 1, better: "lower" | "higher" = "lower") => {
  const p = ph ? f(ph) : Number.NaN;
  const r = rb ? f(rb) : Number.NaN;
  return [name, fmt(p, digits), fmt(r, digits), better === "lower" ? ratio(p, r) : ratio(r, p)];
};
console.log(`\n## One daemon: ${requests} rpcutil pings, ${windowSize} outstanding at a time\n`);
console.log(
  table(
    ["", "Phobos mcollectived", "Ruby mcollectived", "Ruby/Phobos (>1: Phobos better)"],
    [
      row("RSS idle (MiB)", (x) => x.idleRss),
      row(`RSS after ${requests} requests (MiB)`, (x) => x.afterRss),
      row("requests/s sustained", (x) => x.perSecond, 0, "higher"),
      row("daemon CPU per request (ms)", (x) => x.cpuPerRequestMs, 3),
      row("request latency p99 (ms)", (x) => x.p99Ms),
      row("replies lost", (x) => x.lost, 0),
    ],
  ),
);

/**
 * bench:coldstart — a whole `mco` process, Phobos beside Ruby: `mco help`
 * and `mco rpc rpcutil ping -I node1` end to end against one simulated node
 * on RabbitMQ, with `node -e 0` and `ruby -e 0` as the floor. Runs are
 * interleaved (Phobos, Ruby, Phobos, …) so both see the same machine load.
 *
 *   pnpm --filter @phobos/bench run bench:coldstart [--runs 15]
 */
import { parseArgs } from "node:util";
import { startBenchRabbit } from "./lib/bench-rabbitmq.js";
import { check, type Impl, parseFinished, runMco } from "./lib/mco.js";
import { type RunResult, runMeasured } from "./lib/run.js";
import { openSite, startSimFleet } from "./lib/site.js";
import { fmt, median, ratio, table } from "./lib/stats.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "15" } } });
const runs = Number(values.runs);

interface Case {
  name: string;
  phobos: () => Promise<RunResult>;
  ruby: () => Promise<RunResult>;
}

const rabbit = await startBenchRabbit();
const results = new Map<string, { phobos: RunResult[]; ruby: RunResult[] }>();
try {
  const site = await openSite("rabbitmq");
  const fleet = await startSimFleet(site, { count: 1 });
  try {
    const cfg = ["--config", site.clientConfig];
    const cases: Case[] = [
      {
        name: "`node -e 0` / `ruby -e 0` (floor)",
        phobos: () => runMeasured(process.execPath, ["-e", "0"]),
        ruby: () => runMeasured("ruby", ["-e", "0"]),
      },
      ...(["help", "rpc"] as const).map((what) => {
        const args = what === "help" ? ["help", ...cfg] : ["rpc", "rpcutil", "ping", "-I", "node1", ...cfg];
        const run = async (impl: Impl) => {
          const r = check(await runMco(impl, args), `${impl} mco ${args.join(" ")}`);
          if (what === "rpc" && parseFinished(r.stdout)?.done !== 1)
            throw new Error(`${impl} mco rpc: node1 did not answer:\n${r.stdout}`);
          return r;
        };
        return {
          name: what === "help" ? "`mco help`" : "`mco rpc rpcutil ping -I node1`",
          phobos: () => run("phobos"),
          ruby: () => run("ruby"),
        };
      }),
    ];
    for (const c of cases) {
      const got = { phobos: [] as RunResult[], ruby: [] as RunResult[] };
      await c.phobos(); // warm the page cache
      await c.ruby();
      for (let i = 0; i < runs; i++) {
        got.phobos.push(await c.phobos());
        got.ruby.push(await c.ruby());
      }
      results.set(c.name, got);
      process.stderr.write(`${c.name}: done\n`);
    }
  } finally {
    await fleet.stop();
    await site.dispose();
  }
} finally {
  rabbit.stop();
}

const rows: string[][] = [];
for (const [name, got] of results) {
  const m = (rs: RunResult[], f: (r: RunResult) => number) => median(rs.map(f));
  const pw = m(got.phobos, (r) => r.wallMs);
  const rw = m(got.ruby, (r) => r.wallMs);
  rows.push([
    name,
    `${fmt(pw, 0)} / ${fmt(rw, 0)}`,
    ratio(pw, rw),
    `${fmt(Math.min(...got.phobos.map((r) => r.wallMs)), 0)} / ${fmt(Math.min(...got.ruby.map((r) => r.wallMs)), 0)}`,
    `${fmt(
      m(got.phobos, (r) => r.cpuMs),
      0,
    )} / ${fmt(
      m(got.ruby, (r) => r.cpuMs),
      0,
    )}`,
    `${fmt(m(got.phobos, (r) => r.maxRssMiB))} / ${fmt(m(got.ruby, (r) => r.maxRssMiB))}`,
  ]);
}
console.log(`\n## Cold start, whole process (median of ${runs} interleaved runs)\n`);
console.log(
  table(
    [
      "command",
      "wall ms Phobos / Ruby",
      "Ruby/Phobos",
      "best wall ms Phobos / Ruby",
      "CPU ms Phobos / Ruby",
      "peak RSS MiB Phobos / Ruby",
    ],
    rows,
  ),
);

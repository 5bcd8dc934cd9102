/**
 * bench:coldstart — whole `mco` processes in the two forms Phobos runs in,
 * beside Ruby's: the workspace form (apps/mco/bin/mco on the Node running
 * this script) and the shipped form (tooling/ship/out/phobos/bin/mco, on the
 * Node runtime shipped with it; build it with `node tooling/ship/bin/phobos-ship
 * --no-debs`). `mco help`, `mco rpc rpcutil ping -I node1` and `--nodes FILE`
 * to 10 and 100 nodes, end to end against simulated nodes on RabbitMQ, with
 * each runtime's `-e 0` as the floor. Runs are interleaved (workspace,
 * shipped, Ruby, …) so all three see the same machine load. Each command runs
 * once before the timed runs: page cache, and the compile cache mco keeps in
 * the user's cache directory on Node >= 22.
 *
 *   pnpm --filter @phobos/bench run bench:coldstart [--runs 15] [--shipped DIR]
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { MCO, phobosBin, rubyEnv } from "@phobos/interop";
import { startBenchRabbit } from "./lib/bench-rabbitmq.js";
import { check, parseFinished } from "./lib/mco.js";
import { type RunResult, runMeasured } from "./lib/run.js";
import { openSite, startSimFleet } from "./lib/site.js";
import { fmt, median, table } from "./lib/stats.js";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "15" },
    shipped: { type: "string", default: join(REPO_ROOT, "tooling/ship/out/phobos") },
  },
});
const runs = Number(values.runs);
const PHOBOS_MCO = phobosBin("mco", "workspace");
const shippedRoot = resolve(values.shipped);
const SHIPPED_MCO = join(shippedRoot, "bin/mco");
const SHIPPED_NODE = join(shippedRoot, "runtime/node");
if (!existsSync(SHIPPED_MCO) || !existsSync(SHIPPED_NODE)) {
  throw new Error(
    `no shipped mco at ${SHIPPED_MCO}: build it with \`node tooling/ship/bin/phobos-ship --no-debs\` (or pass --shipped DIR)`,
  );
}

type Form = "workspace" | "shipped" | "ruby";
const FORMS: readonly Form[] = ["workspace", "shipped", "ruby"];
const FLEET_SIZE = 100;

function runMco(form: Form, args: readonly string[]): Promise<RunResult> {
  const env = rubyEnv();
  if (form === "workspace") return runMeasured(process.execPath, [PHOBOS_MCO, ...args], { env });
  return runMeasured(form === "shipped" ? SHIPPED_MCO : MCO, args, { env });
}

interface Case {
  name: string;
  run: (form: Form) => Promise<RunResult>;
}

function rpcCase(name: string, args: readonly string[], expect: number): Case {
  return {
    name,
    run: async (form) => {
      const r = check(await runMco(form, args), `${form} mco ${args.join(" ")}`);
      const done = parseFinished(r.stdout)?.done;
      if (done !== expect)
        throw new Error(`${form} mco ${args.join(" ")}: ${done} of ${expect} nodes answered:\n${r.stdout}`);
      return r;
    },
  };
}

async function versionOf(command: string, args: string[]): Promise<string> {
  return check(await runMeasured(command, args), command).stdout.trim();
}

const rabbit = await startBenchRabbit();
const results = new Map<string, Record<Form, RunResult[]>>();
let runtimes = "";
try {
  const site = await openSite("rabbitmq");
  const fleet = await startSimFleet(site, { count: FLEET_SIZE });
  try {
    const cfg = ["--config", site.clientConfig];
    const nodesFile = async (n: number) => {
      const file = join(site.dir, `nodes-${n}.txt`);
      await writeFile(file, `${fleet.identities.slice(0, n).join("\n")}\n`);
      return file;
    };
    const [ten, hundred] = [await nodesFile(10), await nodesFile(100)];
    const rpc = ["rpc", "rpcutil", "ping", "--np"];
    runtimes = `workspace: Node ${process.version}; shipped: Node ${await versionOf(SHIPPED_NODE, ["--version"])}; ${await versionOf("ruby", ["--version"])}`;
    const cases: Case[] = [
      {
        name: "`node -e 0` / `ruby -e 0` (floor)",
        run: (form) =>
          runMeasured(form === "ruby" ? "ruby" : form === "shipped" ? SHIPPED_NODE : process.execPath, [
            "-e",
            "0",
          ]),
      },
      {
        name: "`mco help`",
        run: async (form) => check(await runMco(form, ["help", ...cfg]), `${form} mco help`),
      },
      rpcCase("`mco rpc rpcutil ping -I node1`", [...rpc, "-I", "node1", ...cfg], 1),
      rpcCase("`mco rpc rpcutil ping --nodes FILE` (10)", [...rpc, "--nodes", ten, ...cfg], 10),
      rpcCase("`mco rpc rpcutil ping --nodes FILE` (100)", [...rpc, "--nodes", hundred, ...cfg], 100),
    ];
    for (const c of cases) {
      const got: Record<Form, RunResult[]> = { workspace: [], shipped: [], ruby: [] };
      for (const form of FORMS) await c.run(form); // page cache and compile cache
      for (let i = 0; i < runs; i++) for (const form of FORMS) got[form].push(await c.run(form));
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

/** Phobos's time as a fraction of Ruby's: the targets are written that way (<= 0.5x). */
const share = (phobos: number, ruby: number) => `${(phobos / ruby).toFixed(2)}x`;
const three = (got: Record<Form, RunResult[]>, f: (rs: RunResult[]) => number, digits: number) =>
  FORMS.map((form) => fmt(f(got[form]), digits)).join(" / ");
const rows: string[][] = [];
for (const [name, got] of results) {
  const wall = (form: Form) => median(got[form].map((r) => r.wallMs));
  rows.push([
    name,
    three(got, (rs) => median(rs.map((r) => r.wallMs)), 0),
    share(wall("shipped"), wall("ruby")),
    share(wall("workspace"), wall("ruby")),
    three(got, (rs) => Math.min(...rs.map((r) => r.wallMs)), 0),
    three(got, (rs) => median(rs.map((r) => r.cpuMs)), 0),
    three(got, (rs) => Math.max(...rs.map((r) => r.maxRssMiB)), 1),
  ]);
}
console.log(`\n## Cold start, whole process (median of ${runs} interleaved runs; ${runtimes})\n`);
console.log(
  table(
    [
      "command",
      "wall ms workspace / shipped / Ruby",
      "shipped/Ruby",
      "workspace/Ruby",
      "best wall ms",
      "CPU ms",
      "peak RSS MiB (max)",
    ],
    rows,
  ),
);

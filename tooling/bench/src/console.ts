/**
 * bench:console — the web console's own figures (there is no Ruby
 * counterpart to set beside them: MCollective shipped no console):
 *
 * - first load: index.html and the files it names, raw and gzipped (level 6,
 *   what a reverse proxy's gzip commonly applies), against the 200 KB bound;
 * - a `rpcutil ping` on a fleet-sim fleet (1,000 nodes by default, on an
 *   embedded broker of the benchmark's own) streaming into a real Chromium
 *   page: time from the click to the last row, the longest main-thread task
 *   (PerformanceObserver `longtask`) and the longest gap between animation
 *   frames while the replies arrive, i.e. how long the page could not paint;
 * - the console process's RSS at idle and after `--requests` requests
 *   (each a `rpcutil ping` to nine nodes, its event stream read to the end).
 *
 *   pnpm --filter @phobos/bench run bench:console [--nodes 1000] [--rounds 3] [--requests 100]
 *
 * Ports: the broker 44230, the console 44231 (this benchmark's own range).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { createLogger, memorySink, PluginSettings } from "@phobos/core";
import { writeClientConfig } from "@phobos/interop";
import { launchChromium } from "@phobos/interop/chromium";
import { openRegistryStore, registrySettings } from "@phobos/registry";
import { openSite, startSimFleet } from "./lib/site.js";
import { fmt, median, table } from "./lib/stats.js";

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "1000" },
    rounds: { type: "string", default: "3" },
    requests: { type: "string", default: "100" },
    "broker-port": { type: "string", default: "44230" },
    "console-port": { type: "string", default: "44231" },
  },
});
const NODES = Number(values.nodes);
const ROUNDS = Number(values.rounds);
const REQUESTS = Number(values.requests);
const LOGIN = "bench";
const PASSWORD = "bench-console-password";

const require = createRequire(import.meta.url);
const CONSOLE_DIR = dirname(require.resolve("@phobos/console/package.json"));
const CONSOLE_BIN = join(CONSOLE_DIR, "bin/phobos-console");
const progress = (line: string) => process.stderr.write(`bench:console: ${line}\n`);

/** index.html and every script and stylesheet it names: what a first visit downloads. */
async function firstLoad(): Promise<{ file: string; raw: number; gzip: number }[]> {
  const ui = join(CONSOLE_DIR, "dist/ui");
  const html = await readFile(join(ui, "index.html"));
  const files = [{ file: "index.html", body: html }];
  for (const m of html.toString().matchAll(/(?:src|href)="\/?(assets\/[^"]+)"/g)) {
    files.push({ file: m[1] as string, body: await readFile(join(ui, m[1] as string)) });
  }
  return files.map(({ file, body }) => ({
    file,
    raw: body.length,
    gzip: gzipSync(body, { level: 6 }).length,
  }));
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
}

function run(args: string[], stdin?: string): ChildProcess {
  const child = spawn(process.execPath, [CONSOLE_BIN, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  child.stdin?.end(stdin ?? "");
  return child;
}

async function startConsole(clientConfig: string): Promise<{ child: ChildProcess; url: string }> {
  const add = run(["-c", clientConfig, "user", "add", LOGIN], `${PASSWORD}\n`);
  const code = await new Promise((done) => add.once("exit", done));
  if (code !== 0) throw new Error(`phobos-console user add exited ${String(code)}`);
  const child = run(["-c", clientConfig]);
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /(https?:\/\/[^\s"]+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once("exit", (exit) => reject(new Error(`phobos-console exited ${String(exit)} before listening`)));
  });
  return { child, url };
}

/** A signed-in API client for the RSS part (cookie and CSRF token as the page holds them). */
async function apiSession(url: string) {
  const signIn = await fetch(new URL("/api/session", url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ login: LOGIN, password: PASSWORD }),
  });
  if (!signIn.ok) throw new Error(`sign-in: ${signIn.status} ${await signIn.text()}`);
  const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  return {
    /** Sends one request and reads its event stream to the `end` event; resolves with the replies seen. */
    async request(body: unknown): Promise<number> {
      const sent = await fetch(new URL("/api/requests", url), {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrfToken, cookie },
        body: JSON.stringify(body),
      });
      if (!sent.ok) throw new Error(`POST /api/requests: ${sent.status} ${await sent.text()}`);
      const { id } = (await sent.json()) as { id: string };
      const events = await fetch(new URL(`/api/requests/${id}/events`, url), { headers: { cookie } });
      const text = await events.text();
      return text.split("\n").filter((line) => line === "event: reply").length;
    },
  };
}

interface Round {
  lastRowMs: number;
  /** The request's own statistics (as mco prints them): discovery, and the whole request. */
  discoveryMs: number;
  requestMs: number;
  longestTaskMs: number;
  longTasks: number;
  longestFrameGapMs: number;
  rows: number;
  replies: number;
}

/**
 * Installed in the page before the click (as text: this package compiles for
 * Node, not the DOM): long tasks, the gaps between animation frames, and the
 * moment the last reply showed; it stops once every node answered or the
 * request ended (a node that did not answer is counted, not waited for).
 * `__EXPECTED__` is the fleet's size.
 */
const INSTRUMENT = `(() => {
  const bench = { start: 0, lastRow: 0, replies: 0, longest: 0, longTasks: 0, maxGap: 0, done: false };
  window.__bench = bench;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      bench.longTasks++;
      bench.longest = Math.max(bench.longest, entry.duration);
    }
  }).observe({ type: "longtask" });
  document.addEventListener("click", (event) => {
    if (event.target.textContent === "Run on every node") bench.start = performance.now();
  }, true);
  let last = performance.now();
  const frame = (now) => {
    if (bench.start > 0) bench.maxGap = Math.max(bench.maxGap, now - last);
    last = now;
    const tally = document.querySelector('[data-testid="tally"]')?.textContent ?? "";
    const replies = Number.parseInt(tally, 10) || 0;
    if (bench.start > 0 && replies > bench.replies) {
      bench.replies = replies;
      bench.lastRow = now;
    }
    const phase = document.querySelector('[data-testid="results"]')?.getAttribute("data-phase");
    if (bench.start > 0 && (replies >= __EXPECTED__ || (phase && phase !== "running"))) {
      bench.done = true;
      return;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})()`;

interface PageFigures {
  start: number;
  replies: number;
  lastRow: number;
  longest: number;
  longTasks: number;
  maxGap: number;
}

async function browserRound(url: string): Promise<Round> {
  const browser = await launchChromium();
  try {
    const { page } = browser;
    page.setDefaultTimeout(600_000);
    await page.goto(url);
    await page.getByLabel("Login").fill(LOGIN);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("user").waitFor();
    await page.goto(new URL("#/run/rpcutil/ping", url).href);
    await page.getByRole("heading", { name: "rpcutil ping" }).waitFor();
    await page.evaluate(INSTRUMENT.replaceAll("__EXPECTED__", String(NODES)));
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.getByRole("button", { name: "Run on every node" }).click();
    // Polled from here: waitForFunction would compile its predicate in the page, which the console's CSP forbids.
    const deadline = Date.now() + 600_000;
    while (!(await page.evaluate("window.__bench.done"))) {
      if (Date.now() > deadline) throw new Error(`the page did not show ${NODES} replies within 600 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const figures = (await page.evaluate("window.__bench")) as PageFigures;
    const rows = await page.locator('[data-testid="replies"] tbody tr:not(.spacer)').count();
    const stats = (await page.getByTestId("stats-time").textContent()) ?? "";
    const [discovery, total] = [...stats.matchAll(/([\d.]+) s/g)].map((m) => Number(m[1]) * 1000);
    return {
      lastRowMs: figures.lastRow - figures.start,
      discoveryMs: discovery ?? Number.NaN,
      requestMs: total ?? Number.NaN,
      longestTaskMs: figures.longest,
      longTasks: figures.longTasks,
      longestFrameGapMs: figures.maxGap,
      rows,
      replies: figures.replies,
    };
  } finally {
    await browser.close();
  }
}

const load = await firstLoad();
const site = await openSite("embedded", { port: Number(values["broker-port"]) });
let consoleProcess: ChildProcess | undefined;
try {
  progress(`starting ${NODES} simulated nodes`);
  const fleet = await startSimFleet(site, { count: NODES, procs: Math.max(1, Math.ceil(NODES / 500)) });
  try {
    const registry = join(site.dir, "registry.sqlite");
    const consoleHome = join(site.dir, "console");
    const clientConfig = await writeClientConfig(consoleHome, {
      identity: "phobos-bench-console",
      broker: site.broker,
      security: site.security,
      extra: {
        "plugin.registry.database": registry,
        "plugin.console.port": Number(values["console-port"]),
        "plugin.console.users": join(consoleHome, "users.json"),
      },
    });
    // The registry the console keeps its history in: created empty here (the fleet is found by broadcast).
    const store = await openRegistryStore(
      registrySettings(new PluginSettings("registry", new Map([["database", registry]]))),
      createLogger(memorySink("warn"), "bench"),
    );
    await store.close();
    const started = await startConsole(clientConfig);
    consoleProcess = started.child;
    const pid = started.child.pid as number;
    await new Promise((r) => setTimeout(r, 3000));
    const idleRss = await rssMiB(pid);

    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      progress(`round ${i + 1}/${ROUNDS}: rpcutil ping to ${NODES} nodes in Chromium`);
      rounds.push(await browserRound(started.url));
    }

    progress(`${REQUESTS} requests through the API`);
    const api = await apiSession(started.url);
    let replies = 0;
    for (let i = 0; i < REQUESTS; i++) {
      replies += await api.request({
        agent: "rpcutil",
        action: "ping",
        inputs: {},
        filter: { identity: ["/^node[1-9]$/"], fact: [], class: [], agent: [], compound: "" },
      });
    }
    const afterRss = await rssMiB(pid);

    const total = load.reduce((sum, f) => ({ raw: sum.raw + f.raw, gzip: sum.gzip + f.gzip }), {
      raw: 0,
      gzip: 0,
    });
    const kb = (bytes: number) => fmt(bytes / 1024, 1);
    console.log(`### First load (${load.length} files)\n`);
    console.log(
      table(
        ["file", "raw KB", "gzip KB"],
        [...load.map((f) => [f.file, kb(f.raw), kb(f.gzip)]), ["total", kb(total.raw), kb(total.gzip)]],
      ),
    );
    console.log(`\n### rpcutil ping to ${NODES} nodes streaming into the page (${ROUNDS} rounds)\n`);
    const col = (pick: (r: Round) => number) => [
      fmt(median(rounds.map(pick)), 0),
      fmt(Math.max(...rounds.map(pick)), 0),
    ];
    console.log(
      table(
        ["figure", "median", "max"],
        [
          ["replies shown (of the fleet)", ...col((r) => r.replies)],
          ["time from click to last row, ms", ...col((r) => r.lastRowMs)],
          ["of which discovery (mc, the request's stats), ms", ...col((r) => r.discoveryMs)],
          ["the request in all (its stats), ms", ...col((r) => r.requestMs)],
          ["longest main-thread task, ms", ...col((r) => r.longestTaskMs)],
          ["long tasks (> 50 ms) per round", ...col((r) => r.longTasks)],
          ["longest gap between frames, ms", ...col((r) => r.longestFrameGapMs)],
          ["table rows in the DOM (virtualised)", ...col((r) => r.rows)],
        ],
      ),
    );
    console.log(`\n### phobos-console RSS\n`);
    console.log(
      table(
        ["when", "RSS MiB"],
        [
          ["idle, after start", fmt(idleRss)],
          [`after ${REQUESTS} requests (${replies} replies streamed)`, fmt(afterRss)],
        ],
      ),
    );
  } finally {
    await fleet.stop();
  }
} finally {
  if (consoleProcess && consoleProcess.exitCode === null) {
    const gone = new Promise((r) => consoleProcess?.once("exit", r));
    consoleProcess.kill("SIGTERM");
    await gone;
  }
  await site.dispose();
}

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { mkdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { currentActionSignal, runCommand } from "@phobos/server";
import { load } from "js-yaml";
import { PUPPET_YAML_SCHEMA } from "./puppet-yaml.js";

/** The state files Puppet writes, by their Puppet setting names. */
export const STATE_SETTINGS = [
  "lastrunfile",
  "lastrunreport",
  "agent_disabled_lockfile",
  "agent_catalog_run_lockfile",
  "pidfile",
  "resourcefile",
  "classfile",
] as const;
export type StateSetting = (typeof STATE_SETTINGS)[number];
export type StatePaths = Record<StateSetting, string>;

export interface PuppetStatus {
  applying: boolean;
  enabled: boolean;
  daemon_present: boolean;
  lastrun: number;
  idling: boolean;
  disable_message: string;
  since_lastrun: number;
  status: string;
  message: string;
}

export type Summary = Record<string, Record<string, unknown>>;

/**
 * A run `runonce` started, as the daemon saw it end: Puppet's own files
 * say nothing about a run that failed before it applied a catalog ("No
 * more routes to ca"), so its outcome is kept beside them.
 */
export interface TriggeredRun {
  command: string;
  pid: number;
  caller: string;
  /** Epoch seconds. */
  started_at: number;
  /** Epoch seconds; absent while it runs, or when no daemon saw it end. */
  finished_at?: number;
  exitcode?: number | null;
  signal?: string | null;
  /** Its last lines of output. */
  tail?: string[];
}

/** How many lines of a triggered run's output are kept and logged. */
export const TRIGGERED_RUN_TAIL = 10;

/** Reads `plugin.puppet.<key>` (the puppet agent's settings, which its data plugins share). */
export interface PuppetSettingsReader {
  string(key: string): string | undefined;
}

/** `seconds_to_human` of the Ruby agent: `2 hours 3 minutes 04 seconds`. */
export function secondsToHuman(total: number): string {
  let seconds = Math.trunc(total);
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const ss = String(seconds).padStart(2, "0");
  if (days > 1) return `${days} days ${hours} hours ${minutes} minutes ${ss} seconds`;
  if (days === 1) return `${days} day ${hours} hours ${minutes} minutes ${ss} seconds`;
  if (hours > 0) return `${hours} hours ${minutes} minutes ${ss} seconds`;
  if (minutes > 0) return `${minutes} minutes ${ss} seconds`;
  return `${ss} seconds`;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

function processAlive(text: string): boolean {
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Puppet's agent state as its files tell it, and the changes MCollective's
 * agent made to it (the disable lock). Paths come from `puppet config print`
 * (with `plugin.puppet.config` as its `--config`) unless set one by one as
 * `plugin.puppet.<setting>` (`plugin.puppet.lastrunfile`).
 */
export class PuppetAgentManager {
  readonly #settings: PuppetSettingsReader;
  #paths: Promise<StatePaths> | undefined;
  #pathsRead: AbortController | undefined;

  constructor(settings: PuppetSettingsReader) {
    this.#settings = settings;
  }

  paths(): Promise<StatePaths> {
    if (!this.#paths) {
      // Its own signal: the read is shared, and usually started before any request (at load).
      this.#pathsRead = new AbortController();
      this.#paths = this.#readPaths(this.#pathsRead.signal);
      this.#paths.catch(() => {
        this.#paths = undefined;
      });
    }
    // An action given up on while it waits ends the read: a hung `puppet config
    // print` must not outlive it (the next request starts a fresh one).
    const waiting = currentActionSignal();
    const read = this.#pathsRead;
    if (waiting && read) waiting.addEventListener("abort", () => read.abort(waiting.reason), { once: true });
    return this.#paths;
  }

  async #readPaths(signal: AbortSignal): Promise<StatePaths> {
    const given: Partial<StatePaths> = {};
    for (const key of STATE_SETTINGS) {
      const value = this.#settings.string(key);
      if (value !== undefined) given[key] = value;
    }
    const missing = STATE_SETTINGS.filter((key) => given[key] === undefined);
    if (missing.length === 0) return given as StatePaths;
    const config = this.#settings.string("config");
    const puppet = this.#settings.string("puppet_binary") ?? "puppet";
    const argv = [
      puppet,
      "config",
      "print",
      ...(config ? ["--config", config] : []),
      "--section",
      "agent",
      ...missing,
    ];
    const result = await runCommand(puppet, argv.slice(1), { timeoutMs: 60_000, signal });
    if (result.exitcode !== 0) {
      throw new Error(
        `'${argv.join(" ")}' failed (exit ${result.exitcode}): ${result.stderr.trim() || result.stdout.trim()}`,
      );
    }
    for (const line of result.stdout.split("\n")) {
      const m = /^(\w+) = (.*)$/.exec(line.trim());
      if (m && (STATE_SETTINGS as readonly string[]).includes(m[1] as string))
        given[m[1] as StateSetting] = m[2];
    }
    // A single setting is printed bare, without `name = `.
    if (missing.length === 1 && given[missing[0] as StateSetting] === undefined)
      given[missing[0] as StateSetting] = result.stdout.trim();
    const still = STATE_SETTINGS.filter((key) => !given[key]);
    if (still.length > 0) throw new Error(`'${argv.join(" ")}' did not print ${still.join(", ")}`);
    return given as StatePaths;
  }

  /**
   * Where the outcome and output of triggered runs are kept:
   * `plugin.puppet.triggered_run_dir`, else the directory of Puppet's
   * catalog run lock (its statedir, readable by root only, as the
   * output may show diffs of secret files).
   */
  async triggeredRunFiles(): Promise<{ record: string; output: string }> {
    const dir =
      this.#settings.string("triggered_run_dir") ?? dirname((await this.paths()).agent_catalog_run_lockfile);
    return { record: join(dir, "phobos_triggered_run.json"), output: join(dir, "phobos_triggered_run.log") };
  }

  async #writeRecord(run: TriggeredRun): Promise<void> {
    const { record } = await this.triggeredRunFiles();
    const temp = `${record}.${randomBytes(4).toString("hex")}`;
    await writeFile(temp, `${JSON.stringify(run)}\n`, { mode: 0o600 });
    await rename(temp, record);
  }

  /**
   * Starts `argv` detached, its output in the output file (so the run
   * outlives the daemon and its output survives it), and records it;
   * when it ends, records its exit status and last lines and hands the
   * record to `onEnd`. Resolves once it started; rejects when it cannot.
   */
  async startTriggeredRun(
    argv: readonly string[],
    caller: string,
    onEnd: (run: TriggeredRun) => void,
  ): Promise<TriggeredRun> {
    const [command, ...args] = argv;
    if (command === undefined) throw new Error("empty command");
    const { output } = await this.triggeredRunFiles();
    // Puppet makes its statedir on its first run; this may come before it.
    await mkdir(dirname(output), { recursive: true, mode: 0o750 });
    const fd = openSync(output, "w", 0o600);
    let run: TriggeredRun;
    try {
      run = await new Promise<TriggeredRun>((resolve, reject) => {
        const child = spawn(command, args, { detached: true, stdio: ["ignore", fd, fd] });
        child.once("error", reject);
        child.once("spawn", () => {
          child.unref();
          const started: TriggeredRun = {
            command: argv.join(" "),
            pid: child.pid as number,
            caller,
            started_at: Math.floor(Date.now() / 1000),
          };
          child.once("exit", (code, signal) => {
            void (async () => {
              const ended: TriggeredRun = {
                ...started,
                finished_at: Math.floor(Date.now() / 1000),
                exitcode: code,
                signal,
                tail: await outputTail(output),
              };
              await this.#writeRecord(ended).catch(() => undefined);
              onEnd(ended);
            })();
          });
          resolve(started);
        });
      });
    } finally {
      closeSync(fd);
    }
    await this.#writeRecord(run);
    return run;
  }

  /**
   * The last triggered run: as recorded when it ended, or, when no daemon
   * saw it end (restarted meanwhile) and it is gone, with its output's
   * last lines and no exit status.
   */
  async lastTriggeredRun(): Promise<TriggeredRun | undefined> {
    const { record, output } = await this.triggeredRunFiles();
    let run: TriggeredRun;
    try {
      run = JSON.parse(await readFile(record, "utf8")) as TriggeredRun;
    } catch {
      return undefined;
    }
    if (run.finished_at === undefined && !processAlive(String(run.pid))) {
      return { ...run, exitcode: null, tail: await outputTail(output) };
    }
    return run;
  }

  /**
   * The last triggered run when it failed and no run completed after it:
   * what `status` and `last_run_summary` report beside Puppet's own files.
   */
  async failedTriggeredRun(lastrun?: number): Promise<TriggeredRun | undefined> {
    const run = await this.lastTriggeredRun();
    if (run === undefined || run.exitcode === 0) return undefined;
    if (run.finished_at === undefined && run.exitcode === undefined) return undefined;
    const completed = lastrun ?? (await this.lastrun());
    return completed > (run.finished_at ?? run.started_at) ? undefined : run;
  }

  /** last_run_summary.yaml with the sections and resource counters the Ruby agent guarantees. */
  async loadSummary(): Promise<Summary> {
    const { lastrunfile } = await this.paths();
    const summary: Summary = { changes: {}, time: {}, resources: {}, version: {}, events: {} };
    let text: string | undefined;
    try {
      text = await readFile(lastrunfile, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    if (text !== undefined) {
      const loaded = load(text, { schema: PUPPET_YAML_SCHEMA });
      if (loaded !== null && typeof loaded === "object" && !Array.isArray(loaded))
        Object.assign(summary, loaded);
    }
    for (const key of Object.keys(summary)) {
      const section = summary[key];
      if (section === null || typeof section !== "object") summary[key] = {};
    }
    summary.resources = {
      failed: 0,
      changed: 0,
      corrective_change: 0,
      total: 0,
      restarted: 0,
      out_of_sync: 0,
      ...summary.resources,
    };
    return summary;
  }

  async lastrun(): Promise<number> {
    const value = Number((await this.loadSummary()).time?.last_run ?? 0);
    return Number.isFinite(value) ? Math.trunc(value) : 0;
  }

  async disabled(): Promise<boolean> {
    return exists((await this.paths()).agent_disabled_lockfile);
  }

  async lockMessage(): Promise<string> {
    const { agent_disabled_lockfile } = await this.paths();
    let text: string;
    try {
      text = await readFile(agent_disabled_lockfile, "utf8");
    } catch {
      return "";
    }
    try {
      const data = JSON.parse(text) as { disabled_message?: unknown };
      return typeof data.disabled_message === "string" ? data.disabled_message : "";
    } catch {
      return "";
    }
  }

  async applying(): Promise<boolean> {
    const { agent_catalog_run_lockfile } = await this.paths();
    try {
      return processAlive(await readFile(agent_catalog_run_lockfile, "utf8"));
    } catch {
      return false;
    }
  }

  async daemonPid(): Promise<number | undefined> {
    const { pidfile } = await this.paths();
    try {
      const text = await readFile(pidfile, "utf8");
      return processAlive(text) ? Number.parseInt(text.trim(), 10) : undefined;
    } catch {
      return undefined;
    }
  }

  async status(): Promise<PuppetStatus> {
    const [lastrun, applying, disabled, pid, lockMessage] = await Promise.all([
      this.lastrun(),
      this.applying(),
      this.disabled(),
      this.daemonPid(),
      this.lockMessage(),
    ]);
    const daemonPresent = pid !== undefined;
    const idling = daemonPresent && !applying;
    const since = Math.floor(Date.now() / 1000) - lastrun;
    const status = disabled ? "disabled" : applying ? "applying a catalog" : idling ? "idling" : "stopped";
    const failed = await this.failedTriggeredRun(lastrun);
    return {
      applying,
      enabled: !disabled,
      daemon_present: daemonPresent,
      lastrun,
      idling,
      disable_message: lockMessage,
      since_lastrun: since,
      status,
      message: `Currently ${status}; last completed run ${secondsToHuman(since)} ago${failed ? `; ${describeFailedRun(failed)}` : ""}`,
    };
  }

  async enable(): Promise<void> {
    if (!(await this.disabled())) throw new Error("Already enabled");
    await unlink((await this.paths()).agent_disabled_lockfile);
  }

  async disable(message: string): Promise<string> {
    if (await this.disabled()) throw new Error("Already disabled");
    const file = (await this.paths()).agent_disabled_lockfile;
    // Written aside and renamed, so Puppet never reads half a lock.
    const temp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString("hex")}`);
    await writeFile(temp, JSON.stringify({ disabled_message: message }));
    await rename(temp, file);
    return message;
  }

  /** `type[title]` lines of resources.txt, as Puppet writes them (lower case). */
  async managedResources(): Promise<string[]> {
    try {
      return (await readFile((await this.paths()).resourcefile, "utf8")).split("\n").filter((l) => l !== "");
    } catch {
      return [];
    }
  }

  async managingResource(resource: string): Promise<boolean> {
    return (await this.managedResources()).includes(resource.toLowerCase());
  }

  async typeDistribution(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const line of await this.managedResources()) {
      const type = (line.split("[")[0] ?? "")
        .split("::")
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
        .join("::");
      counts[type] = (counts[type] ?? 0) + 1;
    }
    return counts;
  }

  /**
   * The logs of last_run_report.yaml, as the Ruby agent lists them.
   */
  async lastRunLogs(): Promise<Record<string, unknown>[]> {
    let text: string;
    try {
      text = await readFile((await this.paths()).lastrunreport, "utf8");
    } catch {
      return [];
    }
    // The report is a tagged Ruby object dump: the tags go, the maps stay.
    const report = load(text.replace(/!ruby\/[\w:/]+/g, ""), { schema: PUPPET_YAML_SCHEMA }) as {
      logs?: unknown[];
    } | null;
    return (report?.logs ?? []).flatMap((entry) => {
      if (entry === null || typeof entry !== "object") return [];
      const log = entry as Record<string, unknown>;
      const time = new Date(String(log.time));
      const seconds = Number.isNaN(time.getTime()) ? 0 : Math.floor(time.getTime() / 1000);
      return [
        {
          time_utc: seconds,
          time: seconds,
          level: String(log.level ?? ""),
          source: String(log.source ?? ""),
          msg: String(log.message ?? "").replace(/\n$/, ""),
        },
      ];
    });
  }
}

/** The last lines of a file, blank ones left out. */
async function outputTail(path: string, lines = TRIGGERED_RUN_TAIL): Promise<string[]> {
  try {
    return (await readFile(path, "utf8"))
      .split("\n")
      .map((line) => line.trimEnd())
      .filter((line) => line !== "")
      .slice(-lines);
  } catch {
    return [];
  }
}

/**
 * `the run triggered 12 seconds ago failed (exit code 1): Error: Could not
 * run: No more routes to ca`: how it ended and the line that says why (the
 * last `Error:` line, else the last line).
 */
export function describeFailedRun(run: TriggeredRun, now = Date.now()): string {
  const ago = secondsToHuman(Math.max(0, Math.floor(now / 1000) - run.started_at));
  const how =
    run.finished_at === undefined
      ? "ended while no daemon watched it (exit status unknown)"
      : run.signal
        ? `was killed by ${run.signal}`
        : `failed (exit code ${run.exitcode})`;
  const tail = run.tail ?? [];
  const why = [...tail].reverse().find((line) => /^Error: /.test(line)) ?? tail[tail.length - 1];
  return `the run triggered ${ago} ago ${how}${why === undefined ? "" : `: ${why}`}`;
}

const managers = new Map<string, PuppetAgentManager>();

/**
 * The manager for these settings, shared by the agent and the data plugins
 * of one daemon, its paths already being asked of `puppet config print`:
 * that takes seconds, longer than a data query may.
 */
export function sharedManager(settings: PuppetSettingsReader): PuppetAgentManager {
  const key = JSON.stringify(
    ["config", "puppet_binary", "triggered_run_dir", ...STATE_SETTINGS].map(
      (k) => settings.string(k) ?? null,
    ),
  );
  let mgr = managers.get(key);
  if (!mgr) {
    mgr = new PuppetAgentManager(settings);
    managers.set(key, mgr);
    mgr.paths().catch(() => undefined);
  }
  return mgr;
}

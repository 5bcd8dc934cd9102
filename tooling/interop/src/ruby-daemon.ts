/**
 * Debian's `mcollectived` as a test peer: config written into its own directory,
 * started in the foreground as a child process (so its pid, exit and output are ours to
 * watch; daemonize = 1 would fork away and leave only a pidfile), ready once RabbitMQ
 * shows its subscriptions, stopped with TERM (KILL after a timeout).
 *
 * Nothing outlives the harness: live daemons are killed when the Node process exits,
 * and each daemon watches the stdin pipe the harness holds, so it shuts itself down
 * even if the harness is killed outright.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RabbitMqAdmin } from "@phobos/connector-rabbitmq/setup";
import { type ActiveMqEndpoint, activeMqFromEnv, watchConsumers } from "./activemq.js";
import { registerChild } from "./child-registry.js";
import {
  type ConfigScalar,
  defaultLibdir,
  type ExtraConfig,
  type ServerConfigOptions,
  writeServerConfig,
} from "./config-file.js";
import { phobosCommand, stopOnStdinEofOptions } from "./phobos-paths.js";
import { brokerDefaultsFromEnv, MCOLLECTIVED, RUBY } from "./reference-environment.js";
import { listRubyAgents } from "./ruby-agents.js";
import { rubyEnv } from "./ruby-env.js";
import {
  BindingsTimeoutError,
  type ExpectedBinding,
  mcollectiveNodeBindings,
  waitForBindings,
  withSubscriptionGate,
} from "./subscriptions.js";

export interface RubyDaemonOptions extends ServerConfigOptions {
  /** Which mcollectived: Debian's Ruby one (default) or Phobos's. Both read the same server.cfg. */
  readonly implementation?: "ruby" | "phobos";
  /** Used to watch the subscriptions. Default: the machine's broker (RABBITMQ_* or guest@localhost). */
  readonly admin?: RabbitMqAdmin;
  /**
   * `connector = activemq`: the broker whose consumer advisories mark readiness
   * (its admin login is used). Default: the first pool entry, with the admin
   * login of {@link activeMqFromEnv}.
   */
  readonly activemq?: ActiveMqEndpoint;
  /** Where config, facts, classes, log and output go. Default: a fresh temp directory, removed by stop(). */
  readonly dir?: string;
  /** Agents whose broadcast subscriptions mark readiness. Default: those found on the libdir and Ruby's load path. */
  readonly agents?: readonly string[];
  /** Added to the daemon's environment (undefined removes a variable). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default 30 s. */
  readonly startTimeoutMs?: number;
  /** Time between TERM and KILL. Default 5 s. */
  readonly stopTimeoutMs?: number;
  /** Keep the temp directory after stop() (also with PHOBOS_INTEROP_KEEP=1). */
  readonly keepDir?: boolean;
}

export interface DaemonExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RubyDaemon {
  readonly identity: string;
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  /** The daemon's stdout and stderr (Ruby errors before logging starts land here). */
  readonly outputFile: string;
  readonly pid: number;
  readonly vhost: string;
  readonly collectives: readonly string[];
  readonly agents: readonly string[];
  /** The bindings that made it count as ready. */
  readonly expectedBindings: readonly ExpectedBinding[];
  /** True once the process has exited, for whatever reason. */
  readonly exited: boolean;
  readonly exit: Promise<DaemonExit>;
  /** The last lines of the log file and of the output, for failure messages. */
  logTail(lines?: number): Promise<string>;
  /** TERM, wait, KILL after stopTimeoutMs; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
}

export class RubyDaemonError extends Error {
  readonly identities: readonly string[];
  /** The processes of those daemons that had started (all stopped by now). */
  readonly pids: readonly number[];

  constructor(
    identities: readonly string[],
    message: string,
    options?: { cause?: unknown; pids?: readonly number[] },
  ) {
    super(message, options);
    this.name = "RubyDaemonError";
    this.identities = identities;
    this.pids = options?.pids ?? [];
  }
}

/** The agents every Phobos daemon runs, whatever other agent packages are installed. */
export const PHOBOS_AGENTS: readonly string[] = ["discovery", "rpcutil"];

// Runs the packaged script unchanged, behind a thread that turns EOF on stdin (the
// harness is gone) into the TERM that stops it cleanly.
const LAUNCHER = [
  'Thread.new { begin; STDIN.read; rescue Exception; end; Process.kill("TERM", Process.pid) }',
  '$0 = (["mcollectived"] + ARGV).join(" ")',
  `load ${JSON.stringify(MCOLLECTIVED)}`,
].join("; ");

/**
 * The command line the harness runs: Debian's mcollectived in the foreground, which
 * stops when its stdin reaches EOF. Spawn it with a stdin pipe that you keep open.
 */
export function mcollectivedCommand(configFile: string): { command: string; args: string[] } {
  return { command: RUBY, args: ["-e", LAUNCHER, "--", "--config", configFile, "--no-daemonize"] };
}

async function tail(file: string, lines: number): Promise<string> {
  try {
    const text = await readFile(file, "utf8");
    const all = text.trimEnd().split("\n");
    return all.slice(-lines).join("\n");
  } catch (error) {
    return `(cannot read ${file}: ${(error as Error).message})`;
  }
}

/**
 * A Phobos daemon's replay record beside its log unless the test names one:
 * the default is /var/lib/mcollective/phobos-replay-<identity>, which the
 * daemons of concurrent tests, named alike, would share.
 */
function withReplayFile(extra: ExtraConfig | undefined, file: string): ExtraConfig {
  const key = "plugin.replay.file";
  if (extra === undefined) return { [key]: file };
  if (Array.isArray(extra)) {
    const lines = extra as readonly string[];
    return lines.some((l) => l.split("=")[0]?.trim() === key) ? lines : [`${key} = ${file}`, ...lines];
  }
  return { [key]: file, ...(extra as Readonly<Record<string, ConfigScalar>>) };
}

async function spawnDaemon(options: RubyDaemonOptions, vhost: string): Promise<RubyDaemon> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), `phobos-mcollectived-${options.identity}-`)));
  const keepDir = options.keepDir ?? process.env.PHOBOS_INTEROP_KEEP === "1";
  const removeDir = async () => {
    if (ownsDir && !keepDir) await rm(dir, { recursive: true, force: true });
  };

  let child: ChildProcess;
  let configFile: string;
  let agents: readonly string[];
  const logFile = options.logfile ?? join(dir, "mcollectived.log");
  const outputFile = join(dir, "mcollectived.out");
  try {
    const phobos = options.implementation === "phobos";
    configFile = await writeServerConfig(dir, {
      ...options,
      logfile: logFile,
      daemonize: false,
      ...(phobos ? { extra: withReplayFile(options.extra, join(dir, "replay")) } : {}),
    });
    agents =
      options.agents ?? (phobos ? PHOBOS_AGENTS : await listRubyAgents(options.libdir ?? defaultLibdir(dir)));
    const out = openSync(outputFile, "a");
    try {
      const env = rubyEnv(options.env);
      const { command, args } = phobos
        ? phobosCommand("mcollectived", ["--config", configFile, "--no-daemonize"])
        : mcollectivedCommand(configFile);
      if (phobos) env.NODE_OPTIONS = stopOnStdinEofOptions(env.NODE_OPTIONS);
      child = spawn(command, args, {
        cwd: dir,
        env,
        stdio: ["pipe", out, out],
      });
    } finally {
      closeSync(out);
    }
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
  } catch (error) {
    await removeDir();
    throw new RubyDaemonError(
      [options.identity],
      `mcollectived ${options.identity}: cannot start: ${(error as Error).message}`,
      { cause: error },
    );
  }

  // Later errors (a failed kill) are seen through exit; an unhandled 'error' would throw.
  child.on("error", () => undefined);
  registerChild(child);
  // A forgotten daemon must not keep the test process alive; the exit hook kills it.
  child.unref();
  child.stdin?.on("error", () => undefined);
  (child.stdin as { unref?: () => void } | null)?.unref?.();

  let exited = false;
  const exit = new Promise<DaemonExit>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });

  const stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
  let stopping: Promise<void> | undefined;
  const collectives = options.collectives ?? ["mcollective"];

  return {
    identity: options.identity,
    dir,
    configFile,
    logFile,
    outputFile,
    pid: child.pid ?? -1,
    vhost,
    collectives,
    agents,
    expectedBindings: mcollectiveNodeBindings({
      identity: options.identity,
      collectives,
      agents,
      ...(options.directAddressing === undefined ? {} : { directAddressing: options.directAddressing }),
    }),
    get exited() {
      return exited;
    },
    exit,
    async logTail(lines = 40) {
      return `--- ${logFile} (last ${lines} lines) ---\n${await tail(logFile, lines)}\n--- ${outputFile} ---\n${await tail(outputFile, lines)}`;
    },
    stop() {
      stopping ??= (async () => {
        if (!exited) {
          child.kill("SIGTERM");
          const timer = new AbortController();
          const gone = await Promise.race([
            exit.then(() => true),
            sleep(stopTimeoutMs, false, { signal: timer.signal }).catch(() => false),
          ]);
          timer.abort();
          if (!gone) {
            child.kill("SIGKILL");
            await exit;
          }
        }
        await removeDir();
      })();
      return stopping;
    },
  };
}

/**
 * Starts daemons in parallel (all in the same vhost) and resolves once RabbitMQ shows
 * every subscription they make. If any fails to start, exits or times out, all of them
 * are stopped and the error carries their log tails.
 */
export async function startRubyDaemons(
  list: readonly RubyDaemonOptions[],
  shared: { admin?: RabbitMqAdmin; startTimeoutMs?: number } = {},
): Promise<RubyDaemon[]> {
  const first = list[0];
  if (first === undefined) return [];
  if (first.broker.connector === "activemq") return startDaemonsOnActiveMq(list, shared);
  const vhost = first.broker.vhost ?? "/";
  for (const o of list) {
    if (o.broker.connector !== "rabbitmq") {
      throw new RubyDaemonError(
        [o.identity],
        `mcollectived ${o.identity}: readiness is only watched on the rabbitmq connector so far (got ${o.broker.connector})`,
      );
    }
    if ((o.broker.vhost ?? "/") !== vhost) {
      throw new RubyDaemonError(
        list.map((d) => d.identity),
        "startRubyDaemons: all daemons of one batch must use the same vhost",
      );
    }
  }
  const admin = shared.admin ?? first.admin ?? new RabbitMqAdmin(brokerDefaultsFromEnv().admin);
  const timeoutMs = shared.startTimeoutMs ?? Math.max(...list.map((o) => o.startTimeoutMs ?? 30_000));

  return withSubscriptionGate(admin, vhost, async (baseline) => {
    const started = await Promise.allSettled(list.map((o) => spawnDaemon(o, vhost)));
    const daemons = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed !== undefined) {
      await Promise.all(daemons.map((d) => d.stop()));
      throw failed.reason;
    }

    const died = new AbortController();
    for (const d of daemons) {
      void d.exit.then((how) => {
        if (!died.signal.aborted) died.abort({ daemon: d, how });
      });
    }
    try {
      await waitForBindings(
        admin,
        vhost,
        daemons.flatMap((d) => d.expectedBindings),
        { exclude: baseline, signal: died.signal, timeoutMs },
      );
      return daemons;
    } catch (error) {
      const dead = died.signal.aborted
        ? (died.signal.reason as { daemon: RubyDaemon; how: DaemonExit })
        : undefined;
      const suspects = dead
        ? [dead.daemon]
        : error instanceof BindingsTimeoutError
          ? suspectsOf(daemons, error)
          : daemons;
      const tails = await Promise.all(suspects.map((d) => d.logTail(30)));
      await Promise.all(daemons.map((d) => d.stop()));
      const why = dead
        ? `mcollectived ${dead.daemon.identity} exited (${dead.how.signal ?? `code ${dead.how.code}`}) before subscribing`
        : `mcollectived ${daemons.map((d) => d.identity).join(", ")} did not subscribe: ${(error as Error).message}`;
      throw new RubyDaemonError(
        suspects.map((d) => d.identity),
        `${why}\n${tails.join("\n")}`,
        { cause: error, pids: suspects.map((d) => d.pid) },
      );
    } finally {
      died.abort();
    }
  });
}

/**
 * {@link startRubyDaemons} on `connector = activemq`: ready once ActiveMQ's consumer
 * advisories show, for each daemon, one connection consuming its directed queue
 * (with its `mc_identity` selector) and every agent's topic in every collective.
 */
async function startDaemonsOnActiveMq(
  list: readonly RubyDaemonOptions[],
  shared: { startTimeoutMs?: number },
): Promise<RubyDaemon[]> {
  const first = list[0] as RubyDaemonOptions;
  const pool = first.broker.pool[0];
  const defaults = activeMqFromEnv();
  const endpoint =
    first.activemq ?? (pool === undefined ? defaults : { ...defaults, host: pool.host, port: pool.port });
  const timeoutMs = shared.startTimeoutMs ?? Math.max(...list.map((o) => o.startTimeoutMs ?? 30_000));
  const watch = await watchConsumers(endpoint);
  try {
    const started = await Promise.allSettled(
      list.map((o) => spawnDaemon(o, first.broker.vhost ?? "mcollective")),
    );
    const daemons = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed !== undefined) {
      await Promise.all(daemons.map((d) => d.stop()));
      throw failed.reason;
    }
    const waits = daemons.map(async (d) => {
      const ready = watch.nodeReady(d, timeoutMs);
      const died = d.exit.then((how) => {
        throw new RubyDaemonError(
          [d.identity],
          `mcollectived ${d.identity} exited (${how.signal ?? `code ${how.code}`}) before subscribing`,
        );
      });
      try {
        await Promise.race([ready, died]);
      } catch (error) {
        throw new RubyDaemonError([d.identity], `${(error as Error).message}\n${await d.logTail(30)}`, {
          cause: error,
        });
      } finally {
        died.catch(() => undefined);
      }
    });
    const results = await Promise.allSettled(waits);
    const problem = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (problem !== undefined) {
      await Promise.all(daemons.map((d) => d.stop()));
      throw problem.reason;
    }
    return daemons;
  } finally {
    await watch.close();
  }
}

/** Daemons whose own directed binding is missing; all of them when only shared bindings are. */
function suspectsOf(daemons: readonly RubyDaemon[], error: BindingsTimeoutError): RubyDaemon[] {
  const missingDirected = new Set(
    error.missing.filter((b) => b.exchange.endsWith("_directed")).map((b) => b.routingKey),
  );
  const named = daemons.filter((d) => missingDirected.has(d.identity));
  return named.length > 0 ? named : [...daemons];
}

/** {@link startRubyDaemons} for one daemon. */
export async function startRubyDaemon(options: RubyDaemonOptions): Promise<RubyDaemon> {
  const [daemon] = await startRubyDaemons([options]);
  if (daemon === undefined) throw new Error("unreachable: startRubyDaemons returned nothing");
  return daemon;
}

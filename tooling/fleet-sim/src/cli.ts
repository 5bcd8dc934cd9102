/**
 * `fleet-sim --count N --config server.cfg`: N virtual MCollective nodes,
 * real on the wire. Prints one JSON line when the fleet answers pings
 * (`{"ready": N, ...}`) and runs until TERM, INT or EOF on stdin with
 * `--stdin-eof`. `--procs K` spreads the nodes over K processes.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { openClient } from "@phobos/client";
import {
  type Config,
  consoleSink,
  createLogger,
  isLogLevel,
  type Logger,
  type LogLevel,
  loadConfig,
} from "@phobos/core";
import { waitUntilAnswering } from "./client.js";
import { type FactsSpec, parseFactsSpec } from "./facts-spec.js";
import { fleetRegistry, startFleet } from "./fleet.js";
import { nodeIdentities } from "./identities.js";
import { parseReplyDelay, type ReplyDelaySpec } from "./reply-delay.js";

const USAGE = `Usage: fleet-sim --count N --config server.cfg [--facts 'os=debian:3,redhat:1;role=web,db']
                 [--first 1] [--procs 1] [--loglevel warn] [--no-ready] [--ready-timeout 300] [--stdin-eof]
                 [--reply-delay [MIN-]MAX seconds] [--delay-seed 1]`;

interface Options {
  count: number;
  first: number;
  procs: number;
  configFile: string;
  facts: string;
  factsSpec: FactsSpec;
  /** `--reply-delay` as given, for workers. */
  replyDelayText: string | undefined;
  replyDelay: ReplyDelaySpec | undefined;
  loglevel: LogLevel;
  ready: boolean;
  stdinEof: boolean;
  /** How long the readiness check waits for every node to answer. */
  readyTimeoutSeconds: number;
  /** Internal: a worker of --procs, reporting to its parent. */
  worker: boolean;
}

function parse(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: "string", short: "n" },
      config: { type: "string", short: "c" },
      facts: { type: "string", default: "" },
      "reply-delay": { type: "string" },
      "delay-seed": { type: "string", default: "1" },
      first: { type: "string", default: "1" },
      procs: { type: "string", default: "1" },
      loglevel: { type: "string", default: "warn" },
      "no-ready": { type: "boolean", default: false },
      "stdin-eof": { type: "boolean", default: false },
      "ready-timeout": { type: "string", default: "300" },
      worker: { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const int = (name: string, text: string | undefined, min: number): number => {
    const n = Number(text);
    if (text === undefined || !Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  if (values.config === undefined) throw new Error("--config is required");
  const loglevel = values.loglevel;
  if (!isLogLevel(loglevel)) throw new Error(`--loglevel ${loglevel} is not a log level`);
  return {
    count: int("count", values.count, 1),
    first: int("first", values.first, 1),
    procs: int("procs", values.procs, 1),
    configFile: values.config,
    facts: values.facts,
    factsSpec: parseFactsSpec(values.facts),
    replyDelayText: values["reply-delay"],
    replyDelay:
      values["reply-delay"] === undefined
        ? undefined
        : parseReplyDelay(values["reply-delay"], int("delay-seed", values["delay-seed"], 0)),
    loglevel,
    ready: !values["no-ready"],
    stdinEof: values["stdin-eof"],
    readyTimeoutSeconds: int("ready-timeout", values["ready-timeout"], 1),
    worker: values.worker,
  };
}

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** Runs the nodes here; resolves to a stop function. */
async function runLocal(options: Options, config: Config, log: Logger): Promise<() => Promise<void>> {
  const fleet = await startFleet({
    config,
    count: options.count,
    first: options.first,
    facts: options.factsSpec,
    ...(options.replyDelay ? { replyDelay: options.replyDelay } : {}),
    log,
  });
  return () => fleet.stop();
}

/** Runs the nodes in `procs` worker processes; resolves once every worker has connected its share. */
async function runWorkers(options: Options): Promise<() => Promise<void>> {
  const bin = fileURLToPath(new URL("../bin/fleet-sim", import.meta.url));
  const share = Math.ceil(options.count / options.procs);
  const workers = [];
  for (let first = 0; first < options.count; first += share) {
    const count = Math.min(share, options.count - first);
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        bin,
        "--worker",
        "--no-ready",
        "--stdin-eof",
        ...["--config", options.configFile, "--count", String(count)],
        ...[
          "--first",
          String(options.first + first),
          "--facts",
          options.facts,
          "--loglevel",
          options.loglevel,
        ],
        ...(options.replyDelay
          ? ["--reply-delay", options.replyDelayText ?? "", "--delay-seed", String(options.replyDelay.seed)]
          : []),
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    workers.push(
      new Promise<typeof child>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        lines.on("line", (line) => {
          if (line.includes('"started"')) resolve(child);
        });
        child.once("exit", (code) =>
          reject(new Error(`fleet-sim worker exited with ${code} before starting`)),
        );
      }),
    );
  }
  const children = await Promise.all(workers);
  return async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.stdin?.end();
          }),
      ),
    );
  };
}

export async function main(argv: string[]): Promise<void> {
  let options: Options;
  try {
    options = parse(argv);
  } catch (err) {
    process.stderr.write(`fleet-sim: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  let config: Config;
  try {
    config = loadConfig(options.configFile);
  } catch (err) {
    process.stderr.write(
      `fleet-sim: cannot read --config ${options.configFile}: ${(err as Error).message}\n`,
    );
    process.exit(1);
  }
  const log = createLogger(consoleSink(options.loglevel));
  const started = performance.now();
  const stop = options.procs > 1 ? await runWorkers(options) : await runLocal(options, config, log);
  const connectedMs = performance.now() - started;

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown());
  process.on("SIGINT", () => void shutdown());
  if (options.stdinEof)
    process.stdin
      .on("end", () => void shutdown())
      .on("error", () => {})
      .resume();

  if (options.worker) {
    emit({ started: options.count, first: options.first });
    return;
  }
  const identities = nodeIdentities(config.identity, options.first, options.count);
  let silent: string[] = [];
  if (options.ready) {
    const registry = await fleetRegistry(config, [], log.child("plugins"));
    // Its rounds end with stragglers while nodes subscribe: that is no warning for the operator.
    const quiet = createLogger(consoleSink("error"));
    const client = await openClient({
      config,
      settings: { identity: `${config.identity}-fleet-sim-check` },
      registry,
      log: quiet,
      connectionTimeout: 30,
    });
    try {
      silent = await waitUntilAnswering(client.messaging, identities, {
        timeoutMs: options.readyTimeoutSeconds * 1000,
      });
    } finally {
      await client.close();
    }
  }
  emit({
    ready: identities.length - silent.length,
    count: identities.length,
    first: identities[0],
    last: identities[identities.length - 1],
    connectedMs: Math.round(connectedMs),
    readyMs: Math.round(performance.now() - started),
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    ...(silent.length > 0 ? { silent: silent.slice(0, 20) } : {}),
  });
}

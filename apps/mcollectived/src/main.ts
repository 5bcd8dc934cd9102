import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  type Config,
  createLogger,
  discoverPlugins,
  type Logger,
  type LogSink,
  loadConfig,
  nextLogLevel,
  PHOBOS_VERSION,
  PhobosError,
  PROTOCOL_VERSION,
  serverConfigFile,
  sinkFromConfig,
} from "@phobos/core";
import { Server, serverMetricSet } from "@phobos/server";
import { startEmbeddedBroker } from "./embedded-broker.js";
import { type MetricsSettings, readMetricsSettings, startDaemonMetrics } from "./metrics.js";
import { writePidfile } from "./pidfile.js";

const USAGE =
  "Usage: mcollectived [--config /path/to/config] [--pidfile /path/to/pid] [--daemonize | --no-daemonize]";

/**
 * The signals MCollective's runner answered, as it answered them. Ruby's
 * default handlers turned TERM, INT, HUP, QUIT and ALRM into a
 * SignalException that main_loop logged and stopped on; Node would die of
 * HUP, QUIT and ALRM without a word and leave the pidfile behind.
 */
const STOP_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGALRM"] as const;

const HELP = `${USAGE}

Signals:
  TERM, INT, HUP, QUIT, ALRM  log "Exiting after signal", stop (letting running actions
                              finish when soft_shutdown = 1), remove the pidfile, exit 0
  USR1                        reload the agents (libdirs and installed agent packages)
  USR2                        cycle the log level: debug, info, warn, error, fatal, debug...
  WINCH                       reopen the log file (after it was rotated)`;

/** The package directory: its dependencies are the first-party plugins. */
const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface Flags {
  config: string;
  pidfile: string | undefined;
  daemonize: boolean | undefined;
}

function parseFlags(argv: string[]): Flags | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: "string", short: "c" },
      pidfile: { type: "string", short: "p" },
      daemonize: { type: "boolean" },
      "no-daemonize": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return undefined;
  return {
    config: values.config ?? serverConfigFile(),
    pidfile: values.pidfile,
    daemonize: values["no-daemonize"] ? false : values.daemonize ? true : undefined,
  };
}

/** A Node process cannot fork: daemonizing re-runs us detached, in the foreground mode. */
function daemonize(argv: string[]): never {
  const child = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1] as string, ...argv, "--no-daemonize"],
    {
      detached: true,
      stdio: "ignore",
      env: process.env,
    },
  );
  child.unref();
  process.exit(0);
}

async function run(flags: Flags, argv: string[]): Promise<void> {
  let config: Config;
  let metricsSettings: MetricsSettings | undefined;
  try {
    config = loadConfig(flags.config);
    metricsSettings = readMetricsSettings(config);
  } catch (err) {
    process.stderr.write(`mcollectived: ${(err as Error).message}\n`);
    process.exit(1);
  }
  if (flags.daemonize ?? config.daemonize) daemonize(argv);

  const sink: LogSink = sinkFromConfig(config);
  const log: Logger = createLogger(sink);
  for (const warning of config.warnings) log.warn(warning);
  log.info(
    `The Marionette Collective version ${PROTOCOL_VERSION} (Phobos ${PHOBOS_VERSION}) started by ${process.argv[1]} using config file ${flags.config}`,
  );

  let removePidfile = () => {};
  if (flags.pidfile) {
    try {
      removePidfile = writePidfile(flags.pidfile);
    } catch (err) {
      log.fatal((err as Error).message);
      process.stderr.write(`mcollectived: ${(err as Error).message}\n`);
      process.exit(1);
    }
    // Whatever path ends the process, the pidfile must not outlive it (as Ruby's `ensure`).
    process.on("exit", () => removePidfile());
  }

  // A daemon must outlive any one bad message or plugin: log and carry on.
  process.on("uncaughtException", (err) =>
    log.error(`Unhandled exception (continuing): ${err.stack ?? err}`),
  );
  process.on("unhandledRejection", (err) =>
    log.error(`Unhandled rejection (continuing): ${(err as Error)?.stack ?? String(err)}`),
  );

  const broker = await startEmbeddedBroker(config, log).catch((err: Error) => {
    log.fatal(`cannot start the embedded broker: ${err.message}`);
    process.stderr.write(`mcollectived: cannot start the embedded broker: ${err.message}\n`);
    removePidfile();
    process.exit(1);
  });

  const findPlugins = () =>
    discoverPlugins({ libdirs: config.libdir, appDir: APP_DIR, log: log.child("plugins") });
  const server = new Server({ config, registry: await findPlugins(), log });
  const metrics = metricsSettings
    ? await startDaemonMetrics(
        metricsSettings,
        [serverMetricSet(server.stats), ...(broker ? [broker.metrics] : [])],
        log,
      ).catch((err: Error) => {
        log.fatal(err.message);
        process.stderr.write(`mcollectived: ${err.message}\n`);
        removePidfile();
        process.exit(1);
      })
    : undefined;

  let stopping = false;
  const stop = async (signal: string) => {
    // Ruby logged every signal, also one that arrives while a soft shutdown waits.
    log.info(`Exiting after signal: ${signal}`);
    if (stopping) return;
    stopping = true;
    await server.stop();
    await metrics?.close();
    await broker?.close();
    removePidfile();
    process.exit(0);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => void stop(signal));
  process.on("SIGUSR1", () => {
    log.info("Reloading all agents after receiving USR1 signal");
    void findPlugins()
      .then((registry) => server.reloadAgents(registry))
      .catch((err: Error) => log.error(`Reloading agents failed: ${err.message}`));
  });
  process.on("SIGUSR2", () => {
    log.info("Cycling logging level due to USR2 signal");
    sink.level = nextLogLevel(sink.level);
    // At the new level, as Ruby's cycle_level: the one level sure to be written.
    log[sink.level](`Logging level is now ${sink.level.toUpperCase()}`);
  });
  process.on("SIGWINCH", () => {
    log.info("Reopening logfiles due to WINCH signal");
    sink.reopen?.();
    log.info("Reopened logfiles due to WINCH signal");
  });

  try {
    await server.start();
  } catch (err) {
    // A TERM while the broker is still unreachable ends start() too: that is a clean stop.
    if (stopping) return;
    const message = err instanceof PhobosError ? err.message : ((err as Error).stack ?? String(err));
    log.fatal(`Failed to start: ${message}`);
    process.stderr.write(`mcollectived: ${message}\n`);
    await broker?.close();
    removePidfile();
    process.exit(1);
  }
}

export async function main(argv: string[]): Promise<void> {
  let flags: Flags | undefined;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    process.stderr.write(`mcollectived: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (!flags) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  await run(flags, argv);
}

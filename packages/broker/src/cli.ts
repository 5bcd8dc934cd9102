import { parseArgs } from "node:util";
import { type BrokerUser, DEFAULT_USERS, parseUserSpec } from "./auth.js";
import { DEFAULT_HOST, DEFAULT_PORT, type RunningBroker, startBroker } from "./broker.js";
import { readBrokerConfig } from "./config-file.js";
import type { BrokerLogger } from "./logger.js";
import { brokerMetricSet } from "./metrics.js";
import type { BrokerOptions, BrokerTlsOptions } from "./options.js";

export const USAGE = `Usage: phobos-broker [options]

Embedded STOMP broker for Phobos and MCollective (RabbitMQ-style destinations:
/exchange, /queue, /amq/queue, /topic, /temp-queue, /reply-queue).

Options:
  --bind ADDR          address to listen on (default ${DEFAULT_HOST})
  --port N             port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --user NAME:PASSWORD accepted login; repeatable (default guest:guest when none is given)
  --config FILE        broker config file (key = value: bind, port, user, vhost, exchange,
                       strict_exchanges, tls.cert, tls.key, tls.ca, tls.verify_client,
                       max_frame_size, max_pending_bytes, max_connections, ...)
  --tls-cert FILE      serve STOMP over TLS with this certificate (PEM)
  --tls-key FILE       ... and this private key (PEM)
  --tls-ca FILE        require client certificates signed by this CA (PEM)
  --metrics-port N     serve Prometheus metrics on GET /metrics at this port (default: off)
  --metrics-bind ADDR  address of the metrics endpoint (default 127.0.0.1)
  --verbose            log connections, errors and routing to stderr
  --help               show this help
`;

/** A command-line mistake: reported in one line, exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface CliInvocation {
  readonly help: boolean;
  readonly verbose: boolean;
  readonly config: string | undefined;
  /** Options from the flags alone; the config file is merged under them. */
  readonly options: BrokerOptions;
  /** Where the Prometheus endpoint listens; undefined without --metrics-port. */
  readonly metrics: { host: string; port: number } | undefined;
}

export function parseCliArgs(argv: readonly string[]): CliInvocation {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  const users: BrokerUser[] = [];
  for (const spec of values.user ?? []) {
    const user = parseUserSpec(spec);
    if (!user) throw new UsageError(`--user '${spec}' is not NAME:PASSWORD`);
    users.push(user);
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    if (!/^[0-9]+$/.test(values.port) || Number(values.port) > 65535) {
      throw new UsageError(`--port '${values.port}' is not a port number`);
    }
    port = Number(values.port);
  }
  let metrics: CliInvocation["metrics"];
  const metricsPort = values["metrics-port"];
  if (metricsPort !== undefined) {
    if (!/^[0-9]+$/.test(metricsPort) || Number(metricsPort) > 65535) {
      throw new UsageError(`--metrics-port '${metricsPort}' is not a port number`);
    }
    metrics = { host: values["metrics-bind"] ?? "127.0.0.1", port: Number(metricsPort) };
  } else if (values["metrics-bind"] !== undefined) {
    throw new UsageError("--metrics-bind needs --metrics-port");
  }
  if (values["tls-cert"] === undefined && values["tls-key"] !== undefined) {
    throw new UsageError("--tls-key needs --tls-cert");
  }
  if (values["tls-cert"] !== undefined && values["tls-key"] === undefined) {
    throw new UsageError("--tls-cert needs --tls-key");
  }
  if (values["tls-ca"] !== undefined && values["tls-cert"] === undefined) {
    throw new UsageError("--tls-ca needs --tls-cert and --tls-key");
  }
  const tls: BrokerTlsOptions | undefined =
    values["tls-cert"] !== undefined
      ? {
          certFile: values["tls-cert"],
          keyFile: values["tls-key"],
          ...(values["tls-ca"] !== undefined ? { caFile: values["tls-ca"], verifyClient: true } : {}),
        }
      : undefined;
  return {
    help: values.help ?? false,
    verbose: values.verbose ?? false,
    config: values.config,
    metrics,
    options: {
      ...(values.bind !== undefined ? { host: values.bind } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(users.length > 0 ? { users } : {}),
      ...(tls ? { tls } : {}),
    },
  };
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      bind: { type: "string" },
      port: { type: "string" },
      user: { type: "string", multiple: true },
      config: { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "tls-ca": { type: "string" },
      "metrics-port": { type: "string" },
      "metrics-bind": { type: "string" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** Flags win over the config file; users from both are accepted (a flag replaces a same-named one). */
export function mergeOptions(file: BrokerOptions, flags: BrokerOptions): BrokerOptions {
  const users = new Map<string, BrokerUser>();
  for (const user of [...(file.users ?? []), ...(flags.users ?? [])]) users.set(user.name, user);
  return { ...file, ...flags, ...(users.size > 0 ? { users: [...users.values()] } : {}) };
}

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

function stderrLogger(stream: NodeJS.WritableStream, verbose: boolean): BrokerLogger {
  const line = (level: string) => (message: string) => {
    stream.write(`${new Date().toISOString()} ${level} ${message}\n`);
  };
  const ignore = () => {};
  return {
    debug: verbose ? line("debug") : ignore,
    info: verbose ? line("info") : ignore,
    warn: line("warn"),
    error: line("error"),
  };
}

/**
 * Runs the broker until SIGINT/SIGTERM. Resolves with the exit status:
 * 0 after a clean stop or --help, 1 when the broker cannot start, 2 for
 * usage errors.
 */
export async function runCli(argv: readonly string[], io: CliIo = process): Promise<number> {
  let invocation: CliInvocation;
  try {
    invocation = parseCliArgs(argv);
  } catch (error) {
    io.stderr.write(`phobos-broker: ${(error as Error).message} (see --help)\n`);
    return 2;
  }
  if (invocation.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  let broker: RunningBroker;
  let options: BrokerOptions;
  try {
    const fromFile = invocation.config ? await readBrokerConfig(invocation.config) : {};
    options = mergeOptions(fromFile, invocation.options);
    broker = await startBroker({ ...options, logger: stderrLogger(io.stderr, invocation.verbose) });
  } catch (error) {
    io.stderr.write(`phobos-broker: ${(error as Error).message}\n`);
    return 1;
  }
  let metrics: { url: string; close(): Promise<void> } | undefined;
  if (invocation.metrics) {
    try {
      // prom-client loads only here, for a broker asked to serve metrics.
      const { startMetricsEndpoint } = await import("@phobos/metrics");
      metrics = await startMetricsEndpoint({ ...invocation.metrics, sets: [brokerMetricSet(broker)] });
    } catch (error) {
      io.stderr.write(`phobos-broker: ${(error as Error).message}\n`);
      await broker.close();
      return 1;
    }
  }
  // Handlers first: whoever reads the line below may signal the broker at once.
  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      if (invocation.verbose) io.stderr.write(`phobos-broker: ${signal}, closing\n`);
      Promise.all([metrics?.close(), broker.close()]).then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  const users = options.users && options.users.length > 0 ? options.users : undefined;
  const who = users
    ? `users: ${users.map((u) => u.name).join(", ")}`
    : `no --user given, accepting ${DEFAULT_USERS.map((u) => `${u.name}:${u.password}`).join(", ")}`;
  io.stdout.write(
    `phobos-broker listening on ${broker.tls ? "stomp+ssl" : "stomp"}://${broker.host}:${broker.port} (${who})\n`,
  );
  if (metrics) io.stdout.write(`phobos-broker metrics on ${metrics.url}\n`);
  return stopped;
}

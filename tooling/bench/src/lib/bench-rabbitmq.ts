/**
 * A RabbitMQ node of the benchmark's own, beside the machine's: started from
 * Debian's rabbitmq-server with a raised open-files limit (the machine's node
 * runs with 1024, which Erlang fixes at start-up: about 830 connections, not
 * the 5,000 the fan-out needs), and on the benchmark's own ports so that the
 * tests other people run on the machine's node neither disturb the figures
 * nor are disturbed. Needs root (it runs as the rabbitmq user).
 *
 * PHOBOS_BENCH_RABBITMQ=system uses the machine's node instead (fleets past
 * ~800 nodes will then fail to connect). PHOBOS_BENCH_PORT_BASE=B moves the
 * node to ports B (AMQP), B+1 (STOMP), B+2 (management) and B+3 (Erlang
 * distribution), under a node name of its own, so that two benchmarks on one
 * machine each have a node.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = "/usr/lib/rabbitmq/bin";

export interface BenchRabbitPorts {
  readonly amqp: number;
  readonly stomp: number;
  readonly management: number;
  readonly dist: number;
}

const DEFAULT_PORTS: BenchRabbitPorts = { amqp: 5680, stomp: 61680, management: 15680, dist: 25680 };

/** The node's name and ports: the defaults, or four from PHOBOS_BENCH_PORT_BASE on. */
export function benchRabbitAddress(env: NodeJS.ProcessEnv = process.env): {
  node: string;
  ports: BenchRabbitPorts;
} {
  const text = env.PHOBOS_BENCH_PORT_BASE;
  if (text === undefined || text === "") return { node: "phobos-bench@localhost", ports: DEFAULT_PORTS };
  const base = Number(text);
  if (!Number.isInteger(base) || base < 1024 || base > 65532)
    throw new Error(`PHOBOS_BENCH_PORT_BASE=${text} is not a port from 1024 to 65532`);
  return {
    node: `phobos-bench-${base}@localhost`,
    ports: { amqp: base, stomp: base + 1, management: base + 2, dist: base + 3 },
  };
}

export interface BenchRabbitOptions {
  /** The node's open-files limit (a connection takes one). */
  openFiles?: number;
  /** More rabbitmq.conf lines (`key = value`), e.g. the statistics interval. */
  conf?: readonly string[];
  /** RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS, e.g. `+sbwt none`. */
  erlArgs?: string;
}

export interface BenchRabbit {
  readonly description: string;
  /** undefined for the machine's node (PHOBOS_BENCH_RABBITMQ=system). */
  readonly ports: BenchRabbitPorts | undefined;
  /** The Erlang VM's process id, for its CPU time in /proc; undefined for the machine's node. */
  readonly pid: number | undefined;
  stop(): void;
}

function readPid(file: string): number | undefined {
  try {
    return Number(readFileSync(file, "utf8").trim()) || undefined;
  } catch {
    return undefined;
  }
}

function asRabbit(script: string, env: Record<string, string>): { status: number | null; output: string } {
  const exports = Object.entries(env)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");
  const res = spawnSync("su", ["rabbitmq", "-s", "/bin/sh", "-c", `export ${exports}; ${script}`], {
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

/**
 * Starts the node and points @phobos/interop at it (RABBITMQ_MANAGEMENT_URL,
 * RABBITMQ_STOMP_PORT): call before the first openSite("rabbitmq").
 */
export async function startBenchRabbit(options: BenchRabbitOptions = {}): Promise<BenchRabbit> {
  const openFiles = options.openFiles ?? 20_000;
  if (process.env.PHOBOS_BENCH_RABBITMQ === "system") {
    return {
      description: "the machine's RabbitMQ (PHOBOS_BENCH_RABBITMQ=system)",
      ports: undefined,
      pid: undefined,
      stop() {},
    };
  }
  const { node: NODE, ports: PORTS } = benchRabbitAddress();
  if (process.getuid?.() !== 0) {
    throw new Error(
      "tooling/bench starts a RabbitMQ node of its own as the rabbitmq user: run it as root, or set PHOBOS_BENCH_RABBITMQ=system to use the machine's (fleets up to ~800 nodes)",
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "phobos-bench-rabbitmq-"));
  writeFileSync(
    join(dir, "rabbitmq.conf"),
    [
      `listeners.tcp.default = ${PORTS.amqp}`,
      `stomp.listeners.tcp.1 = ${PORTS.stomp}`,
      `management.tcp.port = ${PORTS.management}`,
      ...(options.conf ?? []),
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "enabled_plugins"), "[rabbitmq_stomp,rabbitmq_management].\n");
  execFileSync("chown", ["-R", "rabbitmq", dir]);
  const env = {
    HOME: dir,
    RABBITMQ_NODENAME: NODE,
    RABBITMQ_NODE_PORT: String(PORTS.amqp),
    RABBITMQ_DIST_PORT: String(PORTS.dist),
    RABBITMQ_MNESIA_BASE: join(dir, "mnesia"),
    RABBITMQ_LOG_BASE: join(dir, "log"),
    RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq.conf"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "enabled_plugins"),
    RABBITMQ_PID_FILE: join(dir, "pid"),
    ...(options.erlArgs ? { RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: options.erlArgs } : {}),
  };
  // A node left by a killed run holds the ports: stop it first.
  asRabbit(`${BIN}/rabbitmqctl -q -n ${NODE} stop`, env);
  const started = asRabbit(
    `cd ${JSON.stringify(dir)} && ulimit -n ${openFiles} && ${BIN}/rabbitmq-server -detached && ${BIN}/rabbitmqctl -q -n ${NODE} wait ${JSON.stringify(env.RABBITMQ_PID_FILE)} --timeout 90`,
    env,
  );
  const stop = () => {
    const pid = readPid(env.RABBITMQ_PID_FILE);
    asRabbit(`${BIN}/rabbitmqctl -q -n ${NODE} stop`, env);
    // With thousands of connections closing, `stop` can outlast its timeout and leave the VM on
    // the ports: the node is a throw-away, so it goes the hard way.
    if (pid !== undefined) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone: `stop` finished in time.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (started.status !== 0) {
    stop();
    throw new Error(
      `starting the benchmark's RabbitMQ node failed (sh tooling/scripts/provision.sh installs it):\n${started.output}`,
    );
  }
  const url = `http://127.0.0.1:${PORTS.management}`;
  // The management API answers a moment after the node reports itself up.
  const auth = { authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}` };
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/api/overview`, { headers: auth }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i === 100) {
      stop();
      throw new Error(`the benchmark's RabbitMQ node started but ${url} never answered`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  process.env.RABBITMQ_MANAGEMENT_URL = url;
  process.env.RABBITMQ_STOMP_PORT = String(PORTS.stomp);
  const tuning = [...(options.conf ?? []), ...(options.erlArgs ? [`erl ${options.erlArgs}`] : [])];
  return {
    description: `a RabbitMQ node of its own (${NODE}, STOMP ${PORTS.stomp}, AMQP ${PORTS.amqp}, ${openFiles} open files${tuning.length > 0 ? `; ${tuning.join(", ")}` : ""})`,
    ports: PORTS,
    pid: readPid(env.RABBITMQ_PID_FILE),
    stop,
  };
}

/**
 * A RabbitMQ node of the benchmark's own, beside the machine's: started from
 * Debian's rabbitmq-server with a raised open-files limit (the machine's node
 * runs with 1024, which Erlang fixes at start-up: about 830 connections, not
 * the 5,000 the fan-out needs), and on the benchmark's own ports so that the
 * tests other people run on the machine's node neither disturb the figures
 * nor are disturbed. Needs root (it runs as the rabbitmq user).
 *
 * PHOBOS_BENCH_RABBITMQ=system uses the machine's node instead (fleets past
 * ~800 nodes will then fail to connect).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = "/usr/lib/rabbitmq/bin";
const NODE = "phobos-bench@localhost";
const PORTS = { amqp: 5680, stomp: 61680, management: 15680, dist: 25680 };

export interface BenchRabbit {
  readonly description: string;
  stop(): void;
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
export async function startBenchRabbit(openFiles = 20_000): Promise<BenchRabbit> {
  if (process.env.PHOBOS_BENCH_RABBITMQ === "system") {
    return { description: "the machine's RabbitMQ (PHOBOS_BENCH_RABBITMQ=system)", stop() {} };
  }
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
  };
  // A node left by a killed run holds the ports: stop it first.
  asRabbit(`${BIN}/rabbitmqctl -q -n ${NODE} stop`, env);
  const started = asRabbit(
    `cd ${JSON.stringify(dir)} && ulimit -n ${openFiles} && ${BIN}/rabbitmq-server -detached && ${BIN}/rabbitmqctl -q -n ${NODE} wait ${JSON.stringify(env.RABBITMQ_PID_FILE)} --timeout 90`,
    env,
  );
  const stop = () => {
    asRabbit(`${BIN}/rabbitmqctl -q -n ${NODE} stop`, env);
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
  return {
    description: `a RabbitMQ node of its own (${NODE}, STOMP ${PORTS.stomp}, ${openFiles} open files)`,
    stop,
  };
}

/**
 * A place to benchmark in: an isolated vhost on the machine's RabbitMQ, or an
 * embedded broker in a process of its own (so its CPU is not counted as the
 * client's), with client and server configs for both Phobos and Ruby, and a
 * simulated fleet (bin/fleet-sim) on it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import {
  type BrokerSettings,
  type RubyFleet,
  type RubyFleetNode,
  type SecuritySettings,
  startRubyFleet,
  writeClientConfig,
  writeServerConfig,
} from "@phobos/interop";

export type BrokerKind = "rabbitmq" | "embedded";

export interface Site {
  readonly kind: BrokerKind;
  readonly dir: string;
  readonly broker: BrokerSettings;
  readonly security: SecuritySettings;
  /** client.cfg for Phobos and Ruby mco. */
  readonly clientConfig: string;
  /** The RabbitMQ fleet (for Ruby daemons); undefined on the embedded broker. */
  readonly rabbit: RubyFleet | undefined;
  /** The embedded broker's process id (for its CPU time); undefined on RabbitMQ. */
  readonly brokerPid: number | undefined;
  /** A server.cfg whose identity is `identity` (fleet-sim numbers nodes after it). */
  serverConfig(identity: string, extra?: RubyFleetNode["extra"]): Promise<string>;
  dispose(): Promise<void>;
}

const require = createRequire(import.meta.url);
const BROKER_BIN = resolve(dirname(require.resolve("@phobos/broker/package.json")), "bin/phobos-broker");
const FLEET_SIM_BIN = resolve(dirname(require.resolve("@phobos/fleet-sim/package.json")), "bin/fleet-sim");

/** Starts `phobos-broker` on a free port; resolves with the port once it listens. */
/**
 * The broker's defaults (4,096 connections, 10,000 queues) are below a 5,000-node fleet's 5,000 and
 * 15,000, and its per-address limits on connections not yet logged in would throttle a whole fleet
 * connecting from 127.0.0.1 at once.
 */
const BROKER_LIMITS = [
  "max_connections = 20000",
  "max_queues = 100000",
  "max_preauth_connections = 20000",
  "max_preauth_per_address = 20000",
  "connect_rate_per_address = 0",
  "",
].join("\n");

async function startBrokerProcess(
  dir: string,
  user: string,
  password: string,
  port: number,
): Promise<{ child: ChildProcess; port: number }> {
  const config = join(dir, "broker.cfg");
  await writeFile(config, BROKER_LIMITS);
  const child = spawn(
    process.execPath,
    [BROKER_BIN, "--port", String(port), "--user", `${user}:${password}`, "--config", config],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolveStart, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const m = /listening on stomp:\/\/[^:]+:(\d+)/.exec(line);
      if (m) resolveStart({ child, port: Number(m[1]) });
    });
    child.once("exit", (code) => reject(new Error(`phobos-broker exited with ${code} before listening`)));
  });
}

/** `port`: the embedded broker's (0, the default, picks a free one); a benchmark on a shared machine names its own. */
export async function openSite(kind: BrokerKind, options: { port?: number } = {}): Promise<Site> {
  if (kind === "rabbitmq") {
    const fleet = await startRubyFleet({ vhostPrefix: "phobos-bench", nodes: [], startTimeoutMs: 120_000 });
    return {
      kind,
      dir: fleet.dir,
      broker: fleet.broker,
      security: fleet.security,
      clientConfig: fleet.clientConfig,
      rabbit: fleet,
      brokerPid: undefined,
      serverConfig: (identity, extra) =>
        writeServerConfig(
          join(fleet.dir, `server-${identity}`),
          fleet.serverConfigOptions({ identity, ...(extra === undefined ? {} : { extra }) }),
        ),
      // Deleting a vhost that just held thousands of connections can outlast the
      // management API's timeout; the benchmark's own RabbitMQ node goes anyway.
      dispose: () =>
        fleet.dispose().catch((error: unknown) => {
          if (process.env.PHOBOS_BENCH_RABBITMQ === "system") throw error;
          process.stderr.write(
            `(cleaning up ${fleet.vhost} on the benchmark's node: ${(error as Error).message})\n`,
          );
        }),
    };
  }
  const dir = await mkdtemp(join(tmpdir(), "phobos-bench-"));
  const password = randomBytes(8).toString("hex");
  const { child, port } = await startBrokerProcess(dir, "bench", password, options.port ?? 0);
  const broker: BrokerSettings = {
    connector: "rabbitmq",
    vhost: "/",
    pool: [{ host: "127.0.0.1", port, user: "bench", password }],
  };
  return siteOnBroker(kind, dir, broker, {
    brokerPid: child.pid,
    async dispose() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  });
}

/**
 * A site on a broker reached by address rather than through a RabbitMQ vhost
 * fleet: a fresh psk, the client's config in `dir`, server configs written
 * there on demand.
 */
export async function siteOnBroker(
  kind: BrokerKind,
  dir: string,
  broker: BrokerSettings,
  owner: { brokerPid: number | undefined; dispose(): Promise<void> },
): Promise<Site> {
  const security: SecuritySettings = { provider: "psk", psk: randomBytes(8).toString("hex") };
  const clientConfig = await writeClientConfig(join(dir, "client"), {
    identity: "phobos-bench-client",
    broker,
    security,
  });
  return {
    kind,
    dir,
    broker,
    security,
    clientConfig,
    rabbit: undefined,
    brokerPid: owner.brokerPid,
    serverConfig: (identity, extra) =>
      writeServerConfig(join(dir, `server-${identity}`), {
        identity,
        broker,
        security,
        ...(extra === undefined ? {} : { extra }),
      }),
    dispose: () => owner.dispose(),
  };
}

export interface SimFleet {
  readonly count: number;
  /** fleet-sim's process id (its workers run below it). */
  readonly pid: number;
  readonly identities: readonly string[];
  /** What fleet-sim reported: `readyMs`, `connectedMs`, … */
  readonly ready: Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * Runs bin/fleet-sim with `count` nodes named `<base>1…` over `procs` processes; resolves once all answer.
 * `extra`: more server.cfg lines (e.g. another transport); `nodeArgs`: Node options for fleet-sim and its
 * workers (e.g. `--cpu-prof`).
 */
export async function startSimFleet(
  site: Site,
  options: {
    count: number;
    procs?: number;
    base?: string;
    facts?: string;
    extra?: RubyFleetNode["extra"];
    nodeArgs?: readonly string[];
  },
): Promise<SimFleet> {
  const base = options.base ?? "node";
  const config = await site.serverConfig(base, options.extra);
  const procs = options.procs ?? Math.max(1, Math.ceil(options.count / 1250));
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      FLEET_SIM_BIN,
      ...[
        "--count",
        String(options.count),
        "--config",
        config,
        "--procs",
        String(procs),
        "--ready-timeout",
        "600",
      ],
      ...(options.facts ? ["--facts", options.facts] : []),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  const ready = await new Promise<Record<string, unknown>>((resolveReady, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      if (line.startsWith('{"ready"')) resolveReady(JSON.parse(line) as Record<string, unknown>);
    });
    void exited.then(() =>
      reject(new Error(`fleet-sim (${options.count} nodes) exited before it was ready`)),
    );
  });
  if (ready.ready !== options.count) {
    await stop();
    throw new Error(
      `fleet-sim: only ${String(ready.ready)} of ${options.count} nodes answered: ${JSON.stringify(ready)}`,
    );
  }
  const identities = Array.from({ length: options.count }, (_, i) => `${base}${i + 1}`);
  return { count: options.count, pid: child.pid as number, identities, ready, stop };
}

/**
 * The brokers bench:scale runs on: the benchmark's own RabbitMQ node, the
 * embedded broker in a process of its own, and a three-node RabbitMQ cluster
 * (tooling/scripts/rabbitmq-cluster.sh), each with the config lines a fleet
 * needs for a transport and the processes whose CPU is the broker's.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { BrokerSettings } from "@phobos/interop";
import type { BenchRabbit } from "./bench-rabbitmq.js";
import { processTree } from "./proc-cpu.js";
import { openSite, type Site, siteOnBroker } from "./site.js";

export type ScaleBroker = "rabbitmq" | "embedded" | "cluster";
export type Transport = "stomp" | "amqp";

export interface ScaleSite {
  readonly site: Site;
  readonly description: string;
  /** Config lines for a transport (the STOMP default needs none). */
  transportExtra(transport: Transport): Record<string, string>;
  /** Config lines every simulated node gets (the cluster's pool). */
  readonly serverExtra: Record<string, string>;
  /** The broker's processes now. */
  brokerPids(): number[];
  dispose(): Promise<void>;
}

/** The embedded broker's port: beside the benchmark's RabbitMQ ports when PHOBOS_BENCH_PORT_BASE is set. */
function embeddedPort(env: NodeJS.ProcessEnv = process.env): number {
  const base = env.PHOBOS_BENCH_PORT_BASE;
  return base === undefined || base === "" ? 0 : Number(base) + 10;
}

export async function openScaleSite(
  broker: ScaleBroker,
  rabbit: BenchRabbit | undefined,
): Promise<ScaleSite> {
  if (broker === "embedded") {
    const site = await openSite("embedded", { port: embeddedPort() });
    const pid = site.brokerPid as number;
    return {
      site,
      description: `embedded broker on port ${String(site.broker.pool[0]?.port)}`,
      transportExtra(transport) {
        if (transport !== "stomp") throw new Error(`the embedded broker speaks STOMP only, not ${transport}`);
        return {};
      },
      serverExtra: {},
      brokerPids: () => processTree(pid),
      dispose: () => site.dispose(),
    };
  }
  if (broker === "rabbitmq") {
    if (rabbit === undefined) throw new Error("bench:scale: the RabbitMQ node was not started");
    const site = await openSite("rabbitmq");
    const amqpPort = rabbit.ports?.amqp ?? 5672;
    return {
      site,
      description: `${rabbit.description}, vhost ${site.broker.vhost ?? "/"}`,
      transportExtra: (transport): Record<string, string> =>
        transport === "stomp"
          ? {}
          : { "plugin.rabbitmq.transport": "amqp", "plugin.rabbitmq.pool.1.port": String(amqpPort) },
      serverExtra: {},
      brokerPids: () => (rabbit.pid === undefined ? [] : processTree(rabbit.pid)),
      dispose: () => site.dispose(),
    };
  }
  return openCluster();
}

const CLUSTER_SCRIPT = fileURLToPath(new URL("../../../scripts/rabbitmq-cluster.sh", import.meta.url));
const CLUSTER_NODES = [1, 2, 3] as const;

/**
 * tooling/scripts/rabbitmq-cluster.sh's layout (its header): from PHOBOS_RABBITMQ_CLUSTER_PORT_BASE=B
 * node i has AMQP B+10i+1 and STOMP B+10i+2; the exchanges are declared in /mcollective for the
 * user mcollective (PHOBOS_RABBITMQ_PASSWORD, default marionette).
 */
function clusterLayout(env: NodeJS.ProcessEnv = process.env) {
  const base = Number(env.PHOBOS_RABBITMQ_CLUSTER_PORT_BASE ?? "45100");
  return {
    dir: env.PHOBOS_RABBITMQ_CLUSTER_DIR ?? "/tmp/phobos-rabbitmq-cluster",
    vhost: env.PHOBOS_RABBITMQ_CLUSTER_VHOST ?? "/mcollective",
    user: env.PHOBOS_RABBITMQ_CLUSTER_USER ?? "mcollective",
    password: env.PHOBOS_RABBITMQ_PASSWORD ?? "marionette",
    stomp: (i: number) => base + 10 * i + 2,
    amqp: (i: number) => base + 10 * i + 1,
  };
}

async function cluster(command: "start" | "stop"): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)("sh", [CLUSTER_SCRIPT, command], { timeout: 600_000 });
    return stdout.trim();
  } catch (error) {
    const e = error as Error & { stderr?: string };
    throw new Error(`rabbitmq-cluster.sh ${command} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/**
 * The three-node cluster: the client on node 1 (pool.1), each simulated node on a node of the pool
 * picked at random (`randomize`), so the fleet spreads over the cluster and most replies cross it.
 */
async function openCluster(): Promise<ScaleSite> {
  const layout = clusterLayout();
  const started = await cluster("start");
  const dir = await mkdtemp(join(tmpdir(), "phobos-bench-cluster-"));
  const pool = (port: (i: number) => number) =>
    CLUSTER_NODES.map((i) => ({
      host: "127.0.0.1",
      port: port(i),
      user: layout.user,
      password: layout.password,
    }));
  const broker: BrokerSettings = { connector: "rabbitmq", vhost: layout.vhost, pool: pool(layout.stomp) };
  const site = await siteOnBroker("rabbitmq", dir, broker, {
    brokerPid: undefined,
    dispose: () => rm(dir, { recursive: true, force: true }),
  });
  const beamPid = (i: number): number | undefined => {
    try {
      return Number(readFileSync(join(layout.dir, `c${i}`, "pid"), "utf8").trim());
    } catch {
      return undefined;
    }
  };
  return {
    site,
    description: started.split("\n").slice(-1)[0] ?? "rabbitmq-cluster.sh start",
    transportExtra: (transport): Record<string, string> =>
      transport === "stomp"
        ? {}
        : {
            "plugin.rabbitmq.transport": "amqp",
            ...Object.fromEntries(
              CLUSTER_NODES.map((i) => [`plugin.rabbitmq.pool.${i}.port`, String(layout.amqp(i))]),
            ),
          },
    serverExtra: { "plugin.rabbitmq.randomize": "true" },
    brokerPids: () =>
      CLUSTER_NODES.map(beamPid)
        .filter((p): p is number => p !== undefined)
        .flatMap((p) => processTree(p)),
    async dispose() {
      await site.dispose();
      await cluster("stop");
    },
  };
}

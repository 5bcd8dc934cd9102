/**
 * The brokers bench:scale runs on: the benchmark's own RabbitMQ node, the
 * embedded broker in a process of its own, and a three-node RabbitMQ cluster
 * (tooling/scripts/rabbitmq-cluster.sh), each with the config lines a fleet
 * needs for a transport and the processes whose CPU is the broker's.
 */
import type { BenchRabbit } from "./bench-rabbitmq.js";
import { processTree } from "./proc-cpu.js";
import { openSite, type Site } from "./site.js";

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

export async function openScaleSite(broker: ScaleBroker, rabbit: BenchRabbit | undefined): Promise<ScaleSite> {
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
  throw new Error(
    "bench:scale --brokers cluster: tooling/scripts/rabbitmq-cluster.sh is not on this branch yet",
  );
}

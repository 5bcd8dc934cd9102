/**
 * The three-node cluster of tooling/scripts/rabbitmq-cluster.sh, driven from
 * tests: every fault goes through the script (the same commands an operator or
 * the benchmark uses), and the ports follow its layout.
 */
import { execFile } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RabbitMqAdmin } from "@phobos/connector-rabbitmq/setup";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const CLUSTER_SCRIPT = resolve(ROOT, "tooling/scripts/rabbitmq-cluster.sh");

export type NodeIndex = 1 | 2 | 3;
export const NODE_INDEXES: readonly NodeIndex[] = [1, 2, 3];

export interface ClusterNode {
  readonly index: NodeIndex;
  /** The Erlang node name, as the management API's `node` fields give it. */
  readonly name: string;
  readonly stompPort: number;
  readonly managementUrl: string;
  /** guest/guest on the node's management API. */
  readonly admin: RabbitMqAdmin;
}

export interface ClusterLayout {
  readonly nodes: readonly [ClusterNode, ClusterNode, ClusterNode];
  readonly vhost: string;
  readonly user: string;
  readonly password: string;
  readonly collective: string;
  node(index: NodeIndex): ClusterNode;
}

/** The script's port layout from PHOBOS_RABBITMQ_CLUSTER_PORT_BASE (default 45100). */
export function clusterLayout(env: NodeJS.ProcessEnv = process.env): ClusterLayout {
  const text = env.PHOBOS_RABBITMQ_CLUSTER_PORT_BASE ?? "45100";
  const base = Number(text);
  if (!(Number.isInteger(base) && base > 0 && base + 199 < 65536)) {
    throw new Error(
      `PHOBOS_RABBITMQ_CLUSTER_PORT_BASE=${text} is not a TCP port (base + 199 must be one too)`,
    );
  }
  const prefix = env.PHOBOS_RABBITMQ_CLUSTER_IP_PREFIX ?? "127.0.0.1";
  const node = (index: NodeIndex): ClusterNode => {
    const managementUrl = `http://127.0.0.1:${base + 10 * index + 3}`;
    return {
      index,
      name: `phobos-c${index}@${prefix}${index}`,
      stompPort: base + 10 * index + 2,
      managementUrl,
      admin: new RabbitMqAdmin({
        url: managementUrl,
        username: "guest",
        password: "guest",
      }),
    };
  };
  const nodes = [node(1), node(2), node(3)] as const;
  return {
    nodes,
    vhost: env.PHOBOS_RABBITMQ_CLUSTER_VHOST ?? "/mcollective",
    user: env.PHOBOS_RABBITMQ_CLUSTER_USER ?? "mcollective",
    password: env.PHOBOS_RABBITMQ_PASSWORD ?? "marionette",
    collective: "mcollective",
    node: (index) => nodes[index - 1] as ClusterNode,
  };
}

export interface ScriptResult {
  readonly code: number;
  readonly output: string;
}

/** Runs the script; resolves with its exit code and output (never rejects on a non-zero exit). */
export function runClusterScript(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 600_000,
): Promise<ScriptResult> {
  return new Promise((done) => {
    execFile(
      "sh",
      [CLUSTER_SCRIPT, ...args],
      { env, timeout: timeoutMs, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        done({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** Runs the script and throws (with its output) unless it exits 0. */
export async function clusterCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const r = await runClusterScript(args, env);
  if (r.code !== 0) throw new Error(`rabbitmq-cluster.sh ${args.join(" ")} exited ${r.code}:\n${r.output}`);
  return r.output;
}

/**
 * A test run needs root (the nodes run as the rabbitmq user, partitions use
 * iptables): missing prerequisites fail by name instead of skipping.
 */
export function assertPrerequisites(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      "tooling/rabbitmq-cluster starts RabbitMQ nodes as the rabbitmq user and cuts them apart with iptables: run it as root",
    );
  }
}

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, discoverPlugins, type Logger, type PluginRegistry } from "@phobos/core";
import { Server } from "@phobos/server";
import type { FactsSpec } from "./facts-spec.js";
import { nodeIdentity } from "./identities.js";
import type { ReplyDelaySpec } from "./reply-delay.js";
import { SIM_FACTS, simFactsPlugin } from "./sim-facts.js";
import { SimRegistry } from "./sim-registry.js";

/** tooling/fleet-sim: its dependencies are the plugins the virtual nodes run. */
const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface FleetOptions {
  /** The server config every node starts from (broker, security, collectives). */
  config: Config;
  count: number;
  /** Number of the first node (default 1): several processes split one fleet. */
  first?: number;
  facts?: FactsSpec;
  /** Each node holds its replies back this long (`replyDelaySeconds`). */
  replyDelay?: ReplyDelaySpec;
  log: Logger;
  /** How many nodes connect at once; the broker accepts a burst, not thousands at a time. */
  connectConcurrency?: number;
  /** Called as nodes come up, for progress output. */
  onStarted?: (started: number, count: number) => void;
}

export interface Fleet {
  readonly identities: readonly string[];
  readonly servers: readonly Server[];
  /** Disconnects every node. Idempotent. */
  stop(): Promise<void>;
}

/** The config of virtual node `n`: the base config under another identity, with its own facts. */
export function nodeConfig(base: Config, n: number): Config {
  const pluginConf = new Map(base.pluginConf);
  pluginConf.set(`${SIM_FACTS}.node`, String(n));
  // Thousands of journals in one process would measure the disk, not the fleet.
  if (!pluginConf.has("replay.file")) pluginConf.set("replay.file", "none");
  return { ...base, identity: nodeIdentity(base.identity, n), factSource: SIM_FACTS, pluginConf };
}

export async function fleetRegistry(
  config: Config,
  facts: FactsSpec,
  log: Logger,
  replyDelay?: ReplyDelaySpec,
): Promise<PluginRegistry> {
  const base = await discoverPlugins({ libdirs: config.libdir, appDir: PACKAGE_DIR, log });
  return new SimRegistry(base, simFactsPlugin(facts), replyDelay);
}

/**
 * Starts `count` virtual nodes in this process. Each is a real core Server
 * with its own identity, facts, connector instance (one broker connection)
 * and subscriptions; only plugin modules are shared.
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const first = options.first ?? 1;
  const registry = await fleetRegistry(
    options.config,
    options.facts ?? [],
    options.log.child("plugins"),
    options.replyDelay,
  );
  const servers: Server[] = [];
  const identities: string[] = [];
  for (let i = 0; i < options.count; i++) {
    const config = nodeConfig(options.config, first + i);
    identities.push(config.identity);
    servers.push(new Server({ config, registry, log: options.log.child(config.identity) }));
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= Promise.allSettled(servers.map((s) => s.stop())).then(() => undefined);
    return stopping;
  };

  const width = Math.max(1, options.connectConcurrency ?? 100);
  let next = 0;
  let started = 0;
  const worker = async () => {
    while (next < servers.length) {
      const server = servers[next++] as Server;
      await server.start();
      options.onStarted?.(++started, servers.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(width, servers.length) }, worker));
  } catch (err) {
    await stop();
    throw err;
  }
  return { identities, servers, stop };
}

/**
 * What startRubyFleet (RabbitMQ) and startActiveMqFleet share: the
 * running daemons, their server config options, adding nodes, the client config,
 * `mco` and dispose(). Each fleet adds what its broker needs (a vhost and its user,
 * or an ActiveMQ endpoint) through {@link FleetCoreOptions}.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { RabbitMqAdmin } from "@phobos/connector-rabbitmq/setup";
import type { ActiveMqEndpoint } from "./activemq.js";
import type { LogLevel } from "./config-file.js";
import {
  type BrokerSettings,
  type ClientConfigOptions,
  type ExtraConfig,
  type SecuritySettings,
  type ServerConfigOptions,
  writeClientConfig,
} from "./config-file.js";
import type { Facts } from "./facts-file.js";
import { type RubyDaemon, startRubyDaemons } from "./ruby-daemon.js";
import { type RubyMcoOptions, type RubyMcoResult, runRubyMco } from "./ruby-mco.js";

/** One node of a fleet: Ruby's mcollectived or Phobos's, with its facts and classes. */
export interface RubyFleetNode {
  readonly identity: string;
  /** Debian's Ruby mcollectived (default) or Phobos's: fleets may mix them. */
  readonly implementation?: "ruby" | "phobos";
  readonly facts?: Facts;
  readonly classes?: readonly string[];
  /** Default: the fleet's collectives. */
  readonly collectives?: readonly string[];
  readonly mainCollective?: string;
  readonly loglevel?: LogLevel;
  readonly extra?: ExtraConfig;
  /** Agents to wait for; default: those the daemon will find (see ruby-agents.ts). */
  readonly agents?: readonly string[];
}

export interface FleetCoreOptions {
  /** Names the fleet in errors: `fleet <name>: …`. */
  readonly name: string;
  /** dispose()'s error message when something could not be stopped or released. */
  readonly disposeMessage: string;
  /** The fleet's temp directory (removed by dispose() unless PHOBOS_INTEROP_KEEP=1). */
  readonly dir: string;
  readonly collectives: readonly string[];
  readonly mainCollective: string;
  readonly broker: BrokerSettings;
  readonly security: SecuritySettings;
  /** A node's extra config lines. Default: `node.extra`. */
  readonly nodeExtra?: (node: RubyFleetNode) => ExtraConfig | undefined;
  /** Broker-specific options of every daemon this fleet starts. */
  readonly daemon: { readonly admin?: RabbitMqAdmin; readonly activemq?: ActiveMqEndpoint };
  /** Broker-specific options of the start of each batch of daemons. */
  readonly start: { readonly admin?: RabbitMqAdmin; readonly startTimeoutMs?: number | undefined };
  /** Releases the broker's share of the fleet (after the daemons stopped, before the directory goes). */
  readonly release?: () => Promise<void>;
}

/** The options every fleet takes (RubyFleetOptions, ActiveMqFleetOptions). */
export interface FleetOptionsBase {
  readonly nodes: readonly RubyFleetNode[];
  /** Default: the first collective. */
  readonly mainCollective?: string;
  /** Default: a random secret. */
  readonly psk?: string;
  /** Identity in the client config. Default `phobos-interop-client`. */
  readonly clientIdentity?: string;
  /** Default 30 s for all daemons together. */
  readonly startTimeoutMs?: number;
}

/** The members every fleet has (RubyFleet, ActiveMqFleet). */
export interface FleetBase {
  readonly collectives: readonly string[];
  readonly mainCollective: string;
  /** Connector settings for any peer of this fleet (Ruby or Phobos, daemon or client). */
  readonly broker: BrokerSettings;
  readonly security: SecuritySettings;
  /** The fleet's temp directory: `client/`, `nodes/<identity>/`. */
  readonly dir: string;
  /** `client.cfg` for `mco` (Ruby or Phobos). */
  readonly clientConfig: string;
  readonly clientConfigOptions: ClientConfigOptions;
  /** The running daemons, in start order. */
  readonly nodes: readonly RubyDaemon[];
  node(identity: string): RubyDaemon;
  /** Server config options for another node of this fleet (e.g. a Phobos daemon). */
  serverConfigOptions(node: RubyFleetNode): ServerConfigOptions;
  /** Starts more daemons in the fleet, in parallel. */
  addNodes(nodes: readonly RubyFleetNode[]): Promise<RubyDaemon[]>;
  /** Runs the Ruby `mco` with the fleet's client config. */
  mco(args: readonly string[], options?: Partial<RubyMcoOptions>): Promise<RubyMcoResult>;
  dispose(): Promise<void>;
}

export interface FleetCore {
  /** The running daemons, in start order (the live array). */
  readonly running: readonly RubyDaemon[];
  serverConfigOptions(node: RubyFleetNode): ServerConfigOptions;
  addNodes(nodes: readonly RubyFleetNode[]): Promise<RubyDaemon[]>;
  /** Stops every daemon, releases the broker, removes the directory. Idempotent. */
  dispose(): Promise<void>;
  /**
   * Writes the client config (`dir/client`; identity default `phobos-interop-client`),
   * starts `nodes` and returns the fleet: the shared members with `more(…)`'s added
   * (the live `nodes` getter kept).
   */
  launch<T extends object>(
    client: { readonly identity: string | undefined; readonly extra?: ExtraConfig | undefined },
    nodes: readonly RubyFleetNode[],
    more: (clientConfig: string, clientConfigOptions: ClientConfigOptions) => T,
  ): Promise<FleetBase & T>;
}

export function createFleetCore(options: FleetCoreOptions): FleetCore {
  const { name, dir, collectives, mainCollective, broker, security } = options;
  const keep = process.env.PHOBOS_INTEROP_KEEP === "1";
  const nodeExtra = options.nodeExtra ?? ((node: RubyFleetNode) => node.extra);
  const running: RubyDaemon[] = [];
  let disposing: Promise<void> | undefined;

  const dispose = (): Promise<void> => {
    disposing ??= (async () => {
      const results = await Promise.allSettled(running.map((d) => d.stop()));
      const errors = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
      if (options.release !== undefined) {
        try {
          await options.release();
        } catch (error) {
          errors.push(error);
        }
      }
      if (!keep) await rm(dir, { recursive: true, force: true });
      if (errors.length > 0) throw new AggregateError(errors, options.disposeMessage);
    })();
    return disposing;
  };

  const serverConfigOptions = (node: RubyFleetNode): ServerConfigOptions => {
    const extra = nodeExtra(node);
    return {
      identity: node.identity,
      collectives: node.collectives ?? collectives,
      mainCollective: node.mainCollective ?? (node.collectives ? node.collectives[0] : mainCollective),
      broker,
      security,
      ...(node.facts === undefined ? {} : { facts: node.facts }),
      ...(node.classes === undefined ? {} : { classes: node.classes }),
      ...(node.loglevel === undefined ? {} : { loglevel: node.loglevel }),
      ...(extra === undefined ? {} : { extra }),
    };
  };

  const addNodes = async (nodes: readonly RubyFleetNode[]): Promise<RubyDaemon[]> => {
    const taken = new Set(running.map((d) => d.identity));
    for (const n of nodes) {
      if (taken.has(n.identity)) throw new Error(`fleet ${name}: identity "${n.identity}" is used twice`);
      taken.add(n.identity);
    }
    const { startTimeoutMs, ...start } = options.start;
    const started = await startRubyDaemons(
      nodes.map((n) => ({
        ...serverConfigOptions(n),
        ...options.daemon,
        dir: join(dir, "nodes", n.identity),
        ...(n.implementation === undefined ? {} : { implementation: n.implementation }),
        ...(n.agents === undefined ? {} : { agents: n.agents }),
      })),
      { ...start, ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }) },
    );
    running.push(...started);
    return started;
  };

  const launch = async <T extends object>(
    client: { readonly identity: string | undefined; readonly extra?: ExtraConfig | undefined },
    nodes: readonly RubyFleetNode[],
    more: (clientConfig: string, clientConfigOptions: ClientConfigOptions) => T,
  ): Promise<FleetBase & T> => {
    const clientConfigOptions: ClientConfigOptions = {
      identity: client.identity ?? "phobos-interop-client",
      collectives,
      mainCollective,
      broker,
      security,
      ...(client.extra === undefined ? {} : { extra: client.extra }),
    };
    const clientConfig = await writeClientConfig(join(dir, "client"), clientConfigOptions);
    await addNodes(nodes);
    const base: FleetBase = {
      collectives,
      mainCollective,
      broker,
      security,
      dir,
      clientConfig,
      clientConfigOptions,
      get nodes() {
        return [...running];
      },
      node(identity) {
        const found = running.find((d) => d.identity === identity);
        if (found === undefined) throw new Error(`fleet ${name} has no node "${identity}"`);
        return found;
      },
      serverConfigOptions,
      addNodes,
      mco(args, mcoOptions = {}) {
        return runRubyMco(args, { ...mcoOptions, configFile: mcoOptions.configFile ?? clientConfig });
      },
      dispose,
    };
    // Object.assign, not a spread: a spread would freeze the `nodes` getter into a copy.
    return Object.assign(base, more(clientConfig, clientConfigOptions));
  };

  return { running, serverConfigOptions, addNodes, dispose, launch };
}

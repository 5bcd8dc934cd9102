/**
 * {@link startRubyFleet}'s sibling for `connector = activemq`: Ruby (and Phobos)
 * daemons on an ActiveMQ broker — the provisioned one by default, or a private
 * one a test owns. ActiveMQ has no vhosts, so a fleet is kept apart from the
 * others on the same broker by its collective: a random name unless given.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ActiveMqEndpoint, activeMqFromEnv, checkActiveMq, watchConsumers } from "./activemq.js";
import {
  type BrokerSettings,
  type ClientConfigOptions,
  type SecuritySettings,
  type ServerConfigOptions,
  writeClientConfig,
} from "./config-file.js";
import type { RubyFleetNode } from "./fleet.js";
import { checkReferenceEnvironment } from "./reference-environment.js";
import { type RubyDaemon, startRubyDaemons } from "./ruby-daemon.js";
import { type RubyMcoOptions, type RubyMcoResult, runRubyMco } from "./ruby-mco.js";

export interface ActiveMqFleetOptions {
  readonly nodes: readonly RubyFleetNode[];
  /** Default: the provisioned broker ({@link activeMqFromEnv}). */
  readonly endpoint?: ActiveMqEndpoint;
  /** More brokers after `endpoint` in every config's pool (`plugin.activemq.pool.N`), for failover. */
  readonly failover?: readonly ActiveMqEndpoint[];
  /** Default: one random collective `phobos_<hex>` (the admin login may use any). */
  readonly collectives?: readonly string[];
  readonly mainCollective?: string;
  /** Connect as the restricted `mcollective` user instead of admin (then use the `mcollective` collective). */
  readonly restrictedUser?: boolean;
  readonly psk?: string;
  readonly clientIdentity?: string;
  readonly startTimeoutMs?: number;
  /** Extra `plugin.activemq.*` etc. lines for every config (e.g. fast reconnects). */
  readonly extra?: Readonly<Record<string, string | number | boolean>>;
}

export interface ActiveMqFleet {
  readonly endpoint: ActiveMqEndpoint;
  readonly collectives: readonly string[];
  readonly mainCollective: string;
  readonly broker: BrokerSettings;
  readonly security: SecuritySettings;
  readonly dir: string;
  readonly clientConfig: string;
  readonly clientConfigOptions: ClientConfigOptions;
  readonly nodes: readonly RubyDaemon[];
  node(identity: string): RubyDaemon;
  serverConfigOptions(node: RubyFleetNode): ServerConfigOptions;
  addNodes(nodes: readonly RubyFleetNode[]): Promise<RubyDaemon[]>;
  mco(args: readonly string[], options?: Partial<RubyMcoOptions>): Promise<RubyMcoResult>;
  /** Waits until every running daemon consumes its queue and topics again (after a broker restart). */
  waitUntilSubscribed(options?: { timeoutMs?: number }): Promise<void>;
  /** Stops every daemon and removes the directory. Idempotent. */
  dispose(): Promise<void>;
}

export async function startActiveMqFleet(options: ActiveMqFleetOptions): Promise<ActiveMqFleet> {
  await checkReferenceEnvironment();
  const endpoint = options.endpoint ?? activeMqFromEnv();
  await checkActiveMq(endpoint);
  const name = `phobos_${randomBytes(5).toString("hex")}`;
  const collectives = options.collectives ?? [name];
  const mainCollective = options.mainCollective ?? collectives[0] ?? name;
  const login = (e: ActiveMqEndpoint) =>
    options.restrictedUser
      ? { user: e.user, password: e.password }
      : { user: e.adminUser, password: e.adminPassword };
  const broker: BrokerSettings = {
    connector: "activemq",
    pool: [endpoint, ...(options.failover ?? [])].map((e) => ({ host: e.host, port: e.port, ...login(e) })),
  };
  const security: SecuritySettings = { provider: "psk", psk: options.psk ?? randomBytes(12).toString("hex") };
  const keep = process.env.PHOBOS_INTEROP_KEEP === "1";
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const extra = options.extra;

  const running: RubyDaemon[] = [];
  let disposing: Promise<void> | undefined;
  const dispose = (): Promise<void> => {
    disposing ??= (async () => {
      const results = await Promise.allSettled(running.map((d) => d.stop()));
      if (!keep) await rm(dir, { recursive: true, force: true });
      const errors = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
      if (errors.length > 0)
        throw new AggregateError(errors, `disposing of the ActiveMQ fleet ${name} failed`);
    })();
    return disposing;
  };

  const serverConfigOptions = (node: RubyFleetNode): ServerConfigOptions => ({
    identity: node.identity,
    collectives: node.collectives ?? collectives,
    mainCollective: node.mainCollective ?? (node.collectives ? node.collectives[0] : mainCollective),
    broker,
    security,
    ...(node.facts === undefined ? {} : { facts: node.facts }),
    ...(node.classes === undefined ? {} : { classes: node.classes }),
    ...(node.loglevel === undefined ? {} : { loglevel: node.loglevel }),
    ...(node.extra === undefined && extra === undefined
      ? {}
      : { extra: { ...extra, ...(node.extra as Record<string, string> | undefined) } }),
  });

  const addNodes = async (nodes: readonly RubyFleetNode[]): Promise<RubyDaemon[]> => {
    const taken = new Set(running.map((d) => d.identity));
    for (const n of nodes) {
      if (taken.has(n.identity)) throw new Error(`fleet ${name}: identity "${n.identity}" is used twice`);
      taken.add(n.identity);
    }
    const started = await startRubyDaemons(
      nodes.map((n) => ({
        ...serverConfigOptions(n),
        activemq: endpoint,
        dir: join(dir, "nodes", n.identity),
        ...(n.implementation === undefined ? {} : { implementation: n.implementation }),
        ...(n.agents === undefined ? {} : { agents: n.agents }),
      })),
      options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs },
    );
    running.push(...started);
    return started;
  };

  try {
    const clientConfigOptions: ClientConfigOptions = {
      identity: options.clientIdentity ?? "phobos-interop-client",
      collectives,
      mainCollective,
      broker,
      security,
      ...(extra === undefined ? {} : { extra }),
    };
    const clientConfig = await writeClientConfig(join(dir, "client"), clientConfigOptions);
    await addNodes(options.nodes);
    return {
      endpoint,
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
      async waitUntilSubscribed(waitOptions = {}) {
        const watch = await watchConsumers(endpoint);
        try {
          await Promise.all(
            running.filter((d) => !d.exited).map((d) => watch.nodeReady(d, waitOptions.timeoutMs ?? 30_000)),
          );
        } finally {
          await watch.close();
        }
      },
      dispose,
    };
  } catch (error) {
    await dispose().catch(() => undefined);
    throw error;
  }
}

/**
 * One call for an isolated MCollective site of Ruby daemons on the machine's RabbitMQ:
 * its own vhost and user, daemons started in parallel, a client config for `mco`, and
 * one dispose() that leaves no process, vhost, user or file behind.
 *
 * The fleet also hands out the broker, security and config options it used, so a test
 * can put Phobos daemons or a Phobos `mco` beside the Ruby ones (mixed fleets) with the
 * same config writer.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Binding, RabbitMqAdmin } from "@phobos/connector-rabbitmq/setup";
import { type McollectiveVhost, prepareMcollectiveVhost } from "@phobos/connector-rabbitmq/setup";
import {
  type BrokerSettings,
  type ClientConfigOptions,
  type ExtraConfig,
  type LogLevel,
  type SecuritySettings,
  type ServerConfigOptions,
  writeClientConfig,
} from "./config-file.js";
import type { Facts } from "./facts-file.js";
import { checkReferenceEnvironment } from "./reference-environment.js";
import { type RubyDaemon, startRubyDaemons } from "./ruby-daemon.js";
import { type RubyMcoOptions, type RubyMcoResult, runRubyMco } from "./ruby-mco.js";
import { createSslKeySite, type SslKeySite, type SslKeyType } from "./ssl-keys.js";
import { ownerDescription, sweepStaleVhosts } from "./stale-vhosts.js";
import { waitForBindings, withSubscriptionGate } from "./subscriptions.js";

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

/** An ssl fleet (`securityprovider = ssl`): keys are made for it with openssl. */
export interface SslFleetOptions {
  /** `plugin.ssl_serializer`. Default marshal. */
  readonly serializer?: "marshal" | "yaml";
  /** The daemons' shared key pair. Default rsa, the only kind Ruby MCollective reads. */
  readonly serverKeyType?: SslKeyType;
  /** The user of the fleet's client config (`cert=<user>`), trusted by every daemon. Default the client identity. */
  readonly user?: string;
  readonly userKeyType?: SslKeyType;
}

export interface RubyFleetOptions {
  /** Names the vhost (`/<prefix>-<random>`) and its user (`<prefix>-<random>`). Default `phobos-interop`. */
  readonly vhostPrefix?: string;
  readonly nodes: readonly RubyFleetNode[];
  /** Default `["mcollective"]`. */
  readonly collectives?: readonly string[];
  /** Default: the first collective. */
  readonly mainCollective?: string;
  /** Default: a random secret. */
  readonly psk?: string;
  /** Use the ssl security plugin instead of psk. */
  readonly ssl?: SslFleetOptions;
  /** Identity in the client config. Default `phobos-interop-client`. */
  readonly clientIdentity?: string;
  /** Default 30 s for all daemons together. */
  readonly startTimeoutMs?: number;
}

export interface RubyFleet {
  readonly vhost: string;
  readonly user: string;
  readonly password: string;
  readonly collectives: readonly string[];
  readonly mainCollective: string;
  /** Connector settings for any peer of this fleet (Ruby or Phobos, daemon or client). */
  readonly broker: BrokerSettings;
  readonly security: SecuritySettings;
  readonly admin: RabbitMqAdmin;
  /** The fleet's temp directory: `client/`, `nodes/<identity>/`. */
  readonly dir: string;
  /** `client.cfg` for `mco` (Ruby or Phobos). */
  readonly clientConfig: string;
  readonly clientConfigOptions: ClientConfigOptions;
  /** The running Ruby daemons, in start order. */
  readonly nodes: readonly RubyDaemon[];
  node(identity: string): RubyDaemon;
  /** Server config options for another node of this fleet (e.g. a Phobos daemon). */
  serverConfigOptions(node: RubyFleetNode): ServerConfigOptions;
  /** Starts more Ruby daemons in the fleet's vhost, in parallel. */
  addNodes(nodes: readonly RubyFleetNode[]): Promise<RubyDaemon[]>;
  /** Runs the Ruby `mco` with the fleet's client config. */
  mco(args: readonly string[], options?: Partial<RubyMcoOptions>): Promise<RubyMcoResult>;
  /** The vhost's bindings now (to pass as `exclude` before a fault). */
  bindings(): Promise<Binding[]>;
  /** Fault injection: closes every connection to the vhost under the peers. Returns their names. */
  closeConnections(reason?: string): Promise<string[]>;
  /**
   * Waits until every running daemon is subscribed again, counting only queues not in
   * `exclude` (take `bindings()` before the fault).
   */
  waitUntilSubscribed(options?: { exclude?: readonly Binding[]; timeoutMs?: number }): Promise<Binding[]>;
  /** The ssl fleet's keys (`dir/ssl`); undefined for a psk fleet. */
  readonly ssl: SslKeySite | undefined;
  /**
   * Writes a client config for another ssl user (see `ssl.addUser`) in
   * `dir/client-<user>/` and returns its path. `extra` lines go last.
   */
  clientConfigFor(user: string, options?: { extra?: ExtraConfig; identity?: string }): Promise<string>;
  /** Stops every daemon, deletes vhost and user, removes the directory. Idempotent. */
  dispose(): Promise<void>;
}

function randomName(): string {
  return randomBytes(5).toString("hex");
}

export async function startRubyFleet(options: RubyFleetOptions): Promise<RubyFleet> {
  const env = await checkReferenceEnvironment();
  const admin = env.admin;
  const prefix = options.vhostPrefix ?? "phobos-interop";
  const name = `${prefix}-${randomName()}`;
  const vhost = `/${name}`;
  const user = name;
  const password = randomBytes(12).toString("hex");
  const collectives = options.collectives ?? ["mcollective"];
  const mainCollective = options.mainCollective ?? collectives[0] ?? "mcollective";
  const broker: BrokerSettings = {
    connector: "rabbitmq",
    vhost,
    pool: [{ host: env.stompHost, port: env.stompPort, user, password }],
  };
  let security: SecuritySettings = { provider: "psk", psk: options.psk ?? randomBytes(12).toString("hex") };

  await sweepStaleVhosts(admin);
  const keep = process.env.PHOBOS_INTEROP_KEEP === "1";
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  let site: McollectiveVhost;
  try {
    site = await prepareMcollectiveVhost({
      vhost,
      user,
      password,
      collectives,
      admin,
      description: await ownerDescription(user, dir),
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let ssl: SslKeySite | undefined;
  const sslSecurity = (user: string): SecuritySettings => {
    if (ssl === undefined) throw new Error(`fleet ${vhost} does not use ssl`);
    const keys = ssl.user(user);
    return {
      provider: "ssl",
      serverPublic: ssl.serverPublic,
      serverPrivate: ssl.serverPrivate,
      clientCertDir: ssl.certDir,
      clientPrivate: keys.privatePath,
      clientPublic: keys.publicPath,
      serializer: options.ssl?.serializer ?? "marshal",
    };
  };
  if (options.ssl !== undefined) {
    try {
      ssl = await createSslKeySite(join(dir, "ssl"), {
        ...(options.ssl.serverKeyType === undefined ? {} : { serverType: options.ssl.serverKeyType }),
      });
      const user = options.ssl.user ?? options.clientIdentity ?? "phobos-interop-client";
      await ssl.addUser(user, {
        ...(options.ssl.userKeyType === undefined ? {} : { type: options.ssl.userKeyType }),
      });
      security = sslSecurity(user);
    } catch (error) {
      await site.dispose().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  const running: RubyDaemon[] = [];
  let disposing: Promise<void> | undefined;

  const dispose = (): Promise<void> => {
    disposing ??= (async () => {
      const results = await Promise.allSettled(running.map((d) => d.stop()));
      const errors = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
      try {
        await site.dispose();
      } catch (error) {
        errors.push(error);
      }
      if (!keep) await rm(dir, { recursive: true, force: true });
      if (errors.length > 0) {
        throw new AggregateError(errors, `disposing of the Ruby fleet in ${vhost} failed`);
      }
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
    ...(node.extra === undefined ? {} : { extra: node.extra }),
  });

  const addNodes = async (nodes: readonly RubyFleetNode[]): Promise<RubyDaemon[]> => {
    const taken = new Set(running.map((d) => d.identity));
    for (const n of nodes) {
      if (taken.has(n.identity)) throw new Error(`fleet ${vhost}: identity "${n.identity}" is used twice`);
      taken.add(n.identity);
    }
    const started = await startRubyDaemons(
      nodes.map((n) => ({
        ...serverConfigOptions(n),
        admin,
        dir: join(dir, "nodes", n.identity),
        ...(n.implementation === undefined ? {} : { implementation: n.implementation }),
        ...(n.agents === undefined ? {} : { agents: n.agents }),
      })),
      { admin, ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }) },
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
    };
    const clientConfig = await writeClientConfig(join(dir, "client"), clientConfigOptions);
    await addNodes(options.nodes);

    return {
      vhost,
      user,
      password,
      collectives,
      mainCollective,
      broker,
      security,
      admin,
      dir,
      clientConfig,
      clientConfigOptions,
      get nodes() {
        return [...running];
      },
      node(identity) {
        const found = running.find((d) => d.identity === identity);
        if (found === undefined) throw new Error(`fleet ${vhost} has no node "${identity}"`);
        return found;
      },
      serverConfigOptions,
      addNodes,
      ssl,
      async clientConfigFor(user, configOptions = {}) {
        return writeClientConfig(join(dir, `client-${user}`), {
          ...clientConfigOptions,
          ...(configOptions.identity === undefined ? {} : { identity: configOptions.identity }),
          security: sslSecurity(user),
          ...(configOptions.extra === undefined ? {} : { extra: configOptions.extra }),
        });
      },
      mco(args, mcoOptions = {}) {
        return runRubyMco(args, { ...mcoOptions, configFile: mcoOptions.configFile ?? clientConfig });
      },
      bindings() {
        return admin.listBindings(vhost);
      },
      closeConnections(reason = "fault injection by @phobos/interop") {
        return admin.closeVhostConnections(vhost, { reason });
      },
      waitUntilSubscribed(waitOptions = {}) {
        return withSubscriptionGate(admin, vhost, () =>
          waitForBindings(
            admin,
            vhost,
            running.filter((d) => !d.exited).flatMap((d) => d.expectedBindings),
            {
              ...(waitOptions.exclude === undefined ? {} : { exclude: waitOptions.exclude }),
              ...(waitOptions.timeoutMs === undefined ? {} : { timeoutMs: waitOptions.timeoutMs }),
            },
          ),
        );
      },
      dispose,
    };
  } catch (error) {
    try {
      await dispose();
    } catch (cleanup) {
      throw new AggregateError(
        [error, cleanup],
        `starting the Ruby fleet failed, then cleaning up failed too`,
      );
    }
    throw error;
  }
}

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
  type ExtraConfig,
  type SecuritySettings,
  writeClientConfig,
} from "./config-file.js";
import { createFleetCore, type FleetBase, type FleetOptionsBase } from "./fleet-core.js";

export type { RubyFleetNode } from "./fleet-core.js";

import { checkReferenceEnvironment } from "./reference-environment.js";
import { createSslKeySite, type SslKeySite, type SslKeyType } from "./ssl-keys.js";
import { ownerDescription, sweepStaleVhosts } from "./stale-vhosts.js";
import { waitForBindings, withSubscriptionGate } from "./subscriptions.js";

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

export interface RubyFleetOptions extends FleetOptionsBase {
  /** Names the vhost (`/<prefix>-<random>`) and its user (`<prefix>-<random>`). Default `phobos-interop`. */
  readonly vhostPrefix?: string;
  /** Default `["mcollective"]`. */
  readonly collectives?: readonly string[];
  /** Use the ssl security plugin instead of psk. */
  readonly ssl?: SslFleetOptions;
}

export interface RubyFleet extends FleetBase {
  readonly vhost: string;
  readonly user: string;
  readonly password: string;
  readonly admin: RabbitMqAdmin;
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

  const core = createFleetCore({
    name: vhost,
    disposeMessage: `disposing of the Ruby fleet in ${vhost} failed`,
    dir,
    collectives,
    mainCollective,
    broker,
    security,
    daemon: { admin },
    start: { admin, startTimeoutMs: options.startTimeoutMs },
    release: () => site.dispose(),
  });
  const { dispose } = core;

  try {
    return await core.launch(
      { identity: options.clientIdentity },
      options.nodes,
      (_, clientConfigOptions) => ({
        vhost,
        user,
        password,
        admin,
        ssl,
        async clientConfigFor(user: string, configOptions: { extra?: ExtraConfig; identity?: string } = {}) {
          return writeClientConfig(join(dir, `client-${user}`), {
            ...clientConfigOptions,
            ...(configOptions.identity === undefined ? {} : { identity: configOptions.identity }),
            security: sslSecurity(user),
            ...(configOptions.extra === undefined ? {} : { extra: configOptions.extra }),
          });
        },
        bindings() {
          return admin.listBindings(vhost);
        },
        closeConnections(reason = "fault injection by @phobos/interop") {
          return admin.closeVhostConnections(vhost, { reason });
        },
        waitUntilSubscribed(waitOptions: { exclude?: readonly Binding[]; timeoutMs?: number } = {}) {
          return withSubscriptionGate(admin, vhost, () =>
            waitForBindings(
              admin,
              vhost,
              core.running.filter((d) => !d.exited).flatMap((d) => d.expectedBindings),
              {
                ...(waitOptions.exclude === undefined ? {} : { exclude: waitOptions.exclude }),
                ...(waitOptions.timeoutMs === undefined ? {} : { timeoutMs: waitOptions.timeoutMs }),
              },
            ),
          );
        },
      }),
    );
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

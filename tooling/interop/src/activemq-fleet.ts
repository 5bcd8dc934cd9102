/**
 * {@link startRubyFleet}'s sibling for `connector = activemq`: Ruby (and Phobos)
 * daemons on an ActiveMQ broker — the provisioned one by default, or a private
 * one a test owns. ActiveMQ has no vhosts, so a fleet is kept apart from the
 * others on the same broker by its collective: a random name unless given.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ActiveMqEndpoint, activeMqFromEnv, checkActiveMq, watchConsumers } from "./activemq.js";
import type { BrokerSettings, SecuritySettings } from "./config-file.js";
import { createFleetCore, type FleetBase, type FleetOptionsBase } from "./fleet-core.js";
import { checkReferenceEnvironment } from "./reference-environment.js";

export interface ActiveMqFleetOptions extends FleetOptionsBase {
  /** Default: the provisioned broker ({@link activeMqFromEnv}). */
  readonly endpoint?: ActiveMqEndpoint;
  /** More brokers after `endpoint` in every config's pool (`plugin.activemq.pool.N`), for failover. */
  readonly failover?: readonly ActiveMqEndpoint[];
  /** Default: one random collective `phobos_<hex>` (the admin login may use any). */
  readonly collectives?: readonly string[];
  /** Connect as the restricted `mcollective` user instead of admin (then use the `mcollective` collective). */
  readonly restrictedUser?: boolean;
  /** Extra `plugin.activemq.*` etc. lines for every config (e.g. fast reconnects). */
  readonly extra?: Readonly<Record<string, string | number | boolean>>;
}

export interface ActiveMqFleet extends FleetBase {
  readonly endpoint: ActiveMqEndpoint;
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
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const extra = options.extra;

  const core = createFleetCore({
    name,
    disposeMessage: `disposing of the ActiveMQ fleet ${name} failed`,
    dir,
    collectives,
    mainCollective,
    broker,
    security,
    nodeExtra: (node) =>
      node.extra === undefined && extra === undefined
        ? undefined
        : { ...extra, ...(node.extra as Record<string, string> | undefined) },
    daemon: { activemq: endpoint },
    start: { startTimeoutMs: options.startTimeoutMs },
  });
  const { dispose } = core;

  try {
    return await core.launch({ identity: options.clientIdentity, extra }, options.nodes, () => ({
      endpoint,
      async waitUntilSubscribed(waitOptions: { timeoutMs?: number } = {}) {
        const watch = await watchConsumers(endpoint);
        try {
          await Promise.all(
            core.running
              .filter((d) => !d.exited)
              .map((d) => watch.nodeReady(d, waitOptions.timeoutMs ?? 30_000)),
          );
        } finally {
          await watch.close();
        }
      },
    }));
  } catch (error) {
    await dispose().catch(() => undefined);
    throw error;
  }
}

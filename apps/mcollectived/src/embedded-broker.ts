import type { BrokerLimits } from "@phobos/broker";
import { type Config, ConfigError, type Logger, pluginSettings } from "@phobos/core";
import type { MetricSet } from "@phobos/metrics";

export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  /** The broker's metrics, for the daemon's endpoint. */
  readonly metrics: MetricSet;
  close(): Promise<void>;
}

/**
 * `plugin.broker.enable = 1` makes this daemon host Phobos's embedded broker
 * (@phobos/broker) before it connects, so one host or a small site needs no
 * RabbitMQ. Keys, all under `plugin.broker.`: `bind` (127.0.0.1), `port`
 * (61613), `users` (`name:password,…`), `config` (a phobos-broker config
 * file; these keys override it), `tls.cert`, `tls.key`, `tls.ca`, and every
 * limit by its broker config name (`max_connections`, `max_frame_size`,
 * `max_preauth_connections`, `max_preauth_per_address`,
 * `connect_rate_per_address`, `connect_burst_per_address`, `connect_timeout`,
 * …). The keys live under `plugin.` so a Ruby mcollectived reading the same
 * file ignores them.
 */
export async function startEmbeddedBroker(config: Config, log: Logger): Promise<EmbeddedBroker | undefined> {
  const settings = pluginSettings(config, "broker");
  if (!settings.boolean("enable", false)) return undefined;
  const {
    BROKER_LIMIT_KEYS,
    brokerMetricSet,
    parseBrokerLimit,
    parseUserSpec,
    readBrokerConfig,
    startBroker,
  } = await import("@phobos/broker");
  const file = settings.string("config");
  const base = file ? await readBrokerConfig(file) : {};
  const users = settings
    .string("users", "")
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "")
    .map((spec) => {
      const user = parseUserSpec(spec);
      if (!user) throw new ConfigError(`'${spec}' is not name:password`, { key: settings.fullKey("users") });
      return user;
    });
  const limits: Partial<Record<keyof BrokerLimits, number>> = {};
  for (const name of BROKER_LIMIT_KEYS) {
    const value = settings.string(name);
    if (value === undefined) continue;
    try {
      const [limit, parsed] = parseBrokerLimit(name, value);
      limits[limit] = parsed;
    } catch (error) {
      throw new ConfigError(
        (error as Error).message,
        { ...settings.where(name), key: settings.fullKey(name) },
        { cause: error },
      );
    }
  }
  const cert = settings.string("tls.cert");
  const key = settings.string("tls.key");
  const ca = settings.string("tls.ca");
  const broker = await startBroker({
    ...base,
    host: settings.string("bind", base.host ?? "127.0.0.1"),
    port: settings.integer("port", base.port ?? 61613),
    ...(users.length > 0 ? { users } : {}),
    limits: { ...base.limits, ...limits },
    ...(cert || key
      ? { tls: { certFile: cert, keyFile: key, caFile: ca, verifyClient: ca !== undefined } }
      : {}),
    logger: log.child("broker"),
  });
  return {
    host: broker.host,
    port: broker.port,
    metrics: brokerMetricSet(broker),
    close: () => broker.close(),
  };
}

import { type Config, ConfigError, type Logger, pluginSettings } from "@phobos/core";
import type { MetricSet, MetricsEndpoint } from "@phobos/metrics";

export interface MetricsSettings {
  host: string;
  port: number;
}

const KEYS = ["bind", "port"];

/**
 * `plugin.metrics.port` turns the Prometheus endpoint on, on
 * `plugin.metrics.bind` (127.0.0.1 unless set). The keys live under
 * `plugin.` like the broker's, so a Ruby mcollectived reading the same
 * server.cfg ignores them instead of refusing to start. Read before the
 * daemon detaches, so a bad value stops it with file:line on the terminal.
 */
export function readMetricsSettings(config: Config): MetricsSettings | undefined {
  const settings = pluginSettings(config, "metrics");
  for (const key of settings.keys()) {
    if (!KEYS.includes(key)) {
      throw new ConfigError("is not a metrics setting: use plugin.metrics.bind and plugin.metrics.port", {
        ...settings.where(key),
        key: settings.fullKey(key),
      });
    }
  }
  const port = settings.integer("port");
  if (port === undefined) {
    if (settings.has("bind")) {
      throw new ConfigError("has no effect without plugin.metrics.port: set the port to turn metrics on", {
        ...settings.where("bind"),
        key: settings.fullKey("bind"),
      });
    }
    return undefined;
  }
  if (port < 1 || port > 65535) {
    throw new ConfigError(`'${port}' is not a TCP port (1-65535)`, {
      ...settings.where("port"),
      key: settings.fullKey("port"),
    });
  }
  return { host: settings.string("bind", "127.0.0.1").trim(), port };
}

/** Starts the endpoint with this daemon's sets; @phobos/metrics (and prom-client) load only here. */
export async function startDaemonMetrics(
  settings: MetricsSettings,
  sets: MetricSet[],
  log: Logger,
): Promise<MetricsEndpoint> {
  const { startMetricsEndpoint } = await import("@phobos/metrics");
  const endpoint = await startMetricsEndpoint({ ...settings, sets, log: log.child("metrics") });
  log.info(`Prometheus metrics on ${endpoint.url} (${sets.map((s) => s.name).join(", ")})`);
  return endpoint;
}

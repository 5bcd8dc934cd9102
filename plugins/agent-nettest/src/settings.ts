import type { PluginSettings } from "@phobos/core";

export interface NettestSettings {
  /** Seconds a TCP connect may take (`plugin.nettest.connect_timeout`, Ruby's 2). */
  connectTimeout: number;
  /** Seconds to wait for an echo reply (`plugin.nettest.ping_timeout`). */
  pingTimeout: number;
  /** The ping command (`plugin.nettest.ping`): a path, run without a shell. */
  ping: string;
}

export function readSettings(settings: PluginSettings): NettestSettings {
  return {
    connectTimeout: positive(settings, "connect_timeout", 2),
    pingTimeout: positive(settings, "ping_timeout", 5),
    ping: settings.string("ping", "ping"),
  };
}

function positive(settings: PluginSettings, key: string, fallback: number): number {
  const value = settings.number(key, fallback);
  if (value <= 0) throw new Error(`${settings.fullKey(key)} must be more than 0 seconds, not ${value}`);
  return value;
}

import { existsSync, readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import { ConfigError, type Logger, type PluginSettings } from "@phobos/core";
import type { ReconnectPolicy } from "./back-off.js";

export interface StompPoolHost {
  host: string;
  port: number;
  login: string;
  passcode: string;
  /** Set when the pool entry has `ssl = 1`. */
  tls?: ConnectionOptions;
}

/**
 * Reads the `pool.*` settings both MCollective STOMP connectors share
 * (`plugin.rabbitmq.pool.1.host`, `…pool.1.ssl.ca`, …) and the reconnect
 * policy keys. `STOMP_USER`/`STOMP_PASSWORD` override the configured login,
 * as they did for the Ruby connectors.
 */
export function readPool(
  settings: PluginSettings,
  env: NodeJS.ProcessEnv,
  log: Logger,
  envPrefix: string,
): StompPoolHost[] {
  const size = settings.integer("pool.size");
  if (size === undefined) {
    throw new ConfigError("is not set: give the number of brokers in the pool (and pool.1.host …)", {
      key: settings.fullKey("pool.size"),
    });
  }
  const hosts: StompPoolHost[] = [];
  for (let n = 1; n <= size; n++) {
    const key = (k: string) => `pool.${n}.${k}`;
    const host: StompPoolHost = {
      host: settings.required(key("host")),
      port: settings.integer(key("port"), 61613),
      login: env.STOMP_USER ?? settings.string(key("user"), ""),
      passcode: env.STOMP_PASSWORD ?? settings.string(key("password"), ""),
    };
    if (settings.boolean(key("ssl"), false)) {
      host.tls = tlsOptions(settings, n, env, log, envPrefix);
    }
    hosts.push(host);
  }
  return hosts;
}

function tlsOptions(
  settings: PluginSettings,
  n: number,
  env: NodeJS.ProcessEnv,
  log: Logger,
  envPrefix: string,
) {
  const key = (k: string) => `pool.${n}.ssl.${k}`;
  const cert = env[`MCOLLECTIVE_${envPrefix}_POOL${n}_SSL_CERT`] ?? settings.string(key("cert"));
  const privateKey = env[`MCOLLECTIVE_${envPrefix}_POOL${n}_SSL_KEY`] ?? settings.string(key("key"));
  const ca = settings.string(key("ca"));
  const ciphers = settings.string(key("ciphers"));
  const fallback = settings.boolean(key("fallback"), false);
  try {
    if (!cert || !privateKey || !ca) {
      throw new ConfigError("cert, key and ca have to be supplied for verified SSL mode", {
        key: settings.fullKey(`pool.${n}.ssl`),
      });
    }
    for (const [what, path] of [
      ["certificate", cert],
      ["key", privateKey],
      ...ca.split(",").map((c) => ["CA", c] as const),
    ] as const) {
      if (!existsSync(path))
        throw new ConfigError(`cannot find ${what} file ${path}`, { key: settings.fullKey(`pool.${n}.ssl`) });
    }
    return {
      cert: readFileSync(cert),
      key: readFileSync(privateKey),
      ca: ca.split(",").map((c) => readFileSync(c)),
      ...(ciphers ? { ciphers } : {}),
      rejectUnauthorized: true,
    };
  } catch (err) {
    if (!fallback) throw err;
    log.warn(`Failed to set full SSL verified mode, falling back to unverified: ${(err as Error).message}`);
    return { rejectUnauthorized: false };
  }
}

/** MCollective's reconnect keys and their defaults (stomp gem 1.1.6 behaviour). */
export function readReconnectPolicy(settings: PluginSettings): ReconnectPolicy {
  return {
    initialDelayMs: settings.number("initial_reconnect_delay", 0.01) * 1000,
    multiplier: settings.number("back_off_multiplier", 2),
    maxDelayMs: settings.number("max_reconnect_delay", 30) * 1000,
    maxAttempts: settings.integer("max_reconnect_attempts", 0),
    exponential: settings.boolean("use_exponential_back_off", true),
  };
}

/**
 * `heartbeat_interval` (seconds, minimum 30 when set) and the STOMP
 * versions to offer: 1.0 only without heart-beats, `1.1,1.0` with them
 * unless `stomp_1_0_fallback = 0`.
 */
export function readHeartbeat(
  settings: PluginSettings,
  log: Logger,
): { heartbeatMs: number; acceptVersion: string[] } {
  let interval = settings.integer("heartbeat_interval", 0);
  if (interval <= 0) return { heartbeatMs: 0, acceptVersion: ["1.0"] };
  if (interval < 30) {
    log.warn(`Connection heartbeat is set to ${interval}, forcing to minimum value of 30s`);
    interval = 30;
  }
  const fallback = settings.boolean("stomp_1_0_fallback", true);
  return { heartbeatMs: interval * 1000, acceptVersion: fallback ? ["1.1", "1.0"] : ["1.1"] };
}

/**
 * The default of `max_message_size`: the embedded broker's own frame limit, so
 * nothing that crosses it is refused here, and far above what MCollective's
 * requests and replies need (kilobytes; a large inventory, a few hundred).
 * RabbitMQ (128 MiB) and ActiveMQ (100 MiB) pass far larger ones.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

const SIZE = /^\s*(\d+)\s*([kmg]?)(?:i?b)?\s*$/i;
const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * `max_message_size`: bytes (or with a k/m/g suffix, 1024-based, as the
 * embedded broker's `max_frame_size`) a message body may have as it arrives;
 * larger ones are dropped with a log line before anything reads them.
 */
export function readMaxMessageSize(settings: PluginSettings): { bytes: number; setting: string } {
  const key = "max_message_size";
  const setting = settings.fullKey(key);
  const raw = settings.string(key);
  if (raw === undefined) return { bytes: DEFAULT_MAX_MESSAGE_BYTES, setting };
  const m = SIZE.exec(raw);
  const bytes = m ? Number(m[1]) * (UNITS[(m[2] ?? "").toLowerCase()] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new ConfigError(
      `'${raw}' is not a size: give a positive number of bytes, optionally with k, m or g (4m is 4194304)`,
      { ...settings.where(key), key: setting },
    );
  }
  return { bytes, setting };
}

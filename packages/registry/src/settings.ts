import { ConfigError, type PluginSettings } from "@phobos/core";

export type RegistryDatabase = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/** A registry's settings, as {@link registrySettings} reads them from a plugin's `plugin.<name>.*`. */
export interface RegistrySettings {
  database: RegistryDatabase;
  /** Seconds without a registration after which a node is stale. */
  staleAfter: number;
  /** Seconds without a registration after which a node is deleted. */
  expireAfter: number;
  /** Registrations kept per node in the history table. */
  history: number;
  /** Nodes the write queue holds at most; updates of other nodes are dropped past it. */
  queueSize: number;
  /** A batch is written when this many nodes are queued… */
  batchSize: number;
  /** …or this many seconds after the last write, whichever comes first. */
  flushInterval: number;
  /** SQLite only: the file grows to at most this many bytes (0: no bound). */
  maxSize: number;
}

/** Three missed 600 s `registerinterval`s (six of 300 s). */
export const DEFAULT_STALE_AFTER = 1800;
/** A week: a node down for a weekend is still listed, stale, on Monday. */
export const DEFAULT_EXPIRE_AFTER = 7 * 24 * 3600;
export const DEFAULT_HISTORY = 10;
export const DEFAULT_QUEUE_SIZE = 10_000;
export const DEFAULT_BATCH_SIZE = 500;
export const DEFAULT_FLUSH_INTERVAL = 1;

/**
 * Reads a registry's settings from a plugin's settings (the receiver reads
 * `plugin.registration.*`, the discovery method `plugin.registry.*`).
 * `database` is required: a SQLite file path, or a `postgres://` /
 * `postgresql://` URL. A bad value is a ConfigError naming the full key.
 */
export function registrySettings(settings: PluginSettings): RegistrySettings {
  const database = parseDatabase(settings);
  const positive = (key: string, fallback: number, integer = true): number => {
    const value = integer ? settings.integer(key, fallback) : settings.number(key, fallback);
    if (value <= 0) throw bad(settings, key, `must be greater than 0, got ${value}`);
    return value;
  };
  const staleAfter = positive("stale_after", DEFAULT_STALE_AFTER);
  const expireAfter = positive("expire_after", DEFAULT_EXPIRE_AFTER);
  if (expireAfter <= staleAfter) {
    throw bad(
      settings,
      "expire_after",
      `(${expireAfter} s) must be longer than ${settings.fullKey("stale_after")} (${staleAfter} s): a node is stale before it is deleted`,
    );
  }
  const queueSize = positive("queue_size", DEFAULT_QUEUE_SIZE);
  const batchSize = positive("batch_size", Math.min(DEFAULT_BATCH_SIZE, queueSize));
  if (batchSize > queueSize) {
    throw bad(
      settings,
      "batch_size",
      `(${batchSize}) must not exceed ${settings.fullKey("queue_size")} (${queueSize})`,
    );
  }
  const maxSize = settings.integer("max_size", 0);
  if (maxSize < 0)
    throw bad(settings, "max_size", `must be 0 (no bound) or a number of bytes, got ${maxSize}`);
  if (maxSize > 0 && database.kind !== "sqlite") {
    throw bad(
      settings,
      "max_size",
      "bounds a SQLite file only: bound a PostgreSQL database with its own quotas",
    );
  }
  return {
    database,
    staleAfter,
    expireAfter,
    history: positive("history", DEFAULT_HISTORY),
    queueSize,
    batchSize,
    flushInterval: positive("flush_interval", DEFAULT_FLUSH_INTERVAL, false),
    maxSize,
  };
}

function parseDatabase(settings: PluginSettings): RegistryDatabase {
  const raw = settings.required("database").trim();
  if (raw === "") throw bad(settings, "database", "is empty: give a SQLite file path or a postgres:// URL");
  if (/^postgres(ql)?:\/\//i.test(raw)) {
    try {
      new URL(raw);
    } catch (cause) {
      throw new ConfigError(`'${redact(raw)}' is not a valid PostgreSQL URL`, where(settings, "database"), {
        cause,
      });
    }
    return { kind: "postgres", url: raw };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw bad(settings, "database", `'${redact(raw)}' is neither a SQLite file path nor a postgres:// URL`);
  }
  return { kind: "sqlite", path: raw };
}

/** A database URL for logs: the password replaced by `***`. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, "$1:***@");
}

function where(settings: PluginSettings, key: string) {
  return { ...settings.where(key), key: settings.fullKey(key) };
}

function bad(settings: PluginSettings, key: string, message: string): ConfigError {
  return new ConfigError(message, where(settings, key));
}

import { ConfigError } from "@phobos/errors";

/**
 * A plugin's own `plugin.<name>.*` settings, with the key prefix removed
 * (`plugin.rabbitmq.pool.size` is `pool.size` for the rabbitmq connector).
 * Typed getters turn a bad value into a ConfigError naming the full key,
 * never a silent default.
 */
export class PluginSettings {
  readonly #values: ReadonlyMap<string, string>;
  readonly #prefix: string;
  readonly #where: (key: string) => { file?: string; line?: number };
  /** Every `plugin.*` setting of the config (full keys) and where each was set, for {@link widen}. */
  readonly #all: AllPluginSettings | undefined;
  /** Keys taken in by {@link widen}: they are `plugin.<key>` in the config. */
  readonly #borrowed: ReadonlySet<string>;
  /** The prefixes {@link widen} took in: an unset key with one is named `plugin.<key>` too. */
  readonly #prefixes: readonly string[];

  constructor(
    prefix: string,
    values: ReadonlyMap<string, string>,
    where: (key: string) => { file?: string; line?: number } = () => ({}),
    all?: AllPluginSettings,
    borrowed: ReadonlySet<string> = new Set(),
    prefixes: readonly string[] = [],
  ) {
    this.#prefix = prefix;
    this.#values = values;
    this.#where = where;
    this.#all = all;
    this.#borrowed = borrowed;
    this.#prefixes = prefixes;
  }

  /**
   * These settings plus the `plugin.*` keys that start with one of
   * `prefixes` (the part after `plugin.`), under that part: with `["ssl_"]`,
   * `plugin.ssl_server_private` is `ssl_server_private`. Ruby plugins named
   * their settings freely (`plugin.actionpolicy.*` for the action_policy
   * plugin); a plugin declares such names in its definition
   * (`settingsPrefixes`) and reads the config lines unchanged.
   */
  widen(prefixes: readonly string[]): PluginSettings {
    if (prefixes.length === 0 || this.#all === undefined) return this;
    const values = new Map<string, string>();
    const borrowed = new Set(this.#borrowed);
    for (const [fullKey, value] of this.#all.settings) {
      if (!fullKey.startsWith("plugin.")) continue;
      const key = fullKey.slice("plugin.".length);
      if (prefixes.some((p) => p !== "" && key.startsWith(p))) {
        values.set(key, value);
        borrowed.add(key);
      }
    }
    // The plugin's own keys win where both spell the same key.
    for (const [key, value] of this.#values) {
      values.set(key, value);
      if (!this.#borrowed.has(key)) borrowed.delete(key);
    }
    return new PluginSettings(this.#prefix, values, this.#where, this.#all, borrowed, [
      ...this.#prefixes,
      ...prefixes,
    ]);
  }

  /**
   * The full config key, for messages: `plugin.rabbitmq.pool.size`. The
   * empty key is the bare `plugin.<name>` value (`plugin.psk = secret`).
   */
  fullKey(key: string): string {
    if (this.#isBorrowed(key)) return `plugin.${key}`;
    return key === "" ? `plugin.${this.#prefix}` : `plugin.${this.#prefix}.${key}`;
  }

  has(key: string): boolean {
    return this.#values.has(key);
  }

  keys(): string[] {
    return [...this.#values.keys()];
  }

  string(key: string): string | undefined;
  string(key: string, fallback: string): string;
  string(key: string, fallback?: string): string | undefined {
    return this.#values.get(key) ?? fallback;
  }

  /** A setting the plugin cannot work without. */
  required(key: string): string {
    const value = this.#values.get(key);
    if (value === undefined) {
      throw new ConfigError(`is required by the ${this.#prefix} plugin but not set`, {
        key: this.fullKey(key),
      });
    }
    return value;
  }

  integer(key: string): number | undefined;
  integer(key: string, fallback: number): number;
  integer(key: string, fallback?: number): number | undefined {
    const raw = this.#values.get(key);
    if (raw === undefined) return fallback;
    if (!/^\s*[-+]?\d+\s*$/.test(raw)) throw this.#bad(key, raw, "a whole number");
    return Number.parseInt(raw, 10);
  }

  number(key: string): number | undefined;
  number(key: string, fallback: number): number;
  number(key: string, fallback?: number): number | undefined {
    const raw = this.#values.get(key);
    if (raw === undefined) return fallback;
    const value = Number(raw.trim());
    if (raw.trim() === "" || !Number.isFinite(value)) throw this.#bad(key, raw, "a number");
    return value;
  }

  boolean(key: string): boolean | undefined;
  boolean(key: string, fallback: boolean): boolean;
  boolean(key: string, fallback?: boolean): boolean | undefined {
    const raw = this.#values.get(key);
    if (raw === undefined) return fallback;
    const parsed = parseBoolean(raw);
    if (parsed === undefined) throw this.#bad(key, raw, "a boolean (1/0, yes/no, true/false, y/n, t/f)");
    return parsed;
  }

  #bad(key: string, raw: string, what: string): ConfigError {
    return new ConfigError(`'${raw}' is not ${what}`, { ...this.where(key), key: this.fullKey(key) });
  }

  /** The file and line that set `key`, for a plugin's own ConfigErrors. */
  where(key: string): { file?: string; line?: number } {
    if (this.#isBorrowed(key)) return this.#all?.where?.(`plugin.${key}`) ?? {};
    return this.#where(key);
  }

  #isBorrowed(key: string): boolean {
    if (this.#borrowed.has(key)) return true;
    return !this.#values.has(key) && this.#prefixes.some((p) => p !== "" && key.startsWith(p));
  }
}

/** The whole `plugin.*` config, as {@link PluginSettings.widen} needs it. */
export interface AllPluginSettings {
  /** Full keys: `plugin.ssl_server_private`. */
  settings: ReadonlyMap<string, string>;
  where?: (fullKey: string) => { file?: string; line?: number };
}

/** MCollective's `Util.str_to_bool`; `undefined` where Ruby would raise. */
export function parseBoolean(value: string): boolean | undefined {
  const v = value.trim();
  if (/^(1|yes|true|y|t)$/i.test(v)) return true;
  if (/^(0|no|false|n|f)$/i.test(v)) return false;
  return undefined;
}

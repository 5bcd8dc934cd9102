/**
 * The console's own keys. They live in the client.cfg an operator's `mco`
 * reads, as `plugin.console.<key>` (or `<key>` in `plugin.d/console.cfg`
 * beside it): MCollective's config accepts any `plugin.*` key, so mco and
 * the console share one file, and PluginSettings turns a bad value into a
 * ConfigError naming the key, file and line.
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
import { type Config, ConfigError, PluginSettings } from "@phobos/core";

export interface ConsoleSettings {
  /** Address to listen on (`plugin.console.bind`); 127.0.0.1 by default. */
  bind: string;
  /** Port (`plugin.console.port`); 8080 by default... 0 picks a free one. */
  port: number;
  /** PEM files (`plugin.console.tls_cert`, `plugin.console.tls_key`): both or neither. */
  tls: { cert: string; key: string } | undefined;
  /** Keys session cookies' HMAC (`plugin.console.session_secret`); random per start when unset. */
  sessionSecret: string | undefined;
  /** Seconds a session lasts without use (`plugin.console.session_idle`). */
  sessionIdle: number;
  /** The users file (`plugin.console.users`); `console-users.json` beside client.cfg by default. */
  usersFile: string;
  /** Failed sign-ins allowed per address and per login in a window (`plugin.console.login_attempts`). */
  loginAttempts: number;
  /** That window in seconds (`plugin.console.login_window`). */
  loginWindow: number;
}

const KNOWN = [
  "bind",
  "port",
  "tls_cert",
  "tls_key",
  "session_secret",
  "session_idle",
  "users",
  "login_attempts",
  "login_window",
] as const;

export const DEFAULT_PORT = 8080;

/** The console's settings from `config`; `configFile` places the default users file. */
export function consoleSettings(config: Config, configFile: string | undefined): ConsoleSettings {
  const own = new Map<string, string>();
  for (const [key, value] of config.pluginConf) {
    if (key.startsWith("console.")) own.set(key.slice("console.".length), value);
  }
  const where = (key: string) => config.sources.get(`plugin.console.${key}`) ?? {};
  const settings = new PluginSettings("console", own, where);
  for (const key of own.keys()) {
    if (!(KNOWN as readonly string[]).includes(key)) {
      throw new ConfigError(`is not a console setting: use one of ${KNOWN.join(", ")}`, {
        key: `plugin.console.${key}`,
        ...where(key),
      });
    }
  }
  const port = settings.integer("port", DEFAULT_PORT);
  if (port < 0 || port > 65535) {
    throw new ConfigError(`'${port}' is not a TCP port (0 to 65535)`, {
      key: "plugin.console.port",
      ...where("port"),
    });
  }
  const base = configFile ? dirname(resolve(configFile)) : process.cwd();
  const path = (value: string) => (isAbsolute(value) ? value : join(base, value));
  const cert = settings.string("tls_cert");
  const key = settings.string("tls_key");
  if ((cert === undefined) !== (key === undefined)) {
    const missing = cert === undefined ? "tls_cert" : "tls_key";
    throw new ConfigError("is not set: TLS needs both plugin.console.tls_cert and plugin.console.tls_key", {
      key: `plugin.console.${missing}`,
    });
  }
  const secret = settings.string("session_secret");
  if (secret !== undefined && secret.length < 16) {
    throw new ConfigError("is too short: give at least 16 characters", {
      key: "plugin.console.session_secret",
      ...where("session_secret"),
    });
  }
  const positive = (name: string, fallback: number) => {
    const value = settings.integer(name, fallback);
    if (value < 1) {
      throw new ConfigError(`'${value}' must be at least 1`, {
        key: `plugin.console.${name}`,
        ...where(name),
      });
    }
    return value;
  };
  return {
    bind: settings.string("bind", "127.0.0.1"),
    port,
    tls: cert !== undefined && key !== undefined ? { cert: path(cert), key: path(key) } : undefined,
    sessionSecret: secret,
    sessionIdle: positive("session_idle", 8 * 3600),
    usersFile: path(settings.string("users", "console-users.json")),
    loginAttempts: positive("login_attempts", 5),
    loginWindow: positive("login_window", 300),
  };
}

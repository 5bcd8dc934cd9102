import { existsSync, readdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { ConfigError } from "@phobos/errors";
import { isLogLevel, type LogLevel } from "../log/logger.js";
import { SYSLOG_FACILITIES } from "../log/syslog-sink.js";
import { type ConfigLine, parseConfigText } from "./parse.js";
import { PluginSettings, parseBoolean } from "./plugin-settings.js";

/**
 * The effective configuration of mco or mcollectived: MCollective 2.12's keys
 * and defaults (config.rb), typed. Plugin settings stay strings until the
 * plugin reads them through PluginSettings.
 */
export interface Config {
  configFile: string;
  configDir: string;
  identity: string;
  collectives: string[];
  mainCollective: string;
  connector: string;
  securityProvider: string;
  factSource: string;
  /** Absolute directories searched for plugins, in order. */
  libdir: string[];
  loggerType: "file" | "console" | "syslog";
  logfile: string | undefined;
  loglevel: LogLevel;
  logfacility: string;
  keeplogs: number;
  maxLogSize: number;
  registration: string;
  registerInterval: number;
  registrationCollective: string | undefined;
  registrationSplay: boolean;
  classesFile: string;
  rpcaudit: boolean;
  rpcauditProvider: string;
  rpcauthorization: boolean;
  rpcauthProvider: string;
  rpcLimitMethod: "first" | "random";
  factCacheTime: number;
  directAddressing: boolean;
  directAddressingThreshold: number;
  ttl: number;
  defaultDiscoveryMethod: string;
  defaultDiscoveryOptions: string[];
  discoveryTimeout: number | undefined;
  /**
   * `discovery_window`: seconds without a reply, after the first, that end
   * discovery and `mco ping` before their timeout; 0 waits the whole timeout
   * (MCollective's fixed window).
   */
  discoveryWindow: number;
  /** `discovery_expected`: the discovery method that names the nodes a broadcast waits for; "" for none. */
  discoveryExpected: string;
  /** `discovery_expected_options`: that method's options, as `--do` gives the chosen one. */
  discoveryExpectedOptions: string[];
  publishTimeout: number;
  connectionTimeout: number | undefined;
  threaded: boolean;
  softShutdown: boolean;
  softShutdownTimeout: number | undefined;
  activateAgents: boolean;
  defaultBatchSize: number;
  defaultBatchSleepTime: number;
  color: boolean;
  daemonize: boolean;
  /** Never set from a file (see REFUSED): `get_config_item ssl_cipher` answers Ruby's default. */
  sslCipher: string;
  /** Every `plugin.x.y` key, as `x.y` (MCollective's `pluginconf`). */
  pluginConf: Map<string, string>;
  /** Where each key was set, for error messages. */
  sources: Map<string, { file: string; line: number }>;
  /** Deprecated keys and similar things worth a log line. */
  warnings: string[];
}

type Field = keyof Config;
type Kind = "string" | "integer" | "float" | "boolean" | "list" | "libdir" | "lower" | "accumulate";
interface KeySpec {
  field: Field;
  kind: Kind;
  check?: (value: string) => string | undefined;
}

const oneOf =
  (...values: string[]) =>
  (v: string) =>
    values.includes(v) ? undefined : `must be one of ${values.join(", ")}`;

/** MCollective 2.12's keys (config.rb); anything else is a ConfigError. */
const KEYS: Record<string, KeySpec> = {
  registration: { field: "registration", kind: "lower" },
  registration_collective: { field: "registrationCollective", kind: "string" },
  registerinterval: { field: "registerInterval", kind: "integer" },
  registration_splay: { field: "registrationSplay", kind: "boolean" },
  collectives: { field: "collectives", kind: "list" },
  main_collective: { field: "mainCollective", kind: "string" },
  logfile: { field: "logfile", kind: "string" },
  keeplogs: { field: "keeplogs", kind: "integer" },
  max_log_size: { field: "maxLogSize", kind: "integer" },
  loglevel: {
    field: "loglevel",
    kind: "string",
    check: (v) => (isLogLevel(v) ? undefined : "must be one of debug, info, warn, error, fatal"),
  },
  logfacility: { field: "logfacility", kind: "string" },
  libdir: { field: "libdir", kind: "libdir" },
  identity: {
    field: "identity",
    kind: "string",
    check: (v) =>
      /^[\w.-]+$/.test(v) ? undefined : "identities can only contain letters, digits, _, . and -",
  },
  direct_addressing: { field: "directAddressing", kind: "boolean" },
  direct_addressing_threshold: { field: "directAddressingThreshold", kind: "integer" },
  color: { field: "color", kind: "boolean" },
  daemonize: { field: "daemonize", kind: "boolean" },
  securityprovider: { field: "securityProvider", kind: "lower" },
  factsource: { field: "factSource", kind: "lower" },
  connector: { field: "connector", kind: "lower" },
  classesfile: { field: "classesFile", kind: "string" },
  discovery_timeout: { field: "discoveryTimeout", kind: "integer" },
  discovery_window: {
    field: "discoveryWindow",
    kind: "float",
    check: (v) => (Number(v) >= 0 ? undefined : "must be a number of seconds, 0 or more"),
  },
  discovery_expected: { field: "discoveryExpected", kind: "lower" },
  discovery_expected_options: { field: "discoveryExpectedOptions", kind: "accumulate" },
  publish_timeout: { field: "publishTimeout", kind: "integer" },
  connection_timeout: { field: "connectionTimeout", kind: "integer" },
  rpcaudit: { field: "rpcaudit", kind: "boolean" },
  rpcauditprovider: { field: "rpcauditProvider", kind: "lower" },
  rpcauthorization: { field: "rpcauthorization", kind: "boolean" },
  rpcauthprovider: { field: "rpcauthProvider", kind: "lower" },
  rpclimitmethod: { field: "rpcLimitMethod", kind: "string", check: oneOf("first", "random") },
  logger_type: { field: "loggerType", kind: "string", check: oneOf("file", "console", "syslog") },
  fact_cache_time: { field: "factCacheTime", kind: "integer" },
  threaded: { field: "threaded", kind: "boolean" },
  ttl: { field: "ttl", kind: "integer" },
  default_discovery_options: { field: "defaultDiscoveryOptions", kind: "accumulate" },
  default_discovery_method: { field: "defaultDiscoveryMethod", kind: "string" },
  soft_shutdown: { field: "softShutdown", kind: "boolean" },
  soft_shutdown_timeout: { field: "softShutdownTimeout", kind: "integer" },
  activate_agents: { field: "activateAgents", kind: "boolean" },
  default_batch_size: { field: "defaultBatchSize", kind: "integer" },
  default_batch_sleep_time: { field: "defaultBatchSleepTime", kind: "float" },
};

/**
 * Keys MCollective 2.12 reads that would do nothing in Phobos: a line
 * setting one is a ConfigError saying why and what to do, never a silent
 * no-op.
 */
const REFUSED: Record<string, string> = {
  ssl_cipher:
    "is not used by Phobos: it chose the AES cipher of Ruby MCollective's aes_security plugin, which Phobos does not have (psk and ssl never read it, in Ruby either), and it is not a TLS setting; remove the line",
};

/** Accepted and ignored by MCollective 2.12 with a warning; so here too. */
const DEPRECATED = new Set(["topicprefix", "topicsep", "queueprefix", "rpchelptemplate", "helptemplatedir"]);

/** MCollective 2.12's defaults (Config#set_config_defaults). */
export function defaultConfig(configFile: string): Config {
  return {
    configFile,
    configDir: dirname(configFile),
    identity: hostname(),
    collectives: ["mcollective"],
    mainCollective: "mcollective",
    connector: "activemq",
    securityProvider: "psk",
    factSource: "yaml",
    libdir: [],
    loggerType: "file",
    logfile: undefined,
    loglevel: "info",
    logfacility: "user",
    keeplogs: 5,
    maxLogSize: 2097152,
    registration: "agentlist",
    registerInterval: 0,
    registrationCollective: undefined,
    registrationSplay: false,
    classesFile: "/var/lib/puppet/state/classes.txt",
    rpcaudit: false,
    rpcauditProvider: "",
    rpcauthorization: false,
    rpcauthProvider: "",
    rpcLimitMethod: "first",
    factCacheTime: 300,
    directAddressing: true,
    directAddressingThreshold: 10,
    ttl: 60,
    defaultDiscoveryMethod: "mc",
    defaultDiscoveryOptions: [],
    discoveryTimeout: undefined,
    discoveryWindow: 0,
    discoveryExpected: "",
    discoveryExpectedOptions: [],
    publishTimeout: 2,
    connectionTimeout: undefined,
    threaded: false,
    softShutdown: false,
    softShutdownTimeout: undefined,
    activateAgents: true,
    defaultBatchSize: 0,
    defaultBatchSleepTime: 1,
    color: true,
    daemonize: false,
    sslCipher: "aes-256-cbc",
    pluginConf: new Map(),
    sources: new Map(),
    warnings: [],
  };
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

function suggestKey(key: string): string {
  const best = Object.keys(KEYS)
    .map((k) => ({ k, d: levenshtein(key, k) }))
    .sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 3 ? ` (did you mean '${best.k}'?)` : "";
}

function convert(spec: KeySpec, line: ConfigLine): unknown {
  const bad = (what: string) =>
    new ConfigError(`could not parse '${line.value}': ${what}`, {
      file: line.file,
      line: line.line,
      key: line.key,
    });
  const v = line.value;
  switch (spec.kind) {
    case "integer":
      if (!/^[-+]?\d+$/.test(v)) throw bad("expected a whole number");
      return Number.parseInt(v, 10);
    case "float": {
      const n = Number(v);
      if (!Number.isFinite(n)) throw bad("expected a number");
      return n;
    }
    case "boolean": {
      const b = parseBoolean(v);
      if (b === undefined) throw bad("expected a boolean (1/0, yes/no, true/false, y/n, t/f)");
      return b;
    }
    case "list":
      return v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    case "lower":
      return v.toLowerCase();
    default:
      return v;
  }
}

/** Applies parsed lines on top of `config`, in order (later lines win, libdir accumulates). */
export function applyConfigLines(config: Config, lines: ConfigLine[]): Config {
  for (const line of lines) {
    const where = { file: line.file, line: line.line, key: line.key };
    config.sources.set(line.key, { file: line.file, line: line.line });
    if (line.key.startsWith("plugin.")) {
      const name = line.key.slice("plugin.".length);
      if (name === "") throw new ConfigError("has no plugin name", where);
      config.pluginConf.set(name, line.value);
      continue;
    }
    if (DEPRECATED.has(line.key)) {
      config.warnings.push(
        `${line.file}:${line.line}: use of deprecated '${line.key}' option: it is ignored and should be removed`,
      );
      continue;
    }
    const refusal = REFUSED[line.key];
    if (refusal) throw new ConfigError(refusal, where);
    const spec = KEYS[line.key];
    if (!spec) throw new ConfigError(`unknown config parameter${suggestKey(line.key)}`, where);
    const problem = spec.check?.(line.value);
    if (problem) throw new ConfigError(`'${line.value}' ${problem}`, where);
    if (spec.kind === "libdir") {
      for (const path of line.value.split(":").filter((p) => p !== "")) {
        if (!isAbsolute(path)) {
          throw new ConfigError(`libdir paths should be absolute paths but '${path}' is relative`, where);
        }
        config.libdir.push(path);
      }
    } else if (spec.kind === "accumulate") {
      (config[spec.field] as string[]).push(line.value);
    } else {
      (config as unknown as Record<string, unknown>)[spec.field] = convert(spec, line);
    }
  }
  return config;
}

/**
 * `plugin.d/<name>.cfg` beside the main file: every key in it is
 * `plugin.<name>.<key>` (MCollective's read_plugin_config_dir).
 */
export function readPluginConfigDir(dir: string): ConfigLine[] {
  if (!existsSync(dir)) return [];
  const lines: ConfigLine[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const m = /^(\w+)\.cfg$/.exec(entry);
    if (!m) continue;
    const file = join(dir, entry);
    for (const line of parseConfigText(readFileSync(file, "utf8"), file)) {
      lines.push({ ...line, key: `plugin.${m[1]}.${line.key}` });
    }
  }
  return lines;
}

/**
 * `logfacility` counts only with `logger_type = syslog` (MCollective's
 * server.cfg templates set it beside a file logger, with a comment after
 * the value), so it is checked only then; `plugin.syslog.socket` only
 * makes sense with it.
 */
function checkSyslog(config: Config): void {
  const at = (key: string) => ({ ...config.sources.get(key), key });
  if (config.loggerType === "syslog") {
    const facility = config.logfacility.toLowerCase();
    if (!Object.hasOwn(SYSLOG_FACILITIES, facility)) {
      throw new ConfigError(
        `'${config.logfacility}' is not a syslog facility: use one of ${Object.keys(SYSLOG_FACILITIES).join(", ")}`,
        at(config.sources.has("logfacility") ? "logfacility" : "logger_type"),
      );
    }
  }
  for (const key of config.pluginConf.keys()) {
    if (!key.startsWith("syslog.")) continue;
    const full = `plugin.${key}`;
    if (key !== "syslog.socket") {
      throw new ConfigError("is not a syslog setting: the one there is is plugin.syslog.socket", at(full));
    }
    if (config.loggerType !== "syslog") {
      throw new ConfigError(
        `has no effect with logger_type = ${config.loggerType}: set logger_type = syslog or remove the line`,
        at(full),
      );
    }
  }
}

/** The rules no single key can check: at least one collective, and the main one among them. */
export function checkConsistency(config: Config): void {
  checkSyslog(config);
  if (config.collectives.length === 0) {
    throw new ConfigError("must name at least one collective", {
      ...config.sources.get("collectives"),
      key: "collectives",
    });
  }
  if (!config.collectives.includes(config.mainCollective)) {
    throw new ConfigError(
      `'${config.mainCollective}' is not one of the collectives (${config.collectives.join(", ")})`,
      {
        ...(config.sources.get("main_collective") ?? config.sources.get("collectives")),
        key: "main_collective",
      },
    );
  }
}

/** Reads a cfg file, its plugin.d directory, and checks the result. */
export function loadConfig(configFile: string): Config {
  let text: string;
  try {
    text = readFileSync(configFile, "utf8");
  } catch (err) {
    throw new ConfigError(
      `cannot read config file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      {
        file: configFile,
      },
    );
  }
  const config = defaultConfig(configFile);
  applyConfigLines(config, parseConfigText(text, configFile));
  applyConfigLines(config, readPluginConfigDir(join(config.configDir, "plugin.d")));
  checkConsistency(config);
  return config;
}

/** Config held in memory (tests, the demo): the same rules as a file. */
export function configFromText(text: string, configFile = "<inline>"): Config {
  const config = defaultConfig(configFile);
  applyConfigLines(config, parseConfigText(text, configFile));
  checkConsistency(config);
  return config;
}

/**
 * The `plugin.<name>.*` settings of one plugin, for its context; the bare
 * `plugin.<name>` value (psk's secret) is the empty key.
 */
export function pluginSettings(config: Config, name: string): PluginSettings {
  const prefix = `${name}.`;
  const values = new Map<string, string>();
  for (const [key, value] of config.pluginConf) {
    if (key === name) values.set("", value);
    else if (key.startsWith(prefix)) values.set(key.slice(prefix.length), value);
  }
  return new PluginSettings(
    name,
    values,
    (key) => config.sources.get(key === "" ? `plugin.${name}` : `plugin.${prefix}${key}`) ?? {},
  );
}

/**
 * MCollective 2.x config files (`server.cfg`, `client.cfg`): the `key = value` format
 * both the Ruby peer and Phobos read, written the way the wire captures'
 * set-up wrote them (wire/scenarios/<connector>-<security>/config).
 *
 * Ruby's parser (config.rb) takes `^(.+?)\s*=\s*(.+)$` after stripping trailing blanks
 * and silently ignores any other line, so values are checked here: an empty value, a
 * newline or surrounding blanks would be lost or misread without a word.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Facts, writeClassesFile, writeFactsFile } from "./facts-file.js";
import { DEBIAN_PLUGIN_DIR } from "./reference-environment.js";
import { writeRubyFix } from "./ruby-fix.js";

export type ConnectorName = "rabbitmq" | "activemq";

export interface BrokerHost {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** `plugin.<connector>.pool.N.ssl`; the certificate settings go in `extra`. */
  readonly ssl?: boolean;
}

export interface BrokerSettings {
  readonly connector: ConnectorName;
  /** `plugin.<connector>.vhost` (STOMP `host` header); omitted when undefined. */
  readonly vhost?: string;
  /** One or more brokers, tried in order (`plugin.<connector>.pool.N.*`). */
  readonly pool: readonly BrokerHost[];
}

export type SecuritySettings =
  | {
      readonly provider: "psk";
      readonly psk: string;
      /** `plugin.psk.callertype`; MCollective's default is `uid`. */
      readonly callertype?: "uid" | "gid" | "user" | "group" | "identity";
    }
  | {
      readonly provider: "ssl";
      /** Both sides: the servers' shared public key. */
      readonly serverPublic: string;
      /** Server side. */
      readonly serverPrivate?: string;
      /** Server side: the clients' public keys, `<callerid name>.pem`. */
      readonly clientCertDir?: string;
      /** Client side. */
      readonly clientPrivate?: string;
      /** Client side; its basename is the caller id (`cert=<name>`). */
      readonly clientPublic?: string;
      readonly serializer?: "marshal" | "yaml";
    };

export type LogLevel = "debug" | "info" | "warn" | "error" | "fatal";
export type ConfigScalar = string | number | boolean;
/** Raw `key = value` lines, or a record of them; written last, so they override. */
export type ExtraConfig = readonly string[] | Readonly<Record<string, ConfigScalar>>;

export interface CommonConfigOptions {
  readonly identity: string;
  /** Default `["mcollective"]`. */
  readonly collectives?: readonly string[];
  /** Default: the first collective. */
  readonly mainCollective?: string;
  readonly broker: BrokerSettings;
  readonly security: SecuritySettings;
  /**
   * Default: the ruby-fix directory (written beside the config), then Debian's plugin
   * directory. Ruby puts each libdir at the front of `$LOAD_PATH`, all of them ahead of
   * the core library, so the patched files win over the packaged ones.
   */
  readonly libdir?: readonly string[];
  readonly loglevel?: LogLevel;
  readonly logfile?: string;
  /** Default true (what the captures used). */
  readonly directAddressing?: boolean;
  readonly extra?: ExtraConfig;
}

export interface ServerConfigOptions extends CommonConfigOptions {
  /** Written to `facts.yaml` beside the config (yaml fact source). Default `{}`. */
  readonly facts?: Facts;
  /** Written to `classes.txt` beside the config. Default none. */
  readonly classes?: readonly string[];
  /** Default false: the harness runs daemons in the foreground to track them. */
  readonly daemonize?: boolean;
  /** Default 0: no registration messages. */
  readonly registerinterval?: number;
}

export interface ClientConfigOptions extends CommonConfigOptions {
  /** Client facts (`factsource = yaml`), written to `client-facts.yaml`; omitted when undefined. */
  readonly facts?: Facts;
}

export const SERVER_CONFIG_FILE = "server.cfg";
export const CLIENT_CONFIG_FILE = "client.cfg";
export const RUBY_FIX_DIR = "ruby-fix";

export class ConfigWriterError extends Error {
  constructor(message: string) {
    super(`config: ${message}`);
    this.name = "ConfigWriterError";
  }
}

type Line = readonly [key: string, value: ConfigScalar];

const KEY = /^[\w.]+$/;
const IDENTITY = /^[\w.-]+$/;

function formatValue(key: string, value: ConfigScalar): string {
  const text = typeof value === "boolean" ? (value ? "1" : "0") : String(value);
  if (text === "") throw new ConfigWriterError(`${key}: empty value (Ruby's parser would drop the line)`);
  if (/[\r\n]/.test(text)) throw new ConfigWriterError(`${key}: value contains a line break`);
  if (text.trim() !== text) throw new ConfigWriterError(`${key}: value has leading or trailing blanks`);
  return text;
}

function render(header: string, lines: readonly Line[], extra: ExtraConfig | undefined): string {
  const out = [`# ${header}`];
  for (const [key, value] of lines) {
    if (!KEY.test(key)) throw new ConfigWriterError(`"${key}" is not a config key`);
    out.push(`${key} = ${formatValue(key, value)}`);
  }
  if (extra !== undefined) {
    if (Array.isArray(extra)) {
      for (const line of extra as readonly string[]) {
        if (/[\r\n]/.test(line) || !/^\s*[\w.]+\s*=\s*\S/.test(line)) {
          throw new ConfigWriterError(`extra line ${JSON.stringify(line)} is not \`key = value\``);
        }
        out.push(line.trimEnd());
      }
    } else {
      for (const [key, value] of Object.entries(extra as Readonly<Record<string, ConfigScalar>>)) {
        if (!KEY.test(key)) throw new ConfigWriterError(`"${key}" is not a config key`);
        out.push(`${key} = ${formatValue(key, value)}`);
      }
    }
  }
  return `${out.join("\n")}\n`;
}

function commonLines(options: CommonConfigOptions, libdir: readonly string[]): Line[] {
  if (!IDENTITY.test(options.identity)) {
    throw new ConfigWriterError(
      `identity "${options.identity}" must match /^[\\w.-]+$/ (MCollective refuses others)`,
    );
  }
  const collectives = options.collectives ?? ["mcollective"];
  const main = options.mainCollective ?? collectives[0];
  if (main === undefined) throw new ConfigWriterError("no collectives");
  if (!collectives.includes(main)) {
    throw new ConfigWriterError(
      `main_collective "${main}" is not one of the collectives (${collectives.join(", ")})`,
    );
  }
  if (libdir.length === 0) throw new ConfigWriterError("libdir is empty");
  for (const dir of libdir) {
    if (!dir.startsWith("/") || dir.includes(":")) {
      throw new ConfigWriterError(`libdir "${dir}" must be an absolute path without ":"`);
    }
  }

  const { broker, security } = options;
  if (broker.pool.length === 0) throw new ConfigWriterError("broker pool is empty");
  const prefix = `plugin.${broker.connector}`;
  const lines: Line[] = [
    ["main_collective", main],
    ["collectives", collectives.join(",")],
    ["libdir", libdir.join(":")],
    ["identity", options.identity],
    ["direct_addressing", options.directAddressing ?? true],
    ["connector", broker.connector],
  ];
  if (broker.vhost !== undefined) lines.push([`${prefix}.vhost`, broker.vhost]);
  lines.push([`${prefix}.pool.size`, broker.pool.length]);
  broker.pool.forEach((host, i) => {
    const n = `${prefix}.pool.${i + 1}`;
    lines.push([`${n}.host`, host.host], [`${n}.port`, host.port], [`${n}.user`, host.user]);
    lines.push([`${n}.password`, host.password]);
    if (host.ssl !== undefined) lines.push([`${n}.ssl`, host.ssl]);
  });

  lines.push(["securityprovider", security.provider]);
  if (security.provider === "psk") {
    lines.push(["plugin.psk", security.psk]);
    if (security.callertype !== undefined) lines.push(["plugin.psk.callertype", security.callertype]);
  } else {
    lines.push(["plugin.ssl_serializer", security.serializer ?? "marshal"]);
    lines.push(["plugin.ssl_server_public", security.serverPublic]);
  }
  return lines;
}

function sslLines(security: SecuritySettings, role: "server" | "client"): Line[] {
  if (security.provider !== "ssl") return [];
  const need = (value: string | undefined, name: string): string => {
    if (value === undefined) throw new ConfigWriterError(`ssl security: a ${role} config needs ${name}`);
    return value;
  };
  return role === "server"
    ? [
        ["plugin.ssl_server_private", need(security.serverPrivate, "serverPrivate")],
        ["plugin.ssl_client_cert_dir", need(security.clientCertDir, "clientCertDir")],
      ]
    : [
        ["plugin.ssl_client_private", need(security.clientPrivate, "clientPrivate")],
        ["plugin.ssl_client_public", need(security.clientPublic, "clientPublic")],
      ];
}

export interface ServerConfigPaths {
  readonly libdir: readonly string[];
  readonly logfile: string;
  readonly factsFile: string;
  readonly classesFile: string;
}

export function renderServerConfig(options: ServerConfigOptions, paths: ServerConfigPaths): string {
  const lines = commonLines(options, options.libdir ?? paths.libdir);
  lines.push(...sslLines(options.security, "server"));
  lines.push(
    ["logfile", options.logfile ?? paths.logfile],
    // Debug by default: the log tail in a start failure then shows every subscription.
    ["loglevel", options.loglevel ?? "debug"],
    ["daemonize", options.daemonize ?? false],
    ["factsource", "yaml"],
    ["plugin.yaml", paths.factsFile],
    ["classesfile", paths.classesFile],
    ["registerinterval", options.registerinterval ?? 0],
  );
  return render(
    `mcollectived config for ${options.identity}, written by @phobos/interop`,
    lines,
    options.extra,
  );
}

export interface ClientConfigPaths {
  readonly libdir: readonly string[];
  /** Only used when the options have facts. */
  readonly factsFile: string;
}

export function renderClientConfig(options: ClientConfigOptions, paths: ClientConfigPaths): string {
  const lines = commonLines(options, options.libdir ?? paths.libdir);
  lines.push(...sslLines(options.security, "client"));
  // Console logging at warn, no colour: what the captures' mco printed.
  if (options.logfile === undefined) {
    lines.push(["logger_type", "console"]);
  } else {
    lines.push(["logger_type", "file"], ["logfile", options.logfile]);
  }
  lines.push(["loglevel", options.loglevel ?? "warn"], ["color", false]);
  if (options.facts !== undefined) lines.push(["factsource", "yaml"], ["plugin.yaml", paths.factsFile]);
  return render(
    `mco client config for ${options.identity}, written by @phobos/interop`,
    lines,
    options.extra,
  );
}

/** The libdir a config written into `dir` gets when the options give none. */
export function defaultLibdir(dir: string): readonly string[] {
  return [join(dir, RUBY_FIX_DIR), DEBIAN_PLUGIN_DIR];
}

async function prepareLibdir(dir: string, options: CommonConfigOptions): Promise<readonly string[]> {
  if (options.libdir !== undefined) return options.libdir;
  await writeRubyFix(join(dir, RUBY_FIX_DIR));
  return defaultLibdir(dir);
}

/**
 * Writes `dir/server.cfg` with `facts.yaml`, `classes.txt` and (unless `libdir` is given)
 * the ruby-fix directory beside it. Returns the config's path.
 */
export async function writeServerConfig(dir: string, options: ServerConfigOptions): Promise<string> {
  await mkdir(dir, { recursive: true });
  const paths: ServerConfigPaths = {
    libdir: await prepareLibdir(dir, options),
    logfile: join(dir, "mcollectived.log"),
    factsFile: join(dir, "facts.yaml"),
    classesFile: join(dir, "classes.txt"),
  };
  const text = renderServerConfig(options, paths);
  await writeFactsFile(paths.factsFile, options.facts ?? {});
  await writeClassesFile(paths.classesFile, options.classes ?? []);
  const file = join(dir, SERVER_CONFIG_FILE);
  await writeFile(file, text);
  return file;
}

/** Writes `dir/client.cfg` (and `client-facts.yaml`, the ruby-fix directory). Returns its path. */
export async function writeClientConfig(dir: string, options: ClientConfigOptions): Promise<string> {
  await mkdir(dir, { recursive: true });
  const paths: ClientConfigPaths = {
    libdir: await prepareLibdir(dir, options),
    factsFile: join(dir, "client-facts.yaml"),
  };
  const text = renderClientConfig(options, paths);
  if (options.facts !== undefined) await writeFactsFile(paths.factsFile, options.facts);
  const file = join(dir, CLIENT_CONFIG_FILE);
  await writeFile(file, text);
  return file;
}

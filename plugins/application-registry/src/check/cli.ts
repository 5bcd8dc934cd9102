import { parseArgs } from "node:util";
import { chooseConfigFile, createLogger, loadConfig, PluginSettings, pluginSettings } from "@phobos/core";
import { readRegistry } from "@phobos/discovery-registry";
import { evaluateRegistry, type Thresholds, UNKNOWN, unknown } from "./evaluate.js";

const NAME = "check_mcollective_registry";

export const USAGE = `Usage: ${NAME} [options]

Nagios/Icinga check over the Phobos node registry (MCollective's
AgentRegistrationMonitor check): every node the registry holds must have
registered recently. Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.

  -w, --warning SECONDS     warn when a node was last seen longer ago (default 300)
  -c, --critical SECONDS    critical when longer ago than this (default 600)
      --config FILE         the client.cfg or server.cfg whose plugin.registry.*
                            names the registry (default: mco's client.cfg)
      --database DB         the registry itself, a SQLite file or a postgres://
                            URL (instead of plugin.registry.database)
  -h, --help
`;

const DEFAULTS: Thresholds = { warning: 300, critical: 600 };

function seconds(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) <= 0)
    throw new Error(`--${option} must be a whole number of seconds greater than 0, got '${value}'`);
  return Number(value);
}

/** `plugin.registry.*` from the config file, `--database` over its `database`. */
function settingsFrom(values: { config?: string; database?: string }): PluginSettings {
  const file = values.config ?? chooseConfigFile([], process.env).file;
  let settings: PluginSettings;
  try {
    settings = pluginSettings(loadConfig(file), "registry");
  } catch (err) {
    // No config is fine when --database names the registry.
    if (values.database === undefined) throw err;
    settings = new PluginSettings("registry", new Map());
  }
  if (values.database === undefined) return settings;
  const merged = new Map(settings.keys().map((key) => [key, settings.string(key) as string]));
  merged.set("database", values.database);
  return new PluginSettings("registry", merged);
}

/** Runs the check: prints one status line and resolves to the plugin exit code. */
export async function main(argv: string[], now = () => new Date()): Promise<number> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  let values: { warning?: string; critical?: string; config?: string; database?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        warning: { type: "string", short: "w" },
        critical: { type: "string", short: "c" },
        config: { type: "string" },
        database: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    print(unknown(`${(err as Error).message} (${NAME} --help)`).line);
    return UNKNOWN;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return UNKNOWN;
  }
  try {
    const warning = seconds(values.warning, "warning", DEFAULTS.warning);
    const critical = seconds(values.critical, "critical", Math.max(DEFAULTS.critical, warning));
    if (critical < warning)
      throw new Error(`--critical (${critical}) must not be less than --warning (${warning})`);
    // Logs go nowhere: a check prints one line.
    const log = createLogger({ level: "fatal", write: () => undefined });
    const nodes = await readRegistry(settingsFrom(values), log);
    const result = evaluateRegistry(nodes, now(), { warning, critical });
    print(result.line);
    return result.code;
  } catch (err) {
    print(unknown((err as Error).message).line);
    return UNKNOWN;
  }
}

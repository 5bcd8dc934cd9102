/**
 * `mco`: finds the config and the plugins, picks the application named by
 * the first word, parses its command line and runs it. Application code is
 * imported only for the application run (and `mco help` lists them from
 * their manifests), so start-up never loads a connector or security plugin
 * it does not need.
 *
 * Every failure is one line on stderr that names what went wrong and
 * where, with MCollective's exit code (1 for usage, config and connection
 * problems).
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ApplicationPlugin, ApplicationSummary, EarlyConnection } from "@phobos/client";
import {
  type Config,
  chooseConfigFile,
  clientLogger,
  createPlugin,
  defaultConfig,
  didYouMean,
  discoverClientPlugins,
  formatDidYouMean,
  type Logger,
  loadConfig,
  PhobosError,
  PluginError,
  type PluginRegistry,
  pluginContextFor,
} from "@phobos/core";
import { McoInvocation } from "./invocation.js";
import { lineTracking, type McoIo, processIo } from "./io.js";
import { type ApplicationShape, applicationHelp, parseCommandLine } from "./options/command-line.js";
import { HelpRequested } from "./options/sections.js";

/** apps/mco: its dependencies are the first-party plugins. */
const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const VERSION_LINE = "The Marionette Collective version 2.12.5";

/** Applications that only read what is installed here: they run without a client config file. */
const LOCAL_APPLICATIONS = new Set(["help", "completion", "plugin", "describe_filter"]);

/**
 * Whether the words could ask for help (`-h`, `--help`, `--he`, `-vh`…),
 * read before the application's options are known, so loosely: a run that
 * only prints help must not touch the broker, and one that cannot be sure
 * merely connects later, as it always did.
 */
function mayAskForHelp(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const words = [...argv, ...(env.MCOLLECTIVE_EXTRA_OPTS ?? "").split(/\s+/)];
  const end = words.indexOf("--");
  return (end < 0 ? words : words.slice(0, end)).some((w) => /^--h|^-[^-]*h/.test(w));
}

/**
 * The broker connection of a run that will talk to the broker, started now
 * so that its handshake overlaps loading the application, its DDLs and the
 * security plugin; the application's messaging() adopts it. Local
 * applications and help never connect. Resolves once the attempt is under
 * way; problems surface when (and only if) the application asks for the
 * broker, as they would have without it.
 */
async function startEarlyConnection(
  name: string,
  argv: readonly string[],
  io: McoIo,
  config: Config,
  registry: PluginRegistry,
  log: Logger,
): Promise<EarlyConnection | undefined> {
  if (LOCAL_APPLICATIONS.has(name) || mayAskForHelp(argv, io.env)) return undefined;
  const client = await import("@phobos/client");
  return client.EarlyConnection.start(config, registry, log);
}

/** Ends the run with an exit code, after a message already written. */
class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** The error an application threw, without core's "application plugin 'x' failed in run:" wrapper. */
function unwrap(err: unknown): unknown {
  return err instanceof PluginError && err.pluginType === "application" && err.cause !== undefined
    ? err.cause
    : err;
}

function fail(io: McoIo, who: string, thrown: unknown, verbose = false): never {
  const err = unwrap(thrown);
  const message = err instanceof Error ? err.message : String(err);
  if ("atLineStart" in io.stderr && io.stderr.atLineStart === false) io.stderr.write("\n");
  io.stderr.write(`${who}: ${message.split("\n").join(" ")}\n`);
  if (verbose && err instanceof Error && !(err instanceof PhobosError) && err.stack) {
    io.stderr.write(`${err.stack}\n`);
  }
  throw new Exit(1);
}

function readConfig(io: McoIo, argv: readonly string[], tolerateMissing: boolean): Config {
  const choice = chooseConfigFile(argv, io.env);
  try {
    return loadConfig(choice.file);
  } catch (err) {
    // `mco` and `mco help` still list what is installed on a host without a client config.
    if (tolerateMissing && !choice.explicit && (err as { code?: string }).code === "CONFIG")
      return defaultConfig(choice.file);
    fail(io, "mco", err);
  }
}

function summaries(registry: PluginRegistry): ApplicationSummary[] {
  return registry
    .list("application")
    .map((entry) => ({ name: entry.name, description: entry.description ?? "" }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `mco help` without an application: what 23-help.txt shows. */
export function applicationList(apps: readonly ApplicationSummary[]): string {
  const lines = apps.map((app) => `  ${app.name.padEnd(15)} ${app.description}`);
  return `${VERSION_LINE}\n\n${lines.join("\n")}${lines.length > 0 ? "\n" : ""}\n`;
}

async function loadShape(
  registry: PluginRegistry,
  config: Config,
  name: string,
  log: Logger,
): Promise<{ shape: ApplicationShape; run: McoApplication["run"] }> {
  const entry = registry.find("application", name);
  const definition = await registry.load("application", name);
  // The host types applications without mco's invocation (the daemon never loads them); mco supplies it.
  const instance: ApplicationPlugin = await createPlugin(
    definition,
    pluginContextFor(config, "application", name, { log: log.child(`application/${name}`), mode: "client" }),
    entry ?? {},
  );
  return {
    shape: {
      description: definition.description ?? entry?.description,
      usage: instance.usage,
      options: instance.options,
      excludeSections: instance.excludeSections,
    },
    run: (invocation) => instance.run(invocation),
  };
}

type McoApplication = { run: (invocation: McoInvocation) => Promise<number | undefined> };

function unknownCommand(io: McoIo, name: string, config: Config, registry: PluginRegistry): never {
  const known = summaries(registry).map((app) => app.name);
  const hint = formatDidYouMean(didYouMean(name, known));
  const where =
    config.libdir.length > 0
      ? `installed packages and libdir ${config.libdir.join(":")}`
      : "installed packages";
  io.stderr.write(
    `mco: unknown command '${name}'${hint ? ` (${hint})` : ""}; known commands: ${known.join(", ") || "none"} (searched ${where}); try 'mco help'\n`,
  );
  throw new Exit(1);
}

async function dispatch(argv: readonly string[], io: McoIo): Promise<number> {
  const first = argv[0];
  const name = first === undefined || first.startsWith("--") ? undefined : first;
  const config = readConfig(io, argv, name === undefined || LOCAL_APPLICATIONS.has(name));
  const log = clientLogger(config);
  for (const warning of config.warnings) log.warn(warning);
  const registry = await discoverClientPlugins(config, APP_DIR, log);

  if (name === undefined) {
    io.stdout.write(applicationList(summaries(registry)));
    return 0;
  }
  if (!registry.find("application", name)) unknownCommand(io, name, config, registry);

  const early = await startEarlyConnection(name, argv.slice(1), io, config, registry, log);
  try {
    return await runApplication(name, argv, io, config, registry, log, early);
  } finally {
    await early?.close();
  }
}

async function runApplication(
  name: string,
  argv: readonly string[],
  io: McoIo,
  config: Config,
  registry: PluginRegistry,
  log: Logger,
  early: EarlyConnection | undefined,
): Promise<number> {
  const who = `mco ${name}`;
  let app: Awaited<ReturnType<typeof loadShape>>;
  try {
    app = await loadShape(registry, config, name, log);
  } catch (err) {
    fail(io, who, err);
  }
  const helpFor = async (other: string): Promise<string> => {
    if (!registry.find("application", other)) {
      const hint = formatDidYouMean(
        didYouMean(
          other,
          summaries(registry).map((a) => a.name),
        ),
      );
      throw new PhobosError("USAGE", `unknown command '${other}'${hint ? ` (${hint})` : ""}`);
    }
    const { shape } = other === name ? app : await loadShape(registry, config, other, log);
    return applicationHelp(shape, config, config.configFile);
  };

  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(app.shape, argv.slice(1), config, config.configFile, io.env);
  } catch (err) {
    if (err instanceof HelpRequested) {
      io.stdout.write(applicationHelp(app.shape, config, config.configFile));
      // MCollective's `-h` ends with `exit! 1`; scripts that test `mco X --help` see the same code.
      return 1;
    }
    fail(io, who, err);
  }

  const invocation = new McoInvocation({
    name,
    args: parsed.args,
    configuration: parsed.configuration,
    options: parsed.options,
    config,
    log,
    stdout: io.stdout,
    stderr: io.stderr,
    registry,
    applications: () => summaries(registry),
    applicationHelp: helpFor,
    early,
  });
  if (!LOCAL_APPLICATIONS.has(name)) await invocation.loadClient();
  try {
    return (await app.run(invocation)) ?? 0;
  } catch (err) {
    if (unwrap(err) instanceof Exit) throw unwrap(err);
    return fail(io, who, err, parsed.options.verbose);
  } finally {
    const connected = invocation.connected;
    const messaging = connected && (await connected.catch(() => undefined));
    if (messaging) {
      const hint = messaging.silenceHint();
      if (hint) {
        if ("atLineStart" in io.stderr && io.stderr.atLineStart === false) io.stderr.write("\n");
        io.stderr.write(`${hint}\n`);
      }
      await messaging.disconnect().catch(() => {});
    }
  }
}

/** Runs mco and resolves to its exit code; all output goes through `io`. */
export async function runMco(argv: readonly string[], given: McoIo = processIo()): Promise<number> {
  const io = { ...given, stderr: lineTracking(given.stderr) };
  try {
    return await dispatch(argv, io);
  } catch (err) {
    if (err instanceof Exit) return err.code;
    io.stderr.write(`mco: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

/** The bin entry: run, flush, exit (a lingering socket must not keep mco alive). */
export async function main(argv: string[]): Promise<void> {
  const code = await runMco(argv);
  process.stdout.write("", () => process.exit(code));
}

import type { PluginLoadError } from "@phobos/core";
import {
  type AgentServices,
  buildPluginContext,
  createLogger,
  createPlugin,
  isPluginDefinition,
  type Logger,
  memorySink,
  PLUGIN_API_VERSION,
  PLUGIN_BRAND,
  PLUGIN_NAME_PATTERN,
  type PluginContextInputs,
  type PluginContextMap,
  type PluginDefinition,
  type PluginInstanceMap,
  type PluginType,
} from "@phobos/core";
import { type Check, ensure, fail } from "./check.js";

/** What every suite takes. */
export interface SuiteOptions<T extends PluginType> {
  definition: PluginDefinition<T>;
  /**
   * The plugin's own settings as it sees them, without the `plugin.<name>.`
   * prefix (`{ "pool.size": "1" }`); the key "" is a bare `plugin.<name>`.
   */
  settings?: Record<string, string>;
  /** Identity of the node (or client) the plugin runs as; `test.example.com` by default. */
  identity?: string;
  /** For agent, data and registration plugins: what the daemon lends them, over stubs. */
  services?: Partial<AgentServices>;
}

export const DEFAULT_IDENTITY = "test.example.com";

/** AgentServices with harmless answers, for plugins that do not use them all. */
export function createStubServices(overrides: Partial<AgentServices> = {}): AgentServices {
  const starttime = Math.floor(Date.now() / 1000);
  return {
    identity: DEFAULT_IDENTITY,
    version: "2.12.5",
    configFile: "/etc/mcollective/server.cfg",
    collectives: ["mcollective"],
    mainCollective: "mcollective",
    facts: async () => ({}),
    classes: async () => [],
    agents: () => [],
    agentMetadata: () => undefined,
    dataSources: () => [],
    queryData: async (source) => {
      throw new Error(`no data plugin '${source}' in the test stubs: pass services.queryData`);
    },
    stats: () => ({
      starttime,
      total: 0,
      validated: 0,
      unvalidated: 0,
      filtered: 0,
      passed: 0,
      replies: 0,
      ttlexpired: 0,
    }),
    configItem: () => ({ found: false }),
    ...overrides,
  };
}

export interface Running<T extends PluginType> {
  instance: PluginInstanceMap[T];
  ctx: PluginContextMap[T];
  /** What the plugin logged, for checks that care. */
  log: ReturnType<typeof memorySink>;
}

/** A live instance from {@link openPlugin}: `close()` fires its shutdown signal. */
export interface OpenPlugin<T extends PluginType> extends Running<T> {
  close(): void;
}

/**
 * Builds a fresh instance the way the apps do (buildPluginContext, then
 * createPlugin, so errors are re-tagged) and leaves it running until
 * `close()`: for suites that need several instances alive at once.
 */
export async function openPlugin<T extends PluginType>(
  options: SuiteOptions<T>,
  mode: "client" | "server",
  identity = options.identity ?? DEFAULT_IDENTITY,
): Promise<OpenPlugin<T>> {
  const { definition } = options;
  const sink = memorySink("debug");
  const controller = new AbortController();
  const pluginSettings = new Map<string, string>();
  for (const [key, value] of Object.entries(options.settings ?? {})) {
    pluginSettings.set(key === "" ? `plugin.${definition.name}` : `plugin.${definition.name}.${key}`, value);
  }
  const log: Logger = createLogger(sink);
  const ctx = buildPluginContext({
    type: definition.type,
    name: definition.name,
    pluginSettings,
    log,
    signal: controller.signal,
    identity,
    mode,
    services: createStubServices({ identity, ...options.services }),
  } as PluginContextInputs<T>);
  const instance = await createPlugin(definition, ctx);
  return { instance, ctx, log: sink, close: () => controller.abort() };
}

/** {@link openPlugin}, then `body`, then the shutdown signal so the plugin can close what it opened. */
export async function withPlugin<T extends PluginType>(
  options: SuiteOptions<T>,
  mode: "client" | "server",
  body: (running: Running<T>) => Promise<void>,
  identity = options.identity ?? DEFAULT_IDENTITY,
): Promise<void> {
  const running = await openPlugin(options, mode, identity);
  try {
    await body(running);
  } finally {
    running.close();
  }
}

/** The two checks every suite starts with: the definition itself, and create(). */
export function definitionChecks<T extends PluginType>(
  type: T,
  options: SuiteOptions<T>,
  mode: "client" | "server",
): Check[] {
  const { definition } = options;
  return [
    {
      name: `is a ${type} definition made by define${type[0]?.toUpperCase()}${type.slice(1)}() for plugin API ${PLUGIN_API_VERSION}`,
      async run() {
        ensure(
          isPluginDefinition(definition),
          "the definition is not branded: export what define<Type>() returns",
        );
        const brand = definition[PLUGIN_BRAND];
        ensure(
          brand.type === type && definition.type === type,
          `it is a ${brand.type} plugin, not a ${type} plugin`,
        );
        ensure(
          brand.api === PLUGIN_API_VERSION,
          `it was made for plugin API ${brand.api}; this @phobos/core is plugin API ${PLUGIN_API_VERSION}`,
        );
        ensure(
          typeof definition.name === "string" && PLUGIN_NAME_PATTERN.test(definition.name),
          `its name ${JSON.stringify(definition.name)} is not lower case letters, digits and _`,
        );
        ensure(typeof definition.create === "function", "it has no create(ctx)");
      },
    },
    {
      name: "create() builds an instance from its settings",
      async run() {
        try {
          await withPlugin(options, mode, async () => {});
        } catch (err) {
          const load = err as PluginLoadError;
          fail(load.message, { cause: err });
        }
      },
    },
  ];
}

import { PluginSettings } from "../config/plugin-settings.js";
import type { Logger } from "../log/logger.js";
import type { AgentServices, PluginContextMap, PluginType, ServerPluginContext } from "./types.js";

type NeedsServices<T extends PluginType> = PluginContextMap[T] extends ServerPluginContext ? true : false;

export type PluginContextInputs<T extends PluginType> = {
  type: T;
  name: string;
  /**
   * Every `plugin.*` setting of the config, full keys (`plugin.rabbitmq.pool.size`).
   * The plugin sees only its own, prefix removed.
   */
  pluginSettings?: ReadonlyMap<string, string>;
  /** Where a full key was set, so a bad value's ConfigError names file and line. */
  where?: (fullKey: string) => { file?: string; line?: number };
  /** The app's logger; the plugin gets a child tagged `<type>/<name>`. */
  log: Logger;
  /** Fires at shutdown; a never-firing signal when omitted. */
  signal?: AbortSignal;
  identity: string;
  mode: "client" | "server";
  /** The person a client acts for (PluginContext.user). */
  user?: string;
} & (NeedsServices<T> extends true ? { services: AgentServices } : { services?: AgentServices });

/**
 * Builds what `create(ctx)` receives. Settings are MCollective's
 * `pluginconf` narrowed to one plugin: `plugin.<name>.<key>` becomes `<key>`,
 * and a bare `plugin.<name>` (as in `plugin.psk = secret`) becomes the key
 * "". Plugins of different types with one name (the package agent and the
 * package application) share settings, as they did in MCollective.
 */
export function buildPluginContext<T extends PluginType>(
  inputs: PluginContextInputs<T>,
): PluginContextMap[T] {
  const prefix = `plugin.${inputs.name}`;
  const own = new Map<string, string>();
  for (const [fullKey, value] of inputs.pluginSettings ?? []) {
    if (fullKey === prefix) own.set("", value);
    else if (fullKey.startsWith(`${prefix}.`)) own.set(fullKey.slice(prefix.length + 1), value);
  }
  const where = inputs.where;
  const settings = new PluginSettings(
    inputs.name,
    own,
    where ? (key) => where(key === "" ? prefix : `${prefix}.${key}`) : undefined,
    { settings: inputs.pluginSettings ?? new Map(), ...(where ? { where } : {}) },
  );
  const context = {
    settings,
    log: inputs.log.child(`${inputs.type}/${inputs.name}`),
    signal: inputs.signal ?? new AbortController().signal,
    identity: inputs.identity,
    mode: inputs.mode,
    ...(inputs.user !== undefined ? { user: inputs.user } : {}),
  };
  const services = (inputs as { services?: AgentServices }).services;
  if (services !== undefined) return { ...context, services } as PluginContextMap[T];
  if (
    inputs.type === "agent" ||
    inputs.type === "data" ||
    inputs.type === "registration" ||
    inputs.type === "authorization"
  ) {
    throw new TypeError(`buildPluginContext: ${inputs.type} plugins need the daemon's services`);
  }
  return context as PluginContextMap[T];
}

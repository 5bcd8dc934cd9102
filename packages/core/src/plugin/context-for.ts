import type { Config } from "../config/config.js";
import type { Logger } from "../log/logger.js";
import { buildPluginContext } from "./context.js";
import type { AgentServices, PluginContextMap, PluginType } from "./types.js";

/** The context a plugin named in `config` gets, for mco and mcollectived alike. */
export function pluginContextFor<T extends PluginType>(
  config: Config,
  type: T,
  name: string,
  options: {
    log: Logger;
    mode: "client" | "server";
    signal?: AbortSignal;
    services?: AgentServices;
    /** The person a client acts for (PluginContext.user). */
    user?: string;
  },
): PluginContextMap[T] {
  const settings = new Map<string, string>();
  for (const [key, value] of config.pluginConf) settings.set(`plugin.${key}`, value);
  return buildPluginContext({
    type,
    name,
    pluginSettings: settings,
    where: (fullKey: string) => config.sources.get(fullKey) ?? {},
    log: options.log,
    identity: config.identity,
    mode: options.mode,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.services ? { services: options.services } : {}),
    ...(options.user !== undefined ? { user: options.user } : {}),
  } as Parameters<typeof buildPluginContext<T>>[0]);
}

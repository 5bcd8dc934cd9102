import type { AgentDdl, Config, DataDdl, Logger, PluginRegistry } from "@phobos/core";
import {
  builtinValidators,
  createPlugin,
  pluginContextFor,
  type ValidatorFn,
  type ValidatorLookup,
} from "@phobos/core";

/**
 * The validator plugins an agent action's inputs (or a data query's input)
 * name (`:validation => :nettest_fqdn`), created so a client validates as
 * the daemon will, as
 * MCollective's client loads its validators. `cache` keeps those already
 * made. One that is not installed stays unknown: validation then says
 * "Unknown validator".
 */
export async function loadValidatorPlugins(
  ddl: AgentDdl | DataDdl | undefined,
  action: string | undefined,
  env: { registry: PluginRegistry; config: Config; log: Logger },
  cache: Map<string, ValidatorFn> = new Map(),
): Promise<ValidatorLookup> {
  const inputs =
    ddl?.kind === "data"
      ? ddl.dataquery.input
      : action === undefined
        ? {}
        : (ddl?.actions[action]?.input ?? {});
  for (const input of Object.values(inputs)) {
    const name = input.validation;
    if (typeof name !== "string" || cache.has(name) || Object.hasOwn(builtinValidators, name)) continue;
    if (env.registry.find("validator", name) === undefined) continue;
    const definition = await env.registry.load("validator", name);
    const instance = await createPlugin(
      definition,
      pluginContextFor(env.config, "validator", name, { log: env.log, mode: "client" }),
    );
    cache.set(name, (value) => instance.validate(value));
  }
  return (name) => cache.get(name);
}

import type { PluginRegistry } from "@phobos/core";

/**
 * The agents an operator can call from mco: those with a DDL. The
 * `discovery` agent answers discovery pings, not SimpleRPC; MCollective
 * never listed it, so neither do `mco plugin doc` and completion.
 */
export function callableAgents(registry: PluginRegistry): string[] {
  return registry
    .list("agent")
    .filter((entry) => entry.ddlPath !== undefined && entry.name !== "discovery")
    .map((entry) => entry.name)
    .sort();
}

import type { AgentDdl, Config, PluginRegistry } from "@phobos/core";
import { didYouMean, formatDidYouMean, UsageError } from "@phobos/core";

/** Where a client looks for agent DDLs, for error messages. */
function searched(config: Config): string {
  return config.libdir.length > 0
    ? `installed packages and libdir ${config.libdir.join(":")}`
    : "installed packages (no libdir configured)";
}

/**
 * An agent's DDL, which a client needs before it sends anything (inputs are
 * validated against it, and its timeout sizes the wait). A missing one is a
 * UsageError naming where it was looked for and the agents that are known.
 */
export async function loadAgentDdl(
  registry: PluginRegistry,
  config: Config,
  agent: string,
): Promise<AgentDdl> {
  const entry = registry.find("agent", agent);
  if (!entry || (entry.ddlPath === undefined && entry.error === undefined)) {
    const known = callableAgents(registry);
    const hint = formatDidYouMean(didYouMean(agent, known));
    throw new UsageError(
      `Can't find DDL for agent plugin '${agent}'${hint ? ` (${hint})` : ""}: searched ${searched(config)}; known agents: ${known.join(", ") || "none"}`,
    );
  }
  return registry.loadDdl("agent", agent);
}

/**
 * The agents an operator can call: those with a DDL. The `discovery` agent
 * answers discovery pings, not SimpleRPC; MCollective never listed it, so
 * neither do `mco plugin doc`, completion and the console.
 */
export function callableAgents(registry: PluginRegistry): string[] {
  return registry
    .list("agent")
    .filter((entry) => entry.ddlPath !== undefined && entry.name !== "discovery")
    .map((entry) => entry.name)
    .sort();
}

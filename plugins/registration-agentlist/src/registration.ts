import { defineRegistration, type ServerPluginContext } from "@phobos/core";

/**
 * MCollective's default registration plugin (`Registration::Agentlist`):
 * the body is `Agents.agentlist`, an Array of the names of the agents this
 * daemon runs, read afresh each interval so a reload (USR1) shows up in
 * the next registration.
 */
function createAgentlist(ctx: ServerPluginContext) {
  return {
    body: (): string[] => [...ctx.services.agents()],
  };
}

export default defineRegistration({
  name: "agentlist",
  description: "The daemon's agent list, as MCollective's default registration plugin sends it",
  create: createAgentlist,
});

import { defineAgent, type RubyValue } from "@phobos/core";
import { registrySettings } from "@phobos/registry";
import { type ReceiverCounters, RegistrationReceiver } from "./receiver.js";

/** A node's facts larger than this (as JSON) are not stored: a site's biggest fact sets are well under it. */
export const DEFAULT_MAX_FACTS_SIZE = 256 * 1024;

/** The agent, plus what tests and metrics read. */
export interface RegistrationAgent {
  actions: Record<string, never>;
  handleRaw(payload: RubyValue, request: Parameters<RegistrationReceiver["handle"]>[1]): undefined;
  flush(): Promise<void>;
  counters(): ReceiverCounters;
}

/**
 * The `registration` agent: the receiving end of MCollective's
 * registration. It stores what every node's `agentlist` or `meta`
 * registration says in the registry (`@phobos/registry`) and, as Ruby's
 * registration agents, answers nothing. Active only where
 * `plugin.registration.database` is set, so daemons that merely have the
 * package installed do not store.
 */
export default defineAgent({
  name: "registration",
  description: "Stores the registration messages of every node in a registry (SQLite or PostgreSQL)",
  activate: (ctx) => {
    if (ctx.settings.has("database")) return true;
    ctx.log.info("registration agent: not activated, plugin.registration.database is not set");
    return false;
  },
  create: async (ctx) => {
    const settings = registrySettings(ctx.settings);
    const maxFactsSize = ctx.settings.integer("max_facts_size", DEFAULT_MAX_FACTS_SIZE);
    const receiver = new RegistrationReceiver(settings, ctx.log, { maxFactsSize });
    await receiver.start();
    ctx.signal.addEventListener("abort", () => void receiver.close(), { once: true });
    const agent: RegistrationAgent = {
      actions: {},
      handleRaw: (payload, request) => receiver.handle(payload, request),
      flush: () => receiver.flush(),
      counters: () => receiver.counters(),
    };
    return agent;
  },
});

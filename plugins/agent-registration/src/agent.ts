import { defineAgent, type RubyValue } from "@phobos/core";
import { addMetricSet } from "@phobos/metrics";
import { registrySettings } from "@phobos/registry";
import { registrationMetricSet } from "./metrics.js";
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
 * Receivers by settings, for the whole process: an agent reload (USR1)
 * creates the agent again, and the new one takes over the running receiver
 * (its queue, its database connection) instead of opening a second one.
 * On globalThis so that a reload that imports this module afresh finds it.
 */
const RECEIVERS_KEY = Symbol.for("phobos.registration.receivers");
const processGlobals = globalThis as Record<symbol, unknown>;
processGlobals[RECEIVERS_KEY] ??= new Map<string, RegistrationReceiver>();
const RECEIVERS = processGlobals[RECEIVERS_KEY] as Map<string, RegistrationReceiver>;

async function sharedReceiver(
  key: string,
  signal: AbortSignal,
  create: () => RegistrationReceiver,
): Promise<RegistrationReceiver> {
  const running = RECEIVERS.get(key);
  if (running !== undefined) return running;
  const receiver = create();
  RECEIVERS.set(key, receiver);
  signal.addEventListener(
    "abort",
    () => {
      RECEIVERS.delete(key);
      void receiver.close();
    },
    { once: true },
  );
  await receiver.start();
  return receiver;
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
    const receiver = await sharedReceiver(JSON.stringify({ settings, maxFactsSize }), ctx.signal, () => {
      const created = new RegistrationReceiver(settings, ctx.log, { maxFactsSize });
      // Joins mcollectived's metrics endpoint when plugin.metrics.port is set, once per
      // receiver (a reload takes the receiver over, and its metrics with it).
      const removeMetrics = addMetricSet(registrationMetricSet(created));
      ctx.signal.addEventListener("abort", removeMetrics, { once: true });
      return created;
    });
    const agent: RegistrationAgent = {
      actions: {},
      handleRaw: (payload, request) => receiver.handle(payload, request),
      flush: () => receiver.flush(),
      counters: () => receiver.counters(),
    };
    return agent;
  },
});

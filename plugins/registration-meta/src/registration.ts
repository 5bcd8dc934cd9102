import { defineRegistration, fromNatural, type RubyValue, type ServerPluginContext, sym } from "@phobos/core";

/**
 * The community registration-meta plugin (R.I. Pienaar's
 * `registration/meta.rb` from mcollective-plugins): a Hash with Symbol keys
 * in its order — `:agentlist`, `:facts` (String keys, as the facts plugin
 * gives them), `:classes` (the classes file's lines), `:collectives`
 * (sorted) and `:identity` — then `:version`, the daemon's version, which
 * the Ruby plugin did not send: a receiver that reads keys by name ignores
 * it, and a Phobos registry records it.
 */
function createMeta(ctx: ServerPluginContext) {
  const s = ctx.services;
  return {
    async body(): Promise<RubyValue> {
      const [facts, classes] = await Promise.all([s.facts(), s.classes()]);
      return new Map<RubyValue, RubyValue>([
        [sym("agentlist"), [...s.agents()]],
        [sym("facts"), fromNatural(facts, { keys: "string" })],
        [sym("classes"), [...classes]],
        [sym("collectives"), [...s.collectives].sort()],
        [sym("identity"), s.identity],
        [sym("version"), s.version],
      ]);
    },
  };
}

export default defineRegistration({
  name: "meta",
  description: "Agents, facts, classes, collectives, identity and version of the node (registration-meta)",
  create: createMeta,
});

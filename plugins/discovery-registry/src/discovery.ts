import { defineDiscovery } from "@phobos/core";
import { parseDiscoveryOptions } from "./discovery-options.js";
import { factNamesOf } from "./fact-names.js";
import { readRegistry } from "./open-registry.js";
import { refuseDataFunctions } from "./refuse-data-functions.js";
import { selectNodes } from "./select-nodes.js";

/**
 * Registry discovery (`--dm registry`, `default_discovery_method =
 * registry`): the nodes registration stored (`plugin.registry.*`), judged
 * by the daemons' own filter engine on what each last reported, so nothing
 * is broadcast and nothing waited for; requests then go to those nodes
 * directly. Its answer is also the set of nodes a broadcast with the same
 * filter should hear from.
 */
export default defineDiscovery({
  name: "registry",
  description: "Discovery from the node registry",
  create: (ctx) => ({
    async discover({ filter, limit, options }) {
      const { includeStale } = parseDiscoveryOptions(options);
      // Refused before the database is opened: such a filter needs no database to fail.
      refuseDataFunctions(filter);
      // Opened per discovery and closed after: an openClient script has no
      // shutdown signal, and an open connection would keep it alive.
      const nodes = await readRegistry(ctx.settings, ctx.log, { facts: factNamesOf(filter) });
      const { identities, errors } = await selectNodes(nodes, filter, { includeStale });
      for (const [reason, count] of errors) {
        ctx.log.warn(`The filter could not be evaluated on ${count} stored node(s), left out: ${reason}`);
      }
      return limit > 0 ? identities.slice(0, limit) : identities;
    },
  }),
});

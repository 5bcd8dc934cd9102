import { defineFacts } from "@phobos/core";
import { type FactsSpec, factsFor } from "./facts-spec.js";

/** The `factsource` every virtual node uses; its node number is `plugin.fleet_sim.node`. */
export const SIM_FACTS = "fleet_sim";

/**
 * A facts plugin computed from a distribution instead of read from a file:
 * each virtual node gets its own facts without N files on disk.
 */
export function simFactsPlugin(spec: FactsSpec) {
  return defineFacts({
    name: SIM_FACTS,
    description: "Facts of a fleet-sim virtual node, from its facts distribution",
    create(ctx) {
      const n = ctx.settings.integer("node", 0);
      const facts = factsFor(spec, n);
      return { load: async () => ({ ...facts }) };
    },
  });
}

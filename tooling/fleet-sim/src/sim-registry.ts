import { type ConfigPlace, type PluginDefinition, PluginRegistry, type PluginType } from "@phobos/core";
import { SIM_FACTS } from "./sim-facts.js";

/**
 * The discovered plugins plus fleet-sim's own facts source, which lives in
 * this process rather than in a package: one registry is shared by every
 * virtual node, so each plugin module is imported once.
 */
export class SimRegistry extends PluginRegistry {
  readonly #facts: PluginDefinition<"facts">;

  constructor(base: PluginRegistry, facts: PluginDefinition<"facts">) {
    super(base.list(), base.errors);
    this.#facts = facts;
  }

  override async require<T extends PluginType>(
    type: T,
    name: string,
    where: ConfigPlace = {},
  ): Promise<PluginDefinition<T>> {
    if (type === "facts" && name === SIM_FACTS) return this.#facts as unknown as PluginDefinition<T>;
    return super.require(type, name, where);
  }
}

import { type ConfigPlace, type PluginDefinition, PluginRegistry, type PluginType } from "@phobos/core";
import { delayingConnector, type ReplyDelaySpec } from "./reply-delay.js";
import { SIM_FACTS } from "./sim-facts.js";

/**
 * The discovered plugins plus fleet-sim's own facts source, which lives in
 * this process rather than in a package: one registry is shared by every
 * virtual node, so each plugin module is imported once. With a reply delay,
 * the connector each node creates holds that node's replies back.
 */
export class SimRegistry extends PluginRegistry {
  readonly #facts: PluginDefinition<"facts">;
  readonly #replyDelay: ReplyDelaySpec | undefined;

  constructor(base: PluginRegistry, facts: PluginDefinition<"facts">, replyDelay?: ReplyDelaySpec) {
    super(base.list(), base.errors);
    this.#facts = facts;
    this.#replyDelay = replyDelay;
  }

  override async require<T extends PluginType>(
    type: T,
    name: string,
    where: ConfigPlace = {},
  ): Promise<PluginDefinition<T>> {
    if (type === "facts" && name === SIM_FACTS) return this.#facts as unknown as PluginDefinition<T>;
    const definition = await super.require(type, name, where);
    if (type === "connector" && this.#replyDelay) {
      const connector = definition as unknown as PluginDefinition<"connector">;
      return delayingConnector(connector, this.#replyDelay) as unknown as PluginDefinition<T>;
    }
    return definition;
  }
}

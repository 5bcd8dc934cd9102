import { type Facts, lookupFact, type NodeView } from "@phobos/core";

/** What the matcher needs of a stored node: the shape of a registry record. */
export interface RecordedNode {
  readonly identity: string;
  readonly facts: Facts;
  readonly classes: readonly string[];
  readonly agents: readonly string[];
}

/**
 * A stored node as the filter engine sees a live one: the same fact lookup
 * (flat name first, then a dotted path), the classes and the agent list as
 * the node last reported them. Data plugins run only on the daemons, so a
 * data query has no answer here (discovery refuses such filters first).
 */
export function recordedNodeView(node: RecordedNode): NodeView {
  return {
    identity: node.identity,
    fact: (name) => lookupFact(node.facts, name),
    classes: () => node.classes,
    agents: () => node.agents,
    data: async () => undefined,
  };
}

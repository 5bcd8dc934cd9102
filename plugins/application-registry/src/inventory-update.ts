import { type Facts, normalizeFacts } from "@phobos/core";
import type { NodeUpdate } from "@phobos/registry";

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.map((v) => String(v)) : undefined;

/**
 * What one `rpcutil inventory` reply tells the registry: agents, facts,
 * classes, collectives and version, as the node reports them now. Facts go
 * in as daemons hold them (MCollective's normalize_facts), so a stored
 * `-F` means what a live one means. A reply without an agent list is no
 * inventory (an error reply): undefined.
 */
export function inventoryUpdate(
  sender: string,
  data: Record<string, unknown>,
  seenAt: Date,
): NodeUpdate | undefined {
  const agents = strings(data.agents);
  if (agents === undefined) return undefined;
  const update: NodeUpdate = { identity: sender, agents, source: "inventory", seenAt };
  const facts = data.facts;
  if (facts !== null && typeof facts === "object" && !Array.isArray(facts))
    update.facts = normalizeFacts(facts) as Facts;
  const classes = strings(data.classes);
  if (classes !== undefined) update.classes = classes;
  const collectives = strings(data.collectives);
  if (collectives !== undefined) update.collectives = collectives;
  if (typeof data.version === "string") update.version = data.version;
  return update;
}

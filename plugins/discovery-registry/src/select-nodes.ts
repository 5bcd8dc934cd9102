import { checkFilter, type Filter } from "@phobos/core";
import { type RecordedNode, recordedNodeView } from "./node-view.js";
import { refuseDataFunctions } from "./refuse-data-functions.js";

export interface StoredNode extends RecordedNode {
  readonly collectives: readonly string[];
  readonly stale: boolean;
}

export interface Selection {
  /** Identities the filter selects, sorted. */
  identities: string[];
  /**
   * Why nodes could not be judged (a regex compared with a nested fact, …),
   * with how many: a daemon logs these and does not answer, so neither
   * are they selected here.
   */
  errors: Map<string, number>;
}

/**
 * The nodes of `nodes` that `filter` selects, judged by core's matcher (the
 * daemons' own) on each node's stored facts, classes, agents and identity.
 * The filter's `collective` (what the client targets) keeps nodes that are
 * not members out, as they would not hear a broadcast there; a node whose
 * collectives were never reported is kept. Stale nodes are left out unless
 * `includeStale`.
 */
export async function selectNodes(
  nodes: readonly StoredNode[],
  filter: Filter,
  options: { includeStale?: boolean } = {},
): Promise<Selection> {
  refuseDataFunctions(filter);
  const { collective, ...rest } = filter;
  const identities: string[] = [];
  const errors = new Map<string, number>();
  for (const node of nodes) {
    if (node.stale && !options.includeStale) continue;
    if (collective !== undefined && node.collectives.length > 0 && !node.collectives.includes(collective))
      continue;
    const verdict = await checkFilter(rest, recordedNodeView(node));
    if (verdict.error) errors.set(verdict.error.message, (errors.get(verdict.error.message) ?? 0) + 1);
    else if (verdict.matched) identities.push(node.identity);
  }
  identities.sort();
  return { identities, errors };
}

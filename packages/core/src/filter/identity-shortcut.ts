/**
 * SimpleRPC's `identity_filter_discovery_optimization`: with the `mc`
 * discovery method, `-I` entries that are all plain names are taken as the
 * discovered nodes without a discovery round (and requests may then go
 * direct). A `/regex/` entry disables it.
 */

import { compileRubyRegexp } from "@phobos/ruby";
import type { Filter } from "../message/filter.js";

function isRegexEntry(identity: string): boolean {
  return compileRubyRegexp("^/").test(identity);
}

/**
 * The node names to use instead of discovering, exactly as Ruby's client
 * decides (other filter entries do not matter to it), or undefined.
 */
export function identityDiscoveryShortcut(filter: Filter): string[] | undefined {
  if (filter.identity.length === 0 || filter.identity.some(isRegexEntry)) return undefined;
  return [...filter.identity];
}

/**
 * True for a filter of plain `-I` names only (agent entries allowed, since
 * SimpleRPC always adds its own): the nodes named are all there is to find.
 */
export function isIdentityOnlyFilter(filter: Filter): boolean {
  return (
    identityDiscoveryShortcut(filter) !== undefined &&
    filter.fact.length === 0 &&
    filter.cf_class.length === 0 &&
    filter.compound.length === 0
  );
}

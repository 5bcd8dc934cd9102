/**
 * Class, identity and agent entries of a filter (`-C`, `-I`, `-A`), judged
 * as `Util.has_cf_class?`, `has_identity?` and `has_agent?` judge them.
 */

import { rubyChomp } from "@phobos/ruby";
import type { NodeView } from "./node-view.js";
import { slashedRegexp } from "./ruby-pattern.js";

export async function hasClass(node: NodeView, klass: string): Promise<boolean> {
  // Compiled before the classes are read: a bad regex fails even on a node without classes.
  const pattern = slashedRegexp(klass);
  let lines: readonly string[];
  try {
    lines = await node.classes();
  } catch {
    // MCollective logs an unreadable classes file and treats it as empty.
    return false;
  }
  for (const line of lines) {
    const name = rubyChomp(line);
    if (pattern ? pattern.test(name) : name === klass) return true;
  }
  return false;
}

export function hasIdentity(identity: string, wanted: string): boolean {
  const pattern = slashedRegexp(wanted);
  return pattern ? pattern.test(identity) : identity === wanted;
}

export async function hasAgent(node: NodeView, agent: string): Promise<boolean> {
  const pattern = slashedRegexp(agent);
  const agents = await node.agents();
  return pattern ? agents.some((a) => pattern.test(a)) : agents.includes(agent);
}

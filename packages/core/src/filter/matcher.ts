/**
 * Does a request's filter select this node? `Security::Base#validate_filter?`
 * reproduced: an empty filter selects every node; otherwise every class,
 * agent, fact and compound entry must hold (AND), and of the identity
 * entries exactly one must match: two matching entries (`-I node1 -I
 * /node/`) select nothing, as in MCollective.
 */
import type { Filter } from "../message/filter.js";
import { evaluateCompound } from "./compound/evaluate.js";
import { FilterEvaluationError } from "./evaluation-errors.js";
import { hasFact } from "./fact-match.js";
import { hasAgent, hasClass, hasIdentity } from "./host-match.js";
import type { NodeView } from "./node-view.js";

export interface FilterVerdict {
  matched: boolean;
  /**
   * Why a Ruby daemon would have raised instead of answering (an invalid
   * regex, a `-S` stack that is no expression, a malformed entry …). The
   * request is not for this node either way; the daemon logs this.
   */
  error?: Error;
}

const FILTER_KEYS = ["fact", "cf_class", "agent", "identity", "compound"];

/** `Util.empty_filter?`: exactly the five empty lists, or nothing at all. A `collective` key makes it non-empty. */
function isRubyEmptyFilter(filter: Record<string, unknown>): boolean {
  const keys = Object.keys(filter).filter((k) => filter[k] !== undefined);
  if (keys.length === 0) return true;
  return (
    keys.length === FILTER_KEYS.length &&
    FILTER_KEYS.every((k) => Array.isArray(filter[k]) && (filter[k] as unknown[]).length === 0)
  );
}

function entries(value: unknown, key: string): unknown[] {
  if (!Array.isArray(value)) throw new FilterEvaluationError(`filter ${key} is not an Array`);
  return value;
}

function text(value: unknown, what: string): string {
  if (typeof value !== "string") throw new FilterEvaluationError(`${what} is not a String`);
  return value;
}

async function judge(filter: Record<string, unknown>, node: NodeView): Promise<boolean> {
  let passed = isRubyEmptyFilter(filter) ? 1 : 0;
  let failed = 0;
  const count = (ok: boolean): void => {
    if (ok) passed += 1;
    else failed += 1;
  };
  for (const key of Object.keys(filter)) {
    const value = filter[key];
    if (value === undefined) continue;
    // puppet_class is MCollective 1.x's name for cf_class; Ruby still honours it.
    if (/puppet_class|cf_class/.test(key)) {
      for (const klass of entries(value, key)) count(await hasClass(node, text(klass, "class filter")));
    } else if (key === "compound") {
      for (const expression of entries(value, key)) count(await evaluateCompound(expression as never, node));
    } else if (key === "agent") {
      for (const agent of entries(value, key)) {
        const name = text(agent, "agent filter");
        count((await hasAgent(node, name)) || name === "mcollective");
      }
    } else if (key === "fact") {
      for (const entry of entries(value, key)) {
        if (typeof entry !== "object" || entry === null)
          throw new FilterEvaluationError("fact filter is not a Hash");
        const { fact, value: wanted, operator } = entry as Record<string, unknown>;
        // A fact name that is not a String is a fact the node does not have.
        const actual = typeof fact === "string" ? await node.fact(fact) : undefined;
        count(
          actual !== undefined &&
            hasFact(actual, text(wanted, "fact filter value"), text(operator, "fact filter operator")),
        );
      }
    } else if (key === "identity") {
      const identities = entries(value, key);
      if (identities.length > 0) {
        const matching = identities.filter((i) => hasIdentity(node.identity, text(i, "identity filter")));
        count(matching.length === 1);
      }
    }
  }
  return failed === 0 && passed > 0;
}

/**
 * Judges `filter` on `node`. Never throws on hostile filter content: what
 * Ruby would raise on is a non-match carrying the reason in `error`.
 */
export async function checkFilter(filter: Filter, node: NodeView): Promise<FilterVerdict> {
  try {
    if (typeof filter !== "object" || filter === null)
      throw new FilterEvaluationError("filter is not a Hash");
    return { matched: await judge(filter as unknown as Record<string, unknown>, node) };
  } catch (e) {
    return { matched: false, error: e instanceof Error ? e : new FilterEvaluationError(String(e)) };
  }
}

/** True when `filter` selects `node`. */
export async function matchFilter(filter: Filter, node: NodeView): Promise<boolean> {
  return (await checkFilter(filter, node)).matched;
}

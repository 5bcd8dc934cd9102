/**
 * Whether a policy rule applies to a request on this node (ActionPolicy
 * #check_policy). Callers and actions are compared as words; facts and
 * classes are judged by core's filter engine against the node itself —
 * its facts, its classes file and its data plugins — exactly as a `-S`
 * filter on a request would be.
 */
import {
  type AgentServices,
  checkFilter,
  compileRubyRegexp,
  emptyFilter,
  type Filter,
  type NodeView,
  parseCompound,
  type RpcRequest,
} from "@phobos/core";
import { lookupFact } from "@phobos/server";
import type { Condition, PolicyRule } from "./policy-file.js";

/** The node as the daemon sees it, for the filter engine. */
export function nodeView(services: AgentServices): NodeView {
  return {
    identity: services.identity,
    fact: async (name) => lookupFact(await services.facts(), name),
    classes: () => services.classes(),
    agents: () => services.agents(),
    // Data plugin names are not case-sensitive (Data.pluginname), as on the daemon.
    data: async (name, argument) => {
      const source = name.toLowerCase();
      if (!services.dataSources().includes(`${source}_data`)) return undefined;
      return services.queryData(source, argument);
    },
  };
}

/** A caller in the rule's callers: `*`, the exact id, a `/regex/`, or a group that lists it. */
export function callerMatches(
  callers: "*" | string[],
  caller: string,
  groups: ReadonlyMap<string, readonly string[]>,
): boolean {
  if (callers === "*") return true;
  return callers.some((entry) => {
    if (entry === caller) return true;
    const regexp = /^\/(.*)\/$/.exec(entry);
    if (regexp) {
      try {
        return compileRubyRegexp(regexp[1] as string).test(caller);
      } catch {
        return false;
      }
    }
    return groups.get(entry)?.includes(caller) ?? false;
  });
}

export interface ConditionOutcome {
  matched: boolean;
  /** Why a filter could not be evaluated (a data plugin failed, a bad regex): the condition is then false. */
  error?: Error;
}

async function judge(filter: Filter, node: NodeView): Promise<ConditionOutcome> {
  const verdict = await checkFilter(filter, node);
  return verdict.error ? { matched: false, error: verdict.error } : { matched: verdict.matched };
}

/** A facts or classes column on this node. */
export async function conditionHolds(
  condition: Condition,
  column: "facts" | "classes",
  node: NodeView,
): Promise<ConditionOutcome> {
  if (condition.kind === "any") return { matched: true };
  if (condition.kind === "compound")
    return judge({ ...emptyFilter(), compound: [condition.expression] }, node);
  const filter =
    column === "classes"
      ? { ...emptyFilter(), cf_class: condition.items }
      : { ...emptyFilter(), compound: condition.items.map((item) => parseCompound(item)) };
  return judge(filter, node);
}

export interface RuleOutcome {
  applies: boolean;
  errors: Error[];
}

export async function ruleApplies(
  rule: PolicyRule,
  request: RpcRequest,
  groups: ReadonlyMap<string, readonly string[]>,
  node: NodeView,
): Promise<RuleOutcome> {
  if (!callerMatches(rule.callers, request.caller, groups)) return { applies: false, errors: [] };
  if (rule.actions !== "*" && !rule.actions.includes(request.action)) return { applies: false, errors: [] };
  const errors: Error[] = [];
  for (const [condition, column] of [
    [rule.facts, "facts"],
    [rule.classes, "classes"],
  ] as const) {
    const outcome = await conditionHolds(condition, column, node);
    if (outcome.error) errors.push(outcome.error);
    if (!outcome.matched) return { applies: false, errors };
  }
  return { applies: true, errors };
}

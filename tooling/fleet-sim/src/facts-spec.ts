/**
 * Facts distributions for simulated fleets: `os=debian:3,redhat:1;role=web,db`
 * gives three Debian nodes for every Red Hat one and alternates web and db.
 * Assignment is a pure function of (spec, node number), so a test can say in
 * advance exactly which nodes a filter must select.
 */

export interface FactChoice {
  readonly value: string;
  readonly weight: number;
}

export interface FactDistribution {
  readonly name: string;
  readonly choices: readonly FactChoice[];
  /** Sum of the weights. */
  readonly total: number;
  /** Where this fact's rotation starts, so two facts with equal totals do not move in lock-step. */
  readonly offset: number;
}

export type FactsSpec = readonly FactDistribution[];

export class FactsSpecError extends Error {
  constructor(spec: string, why: string) {
    super(
      `facts spec ${JSON.stringify(spec)}: ${why} (expected name=value[:weight],value[:weight];name=...)`,
    );
    this.name = "FactsSpecError";
  }
}

const NAME = /^[\w.-]+$/;

/** A small, stable string hash (FNV-1a): the per-fact offset must not change between runs. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function parseFactsSpec(spec: string): FactsSpec {
  const facts: FactDistribution[] = [];
  const seen = new Set<string>();
  for (const part of spec.split(";").map((p) => p.trim())) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) throw new FactsSpecError(spec, `"${part}" has no name=`);
    const name = part.slice(0, eq).trim();
    if (!NAME.test(name)) throw new FactsSpecError(spec, `"${name}" is not a fact name`);
    if (seen.has(name)) throw new FactsSpecError(spec, `fact "${name}" is given twice`);
    seen.add(name);
    const choices: FactChoice[] = [];
    for (const item of part.slice(eq + 1).split(",")) {
      const text = item.trim();
      if (text === "") throw new FactsSpecError(spec, `fact "${name}" has an empty value`);
      const colon = text.lastIndexOf(":");
      const weightText = colon > 0 ? text.slice(colon + 1) : "";
      const weighted = /^\d+$/.test(weightText);
      const weight = weighted ? Number(weightText) : 1;
      if (weighted && weight === 0) throw new FactsSpecError(spec, `"${text}" has weight 0`);
      choices.push({ value: weighted ? text.slice(0, colon) : text, weight });
    }
    const total = choices.reduce((sum, c) => sum + c.weight, 0);
    facts.push({ name, choices, total, offset: fnv1a(name) % total });
  }
  return facts;
}

/** The value of one distributed fact on node `n` (1-based). */
export function factValue(fact: FactDistribution, n: number): string {
  let slot = (n - 1 + fact.offset) % fact.total;
  for (const choice of fact.choices) {
    if (slot < choice.weight) return choice.value;
    slot -= choice.weight;
  }
  // Unreachable: slot < total and the weights add up to total.
  return (fact.choices[fact.choices.length - 1] as FactChoice).value;
}

/** Every fact of node `n`: the distributed ones plus `fleet_sim_node` (its number). */
export function factsFor(spec: FactsSpec, n: number): Record<string, string> {
  const facts: Record<string, string> = { fleet_sim_node: String(n) };
  for (const fact of spec) facts[fact.name] = factValue(fact, n);
  return facts;
}

/**
 * How a daemon holds and finds its facts, for the filter engine: the
 * daemon's facts cache and discovery over recorded facts (the registry)
 * both go through these, so `-F networking.ip=…` means the same on both.
 */
import { rubyToS } from "@phobos/ruby";
import type { Facts, FactValue } from "./fact-value.js";

/** MCollective's normalize_facts: keys and leaf values become Strings, structure stays. */
export function normalizeFacts(value: unknown): FactValue {
  if (Array.isArray(value)) return value.map(normalizeFacts);
  if (value instanceof Map || isPlainObject(value)) {
    const out: Record<string, FactValue> = {};
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    for (const [k, v] of entries) out[rubyToS(k)] = normalizeFacts(v);
    return out;
  }
  return rubyToS(value);
}

/** A Hash from YAML or JSON; a Ruby value object (a Float, a binary String) is a leaf. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A fact by name: the exact key first (MCollective's flat lookup), then a
 * dotted path into structured facts (`networking.ip`, `disks.0.size`).
 */
export function lookupFact(facts: Facts, name: string): FactValue | undefined {
  if (Object.hasOwn(facts, name)) return facts[name];
  if (!name.includes(".")) return undefined;
  let node: FactValue | undefined = facts;
  for (const part of name.split(".")) {
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
    else if (node !== null && typeof node === "object" && !Array.isArray(node) && Object.hasOwn(node, part)) {
      node = node[part];
    } else return undefined;
  }
  return node;
}

import { type FactValue, lookupFact } from "@phobos/core";
import { placeholders, type Row } from "./sql.js";

/**
 * Reading only some facts of every node: a fact filter over 10,000 nodes
 * then reads and parses a few `registry_facts` rows per node instead of
 * every fact set. A name is looked up as the daemons look it up (core's
 * lookupFact): the exact key first, then a dotted path into a structured
 * fact, so `os.family` needs the rows `os.family` and `os`.
 */
/** The top-level facts whose rows can answer `names`. */
export function rowNames(names: readonly string[]): string[] {
  const rows = new Set<string>();
  for (const name of names) {
    rows.add(name);
    const top = name.split(".")[0];
    if (name.includes(".") && top !== undefined) rows.add(top);
  }
  return [...rows];
}

/** The `registry_facts` rows that can answer `names`, read by its primary key (name, identity); none for no names. */
export function factRowsQuery(names: readonly string[]): { sql: string; params: string[] } | undefined {
  const wanted = rowNames(names);
  if (wanted.length === 0) return undefined;
  return {
    sql: `SELECT identity, name, value FROM registry_facts WHERE name IN (${placeholders(wanted.length)})`,
    params: wanted,
  };
}

/** Each node's facts named, from the rows read for them: those that exist, under the names asked for. */
export function factsByNode(
  rows: readonly Row[],
  names: readonly string[],
): Map<string, Record<string, FactValue>> {
  const found = new Map<string, Record<string, FactValue>>();
  for (const row of rows) {
    const identity = String(row.identity);
    let facts = found.get(identity);
    if (facts === undefined) {
      facts = {};
      found.set(identity, facts);
    }
    facts[String(row.name)] = JSON.parse(String(row.value)) as FactValue;
  }
  // A dotted name was answered by its top-level row: keep only what was asked for, as core looks it up.
  for (const [identity, rowsOfNode] of found) {
    const facts: Record<string, FactValue> = {};
    for (const name of names) {
      const value = lookupFact(rowsOfNode, name);
      if (value !== undefined) facts[name] = value;
    }
    found.set(identity, facts);
  }
  return found;
}

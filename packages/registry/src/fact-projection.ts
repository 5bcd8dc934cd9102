import { type FactValue, lookupFact } from "@phobos/core";
import { placeholders } from "./sql.js";

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

/**
 * The `registry_facts` rows that can answer `names`, read by the primary
 * key (name, identity), as one JSON array of [identity, name, value]
 * (`AS list`); none for no names.
 */
export function factRowsQuery(
  names: readonly string[],
  dialect: "sqlite" | "postgres",
): { sql: string; params: string[] } | undefined {
  const wanted = rowNames(names);
  if (wanted.length === 0) return undefined;
  const where = `WHERE name IN (${placeholders(wanted.length)})`;
  const sql =
    dialect === "sqlite"
      ? `SELECT json_group_array(json_array(identity, name, json(value))) AS list FROM registry_facts ${where}`
      : `SELECT json_agg(json_build_array(identity, name, value::json))::text AS list FROM registry_facts ${where}`;
  return { sql, params: wanted };
}

/** Each node's facts named, from the rows read for them: those that exist, under the names asked for. */
export function factsByNode(
  rows: readonly unknown[][],
  names: readonly string[],
): Map<string, Record<string, FactValue>> {
  const found = new Map<string, Record<string, FactValue>>();
  for (const [identity, name, value] of rows as [string, string, FactValue][]) {
    let facts = found.get(identity);
    if (facts === undefined) {
      facts = {};
      found.set(identity, facts);
    }
    facts[name] = value;
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

import { type FactValue, lookupFact } from "@phobos/core";
import { placeholders } from "./sql.js";

/**
 * Reading only some facts of every node: a fact filter over 10,000 nodes
 * then reads and parses a few `registry_facts` rows per node instead of
 * every fact set. A name is looked up as the daemons look it up (core's
 * lookupFact): the exact key first, then a dotted path into a structured
 * fact, so `os.family` needs the rows `os.family` and `os`.
 */
export interface FactsColumn {
  /** A SELECT expression giving the node's wanted rows as one JSON object, `AS facts`. */
  sql: string;
  params: string[];
}

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

/** A correlated subquery on `registry_facts`' primary key (identity, name): two index probes a node for two facts. */
export function factsColumn(names: readonly string[], dialect: "sqlite" | "postgres"): FactsColumn {
  const wanted = rowNames(names);
  if (wanted.length === 0) return { sql: "'{}' AS facts", params: [] };
  const where = `f.identity = registry_nodes.identity AND f.name IN (${placeholders(wanted.length)})`;
  const sql =
    dialect === "sqlite"
      ? `(SELECT json_group_object(f.name, json(f.value)) FROM registry_facts f WHERE ${where}) AS facts`
      : `(SELECT json_object_agg(f.name, f.value::json) FROM registry_facts f WHERE ${where})::text AS facts`;
  return { sql, params: wanted };
}

/** The facts named, from the rows read for them: those that exist, under the names asked for. */
export function factsFromColumn(column: unknown, names: readonly string[]): Record<string, FactValue> {
  // No rows: SQLite aggregates to `{}`, PostgreSQL to NULL.
  if (column === null || column === undefined) return {};
  const rows = JSON.parse(String(column)) as Record<string, FactValue>;
  const facts: Record<string, FactValue> = {};
  for (const name of names) {
    const value = lookupFact(rows, name);
    if (value !== undefined) facts[name] = value;
  }
  return facts;
}

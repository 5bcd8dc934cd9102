import type { FactValue } from "@phobos/core";

/**
 * Reading only some facts of every node, in SQL: a fact filter over 10,000
 * nodes then parses a few values per node instead of every fact set. A
 * name is looked up as MCollective does: the exact key first, then as a
 * dotted path into structured facts (`os.family`, `disks.0.size`).
 */
export interface FactColumns {
  /** SELECT expressions, two per fact (exact key, dotted path). */
  sql: string[];
  params: unknown[];
}

/** Names a JSON path can hold; others make the read fall back to whole fact sets. */
export function projectable(names: readonly string[]): boolean {
  return names.every((name) => name !== "" && !/["\\]/.test(name));
}

export function factColumns(names: readonly string[], dialect: "sqlite" | "postgres"): FactColumns {
  const sql: string[] = [];
  const params: unknown[] = [];
  // Each lookup parses the row's fact text again: a plain name (no dot) is looked up once.
  names.forEach((name, i) => {
    const segments = name.split(".");
    if (dialect === "sqlite") {
      sql.push(`facts -> ? AS fact_${i}_key`);
      params.push(`$."${name}"`);
      if (segments.length > 1) {
        sql.push(`facts -> ? AS fact_${i}_path`);
        params.push(`$${segments.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `."${s}"`)).join("")}`);
      }
    } else {
      // `facts_json` is the row's facts cast once (see FACTS_LATERAL).
      sql.push(`(facts_json -> ?)::text AS fact_${i}_key`);
      params.push(name);
      if (segments.length > 1) {
        sql.push(`(facts_json #> ?::text[])::text AS fact_${i}_path`);
        params.push(segments);
      }
    }
  });
  return { sql, params };
}

/** PostgreSQL: the facts text cast to json once per row, for every lookup of the row. */
export const FACTS_LATERAL = ", LATERAL (SELECT facts::json AS facts_json) AS cast_facts";

/** The projected facts of one row: what was found, under the names asked for. */
export function factsFromColumns(
  row: Record<string, unknown>,
  names: readonly string[],
): Record<string, FactValue> {
  const facts: Record<string, FactValue> = {};
  names.forEach((name, i) => {
    const exact = columnValue(row[`fact_${i}_key`]);
    const value = exact !== undefined ? exact : columnValue(row[`fact_${i}_path`]);
    if (value !== undefined) facts[name] = value;
  });
  return facts;
}

/** Both databases give the value as JSON text; SQL NULL means no such fact (a JSON null is `"null"`). */
function columnValue(value: unknown): FactValue | undefined {
  if (value === null || value === undefined) return undefined;
  return JSON.parse(String(value)) as FactValue;
}

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
  names.forEach((name, i) => {
    const segments = name.split(".");
    if (dialect === "sqlite") {
      sql.push(`facts -> ? AS fact_${i}_key`, `facts -> ? AS fact_${i}_path`);
      const path = segments.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `."${s}"`)).join("");
      params.push(`$."${name}"`, `$${path}`);
    } else {
      sql.push(
        `(facts::json -> ?)::text AS fact_${i}_key`,
        `(facts::json #> ?::text[])::text AS fact_${i}_path`,
      );
      params.push(name, segments);
    }
  });
  return { sql, params };
}

/** The projected facts of one row: what was found, under the names asked for. */
export function factsFromColumns(
  row: Record<string, unknown>,
  names: readonly string[],
): Record<string, FactValue> {
  const facts: Record<string, FactValue> = {};
  names.forEach((name, i) => {
    const value = columnValue(row[`fact_${i}_key`]) ?? columnValue(row[`fact_${i}_path`]);
    if (value !== undefined) facts[name] = value;
  });
  return facts;
}

/** Both databases give the value as JSON text; SQL NULL means no such fact (a JSON null is `"null"`). */
function columnValue(value: unknown): FactValue | undefined {
  if (value === null || value === undefined) return undefined;
  return JSON.parse(String(value)) as FactValue;
}

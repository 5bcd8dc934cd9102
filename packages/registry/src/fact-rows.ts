import type { FactValue } from "@phobos/core";
import type { SqlSession } from "./sql.js";

/**
 * A node's facts are kept twice: whole in `registry_fact_sets` (JSON text,
 * in the order they came, for `node()` and `nodes()`), and one row per
 * top-level fact in `registry_facts`, so a fact filter reads the few rows
 * it names instead of parsing every node's whole fact set. Both are written
 * in the transaction that writes the node row, and only for nodes whose
 * update carried facts.
 */
export interface FactsChange {
  identity: string;
  /** What is stored now (none for a new node). */
  before: Record<string, FactValue> | undefined;
  facts: Record<string, FactValue>;
}

/** Nodes per statement when filling the table from the stored fact sets. */
const BACKFILL_PAGE = 1000;

/**
 * Stores the new fact sets of `changes` and brings their rows in line:
 * only the facts that changed, appeared or went are written, so a meta
 * registration whose `uptime` moved rewrites one row, not forty.
 */
export async function writeFacts(
  session: SqlSession,
  dialect: "sqlite" | "postgres",
  changes: readonly FactsChange[],
): Promise<void> {
  if (changes.length === 0) return;
  const sets = changes.map((c) => [c.identity, JSON.stringify(c.facts)]);
  const upserts: string[][] = [];
  const deletes: string[][] = [];
  for (const change of changes) {
    const before = new Map(Object.entries(change.before ?? {}).map(([name, v]) => [name, jsonOf(v)]));
    for (const [name, value] of Object.entries(change.facts)) {
      const json = jsonOf(value);
      if (json === undefined || before.get(name) === json) continue;
      upserts.push([change.identity, name, json]);
    }
    for (const [name, json] of before) {
      if (json !== undefined && jsonOf(change.facts[name]) === undefined)
        deletes.push([change.identity, name]);
    }
  }
  // Whole arrays as one parameter: a batch of 500 nodes with 100 facts is past both databases' parameter limits.
  if (dialect === "sqlite") {
    await session.run(
      `INSERT INTO registry_fact_sets (identity, facts) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true
       ON CONFLICT (identity) DO UPDATE SET facts = excluded.facts`,
      [JSON.stringify(sets)],
    );
    if (deletes.length > 0)
      await session.run(
        "DELETE FROM registry_facts WHERE (identity, name) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))",
        [JSON.stringify(deletes)],
      );
    if (upserts.length > 0)
      await session.run(
        `INSERT INTO registry_facts (identity, name, value) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) WHERE true
         ON CONFLICT (name, identity) DO UPDATE SET value = excluded.value`,
        [JSON.stringify(upserts)],
      );
  } else {
    await session.run(
      `INSERT INTO registry_fact_sets (identity, facts) SELECT * FROM unnest(?::text[], ?::text[])
       ON CONFLICT (identity) DO UPDATE SET facts = excluded.facts`,
      columns(sets, 2),
    );
    if (deletes.length > 0)
      await session.run(
        `DELETE FROM registry_facts f USING unnest(?::text[], ?::text[]) AS gone (identity, name)
         WHERE f.identity = gone.identity AND f.name = gone.name`,
        columns(deletes, 2),
      );
    if (upserts.length > 0)
      await session.run(
        `INSERT INTO registry_facts (identity, name, value) SELECT * FROM unnest(?::text[], ?::text[], ?::text[])
         ON CONFLICT (name, identity) DO UPDATE SET value = excluded.value`,
        columns(upserts, 3),
      );
  }
}

/** A fact's JSON text; none for what JSON cannot hold (the whole fact set drops it too). */
function jsonOf(value: FactValue | undefined): string | undefined {
  return value === undefined ? undefined : (JSON.stringify(value) as string | undefined);
}

function columns(rows: readonly string[][], count: number): string[][] {
  return Array.from({ length: count }, (_, i) => rows.map((row) => row[i] as string));
}

/** Fills `registry_facts` from the fact sets stored before it existed (schema version 2). */
export async function backfillFacts(session: SqlSession, dialect: "sqlite" | "postgres"): Promise<void> {
  let after = "";
  for (;;) {
    const page = await session.all(
      "SELECT identity, facts FROM registry_fact_sets WHERE identity > ? ORDER BY identity LIMIT ?",
      [after, BACKFILL_PAGE],
    );
    if (page.length === 0) return;
    await writeFacts(
      session,
      dialect,
      page.map((row) => ({
        identity: String(row.identity),
        before: undefined,
        facts: JSON.parse(String(row.facts)) as Record<string, FactValue>,
      })),
    );
    after = String(page[page.length - 1]?.identity);
  }
}

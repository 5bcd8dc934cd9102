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
export interface NodeFacts {
  identity: string;
  facts: Record<string, FactValue>;
}

/** Nodes per statement when filling the table from the stored fact sets. */
const BACKFILL_PAGE = 1000;

/** Replaces the facts of `nodes` with their `facts`; other nodes' are left alone. */
export async function replaceFacts(
  session: SqlSession,
  dialect: "sqlite" | "postgres",
  nodes: readonly NodeFacts[],
): Promise<void> {
  if (nodes.length === 0) return;
  const identities = nodes.map((n) => n.identity);
  const rows: [string, string, string][] = [];
  for (const node of nodes) {
    for (const [name, value] of Object.entries(node.facts)) {
      // JSON.stringify drops what JSON cannot hold: the whole fact set (registry_nodes.facts) drops it too.
      const json = JSON.stringify(value) as string | undefined;
      if (json !== undefined) rows.push([node.identity, name, json]);
    }
  }
  const sets = nodes.map((n) => [n.identity, JSON.stringify(n.facts)]);
  // Whole arrays as one parameter: a batch of 500 nodes with 100 facts is past both databases' parameter limits.
  if (dialect === "sqlite") {
    await session.run(
      `INSERT INTO registry_fact_sets (identity, facts) SELECT value ->> 0, value ->> 1 FROM json_each(?) WHERE true
       ON CONFLICT (identity) DO UPDATE SET facts = excluded.facts`,
      [JSON.stringify(sets)],
    );
    await session.run("DELETE FROM registry_facts WHERE identity IN (SELECT value FROM json_each(?))", [
      JSON.stringify(identities),
    ]);
    if (rows.length === 0) return;
    await session.run(
      "INSERT INTO registry_facts (identity, name, value) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)",
      [JSON.stringify(rows)],
    );
  } else {
    await session.run(
      `INSERT INTO registry_fact_sets (identity, facts) SELECT * FROM unnest(?::text[], ?::text[])
       ON CONFLICT (identity) DO UPDATE SET facts = excluded.facts`,
      [sets.map((r) => r[0]), sets.map((r) => r[1])],
    );
    await session.run("DELETE FROM registry_facts WHERE identity = ANY (?::text[])", [identities]);
    if (rows.length === 0) return;
    await session.run(
      "INSERT INTO registry_facts (identity, name, value) SELECT * FROM unnest(?::text[], ?::text[], ?::text[])",
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
    );
  }
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
    await replaceFacts(
      session,
      dialect,
      page.map((row) => ({
        identity: String(row.identity),
        facts: JSON.parse(String(row.facts)) as Record<string, FactValue>,
      })),
    );
    after = String(page[page.length - 1]?.identity);
  }
}

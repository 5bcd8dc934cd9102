import type { FactValue } from "@phobos/core";
import { factRowsQuery, factsByNode } from "./fact-projection.js";
import type { HistoryRow, StoredNode } from "./pending.js";
import { placeholders, type Row, type SqlDatabase, type SqlSession, valuesList } from "./sql.js";
import type { RegistrySource } from "./types.js";

const NODE_COLUMNS = [
  "identity",
  "collectives",
  "agents",
  "classes",
  "version",
  "source",
  "first_seen",
  "last_seen",
  "registrations",
] as const;
/** A node row with its whole fact set (none stored: `{}`). */
const SELECT_NODE = `SELECT ${NODE_COLUMNS.map((c) => `n.${c}`).join(", ")}, COALESCE(s.facts, '{}') AS facts
  FROM registry_nodes n LEFT JOIN registry_fact_sets s ON s.identity = n.identity`;

export function nodeFromRow(row: Record<string, unknown>, facts?: Record<string, FactValue>): StoredNode {
  return {
    identity: String(row.identity),
    collectives: JSON.parse(String(row.collectives)) as string[],
    agents: JSON.parse(String(row.agents)) as string[],
    facts: facts ?? (JSON.parse(String(row.facts)) as Record<string, FactValue>),
    classes: JSON.parse(String(row.classes)) as string[],
    version: row.version === null || row.version === undefined ? null : String(row.version),
    source: String(row.source) as RegistrySource,
    firstSeen: Number(row.first_seen),
    lastSeen: Number(row.last_seen),
    registrations: Number(row.registrations),
  };
}

export async function selectNodes(
  db: SqlDatabase,
  seenSince: number,
  facts?: readonly string[],
): Promise<StoredNode[]> {
  if (facts === undefined) {
    const rows = await db.all(`${SELECT_NODE} WHERE n.last_seen >= ? ORDER BY n.identity`, [seenSince]);
    return rows.map((row) => nodeFromRow(row));
  }
  const nodesQuery = nodeListQuery(db.dialect, seenSince);
  const factsQuery = factRowsQuery(facts, db.dialect);
  // One snapshot: a write between the two reads must not pair a node with another version's facts.
  const [nodeRows, factRows] =
    factsQuery === undefined
      ? [await db.all(nodesQuery.sql, nodesQuery.params)]
      : await db.snapshot([nodesQuery, factsQuery]);
  const found = factsByNode(jsonList(factRows), facts);
  return jsonList(nodeRows).map((node) => nodeFromTuple(node as NodeTuple, found.get(String(node[0])) ?? {}));
}

/** identity, collectives, agents, classes, version, source, first_seen, last_seen, registrations */
type NodeTuple = [
  string,
  string[],
  string[],
  string[],
  string | null,
  RegistrySource,
  number,
  number,
  number,
];

/**
 * Every node row (its fact set aside) as one JSON array of arrays: one
 * JSON.parse of it costs a fraction of building 10,000 row objects and
 * parsing three JSON columns of each.
 */
function nodeListQuery(dialect: "sqlite" | "postgres", seenSince: number) {
  const sql =
    dialect === "sqlite"
      ? `SELECT json_group_array(json_array(identity, json(collectives), json(agents), json(classes), version, source, first_seen, last_seen, registrations) ORDER BY identity) AS list
         FROM registry_nodes WHERE last_seen >= ?`
      : `SELECT json_agg(json_build_array(identity, collectives::json, agents::json, classes::json, version, source, first_seen, last_seen, registrations) ORDER BY identity)::text AS list
         FROM registry_nodes WHERE last_seen >= ?`;
  return { sql, params: [seenSince] };
}

/** The array a `… AS list` aggregate gave (PostgreSQL's is NULL over no rows). */
function jsonList(rows: readonly Row[] | undefined): unknown[][] {
  const list = rows?.[0]?.list;
  return list === null || list === undefined ? [] : (JSON.parse(String(list)) as unknown[][]);
}

function nodeFromTuple(t: NodeTuple, facts: Record<string, FactValue>): StoredNode {
  return {
    identity: t[0],
    collectives: t[1],
    agents: t[2],
    facts,
    classes: t[3],
    version: t[4],
    source: t[5],
    firstSeen: Number(t[6]),
    lastSeen: Number(t[7]),
    registrations: Number(t[8]),
  };
}

export async function selectNode(session: SqlSession, identity: string, seenSince: number) {
  const rows = await session.all(`${SELECT_NODE} WHERE n.identity = ? AND n.last_seen >= ?`, [
    identity,
    seenSince,
  ]);
  return rows[0] === undefined ? undefined : nodeFromRow(rows[0]);
}

/** The stored rows of `identities`, locked for the batch's transaction where the database can. */
export async function selectForUpdate(
  session: SqlSession,
  identities: readonly string[],
  dialect: "sqlite" | "postgres",
): Promise<Map<string, StoredNode>> {
  const lock = dialect === "postgres" ? " ORDER BY n.identity FOR UPDATE OF n" : "";
  const rows = await session.all(
    `${SELECT_NODE} WHERE n.identity IN (${placeholders(identities.length)})${lock}`,
    identities,
  );
  return new Map(rows.map((row) => [String(row.identity), nodeFromRow(row)]));
}

export async function upsertNodes(session: SqlSession, nodes: readonly StoredNode[]): Promise<void> {
  if (nodes.length === 0) return;
  const params = nodes.flatMap((n) => [
    n.identity,
    JSON.stringify(n.collectives),
    JSON.stringify(n.agents),
    JSON.stringify(n.classes),
    n.version,
    n.source,
    n.firstSeen,
    n.lastSeen,
    n.registrations,
  ]);
  const updates = NODE_COLUMNS.filter((c) => c !== "identity").map((c) => `${c} = excluded.${c}`);
  await session.run(
    `INSERT INTO registry_nodes (${NODE_COLUMNS.join(", ")}) VALUES ${valuesList(nodes.length, NODE_COLUMNS.length)}
     ON CONFLICT (identity) DO UPDATE SET ${updates.join(", ")}`,
    params,
  );
}

export async function upsertHistory(session: SqlSession, rows: readonly HistoryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const params = rows.flatMap((r) => [r.identity, r.slot, r.seenAt, r.source, r.collective]);
  await session.run(
    `INSERT INTO registry_history (identity, slot, seen_at, source, collective) VALUES ${valuesList(rows.length, 5)}
     ON CONFLICT (identity, slot) DO UPDATE SET seen_at = excluded.seen_at, source = excluded.source, collective = excluded.collective`,
    params,
  );
}

export async function selectHistory(session: SqlSession, identity: string) {
  const rows = await session.all(
    "SELECT seen_at, source, collective FROM registry_history WHERE identity = ? ORDER BY seen_at DESC, slot DESC",
    [identity],
  );
  return rows.map((r) => ({
    seenAt: Number(r.seen_at),
    source: String(r.source) as RegistrySource,
    collective: r.collective === null || r.collective === undefined ? undefined : String(r.collective),
  }));
}

/** Deletes nodes last seen before `before`, their history and facts; resolves to how many nodes. */
export async function deleteExpired(session: SqlSession, before: number): Promise<number> {
  for (const table of ["registry_history", "registry_facts", "registry_fact_sets"]) {
    await session.run(
      `DELETE FROM ${table} WHERE identity IN (SELECT identity FROM registry_nodes WHERE last_seen < ?)`,
      [before],
    );
  }
  return session.run("DELETE FROM registry_nodes WHERE last_seen < ?", [before]);
}

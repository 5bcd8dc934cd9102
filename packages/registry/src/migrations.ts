import { RegistryError } from "./errors.js";
import { backfillFacts } from "./fact-rows.js";
import type { SqlDatabase, SqlSession } from "./sql.js";

/**
 * The registry's schema, one list for SQLite and PostgreSQL (TEXT holds
 * JSON, BIGINT epoch milliseconds). A migration is never edited once
 * released: a change is a new entry. `registry_migrations` records what
 * was applied, so applying twice is a no-op and a database migrated by a
 * newer Phobos is refused instead of misread.
 */
export interface Migration {
  version: number;
  description: string;
  /** Run in order; a pair is the same step in each database's words. */
  statements: readonly (string | { sqlite: string; postgres: string })[];
  /** Run after the statements, in the same transaction: fills what SQL alone cannot portably. */
  apply?: (session: SqlSession, dialect: SqlDatabase["dialect"]) => Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "nodes and their bounded registration history",
    statements: [
      `CREATE TABLE registry_nodes (
        identity TEXT PRIMARY KEY,
        collectives TEXT NOT NULL,
        agents TEXT NOT NULL,
        facts TEXT NOT NULL,
        classes TEXT NOT NULL,
        version TEXT,
        source TEXT NOT NULL,
        first_seen BIGINT NOT NULL,
        last_seen BIGINT NOT NULL,
        registrations BIGINT NOT NULL
      )`,
      "CREATE INDEX registry_nodes_last_seen ON registry_nodes (last_seen)",
      // A ring per node: registration n goes to slot n % history, so the table never outgrows nodes × history.
      `CREATE TABLE registry_history (
        identity TEXT NOT NULL,
        slot INTEGER NOT NULL,
        seen_at BIGINT NOT NULL,
        source TEXT NOT NULL,
        collective TEXT,
        PRIMARY KEY (identity, slot)
      )`,
    ],
  },
  {
    version: 2,
    description: "facts one row per node and name, for fact filters; whole fact sets in their own table",
    statements: [
      // Keyed by name first: a fact filter reads a contiguous range per name, values included.
      {
        sqlite: `CREATE TABLE registry_facts (
          identity TEXT NOT NULL,
          name TEXT NOT NULL,
          value TEXT NOT NULL,
          PRIMARY KEY (name, identity)
        ) WITHOUT ROWID`,
        postgres: `CREATE TABLE registry_facts (
          identity TEXT NOT NULL,
          name TEXT NOT NULL,
          value TEXT NOT NULL,
          PRIMARY KEY (name, identity)
        )`,
      },
      "CREATE INDEX registry_facts_identity ON registry_facts (identity)",
      // Out of registry_nodes: a SQLite row holding 2 KB of facts spills to overflow pages that every scan walks.
      "CREATE TABLE registry_fact_sets (identity TEXT PRIMARY KEY, facts TEXT NOT NULL)",
      "INSERT INTO registry_fact_sets (identity, facts) SELECT identity, facts FROM registry_nodes WHERE facts <> '{}'",
      "ALTER TABLE registry_nodes DROP COLUMN facts",
    ],
    apply: (session, dialect) => backfillFacts(session, dialect),
  },
  {
    version: 3,
    description: "requests sent from the web console: who, what, filter, when, and each reply",
    statements: [
      `CREATE TABLE registry_requests (
        id TEXT PRIMARY KEY,
        caller TEXT NOT NULL,
        agent TEXT NOT NULL,
        action TEXT NOT NULL,
        inputs TEXT NOT NULL,
        filter TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        finished_at BIGINT,
        status TEXT NOT NULL,
        discovered INTEGER NOT NULL,
        responses INTEGER NOT NULL,
        okcount INTEGER NOT NULL,
        failcount INTEGER NOT NULL,
        noresponsefrom TEXT NOT NULL
      )`,
      "CREATE INDEX registry_requests_started ON registry_requests (started_at)",
      `CREATE TABLE registry_request_replies (
        request_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        sender TEXT NOT NULL,
        statuscode INTEGER NOT NULL,
        statusmsg TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (request_id, seq)
      )`,
    ],
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS registry_migrations (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/** Brings the schema up to {@link SCHEMA_VERSION}; resolves to the versions applied now. */
export async function migrate(
  db: SqlDatabase,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => number = Date.now,
): Promise<number[]> {
  const known = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  return db.transaction(async (session) => {
    if (db.dialect === "postgres") {
      // Two receivers starting at once on one database: the second waits, then finds nothing to do.
      await session.all("SELECT pg_advisory_xact_lock(7340243)");
    }
    await session.run(CREATE_MIGRATIONS_TABLE);
    const current = await appliedVersion(session);
    refuseNewer(db, current, known);
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements)
        await session.run(typeof statement === "string" ? statement : statement[db.dialect]);
      await migration.apply?.(session, db.dialect);
      await session.run(
        "INSERT INTO registry_migrations (version, description, applied_at) VALUES (?, ?, ?)",
        [migration.version, migration.description, now()],
      );
      applied.push(migration.version);
    }
    return applied;
  });
}

/** For readers, which never migrate: the schema must be there and not newer than this code. */
export async function checkSchema(db: SqlDatabase, known: number = SCHEMA_VERSION): Promise<void> {
  let current: number;
  try {
    current = await appliedVersion(db);
  } catch (cause) {
    // Only a missing table means "not a registry"; a refused connection or a
    // denied login must say so, not send the operator to the wrong database.
    if (!/no such table|does not exist/i.test((cause as Error)?.message ?? "")) {
      throw new RegistryError(`Cannot read ${db.describe()}: ${(cause as Error)?.message ?? String(cause)}`, {
        cause,
      });
    }
    throw new RegistryError(
      `${db.describe()} holds no registry (no registry_migrations table): point this at the database the registration agent writes`,
      { cause },
    );
  }
  refuseNewer(db, current, known);
  if (current < known) {
    throw new RegistryError(
      `${db.describe()} has registry schema version ${current}, this Phobos reads ${known}: restart the registration agent (it migrates) or upgrade it`,
    );
  }
}

async function appliedVersion(session: SqlSession): Promise<number> {
  const rows = await session.all("SELECT MAX(version) AS version FROM registry_migrations");
  const version = rows[0]?.version;
  return version === null || version === undefined ? 0 : Number(version);
}

function refuseNewer(db: SqlDatabase, current: number, known: number): void {
  if (current > known) {
    throw new RegistryError(
      `${db.describe()} has registry schema version ${current}, newer than the ${known} this Phobos knows: upgrade Phobos (a newer one migrated it), or point it at another database`,
    );
  }
}

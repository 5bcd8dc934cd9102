import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A throw-away registry database for tests: a SQLite file in a temp
 * directory, or a fresh PostgreSQL database on the server that
 * `PHOBOS_TEST_POSTGRES` names (the machine's own by default), dropped by
 * `drop()`. `block()`/`unblock()` make the PostgreSQL one refuse and then
 * accept connections again, ending the open ones: a database that went down.
 */
export interface TestDatabase {
  kind: "sqlite" | "postgres";
  /** What `plugin.<name>.database` is set to. */
  database: string;
  block(): Promise<void>;
  unblock(): Promise<void>;
  /** Runs SQL on the test database outside the store (to plant a newer schema, say). */
  sql(text: string): Promise<void>;
  drop(): Promise<void>;
}

export const TEST_POSTGRES =
  process.env.PHOBOS_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/postgres";

export async function createTestDatabase(
  kind: "sqlite" | "postgres",
  prefix = "registry-",
): Promise<TestDatabase> {
  return kind === "sqlite" ? createSqlite(prefix) : createPostgres();
}

async function createSqlite(prefix: string): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, "registry.db");
  return {
    kind: "sqlite",
    database: file,
    block: () => Promise.reject(new Error("a SQLite file cannot go down: use max_size for a full one")),
    unblock: () => Promise.resolve(),
    async sql(text) {
      const { default: Database } = await import("better-sqlite3");
      const db = new Database(file);
      try {
        db.exec(text);
      } finally {
        db.close();
      }
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>, url = TEST_POSTGRES): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function createPostgres(): Promise<TestDatabase> {
  const name = `registry_h2_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_POSTGRES);
  url.pathname = `/${name}`;
  const terminate = (c: pg.Client) =>
    c.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [name],
    );
  return {
    kind: "postgres",
    database: url.toString(),
    async block() {
      await admin(async (c) => {
        await c.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
        await terminate(c);
      });
    },
    async unblock() {
      await admin((c) => c.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`));
    },
    async sql(text) {
      await admin((c) => c.query(text), url.toString());
    },
    async drop() {
      await admin(async (c) => {
        await c.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
        await terminate(c);
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      });
    },
  };
}

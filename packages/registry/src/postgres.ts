import pg from "pg";
import { messageOf } from "./errors.js";
import { redact } from "./settings.js";
import type { Row, SqlDatabase, SqlSession } from "./sql.js";
import type { ThrottledLog } from "./throttled-log.js";

/** `?` → `$1, $2, …`: the registry's SQL has no `?` inside literals. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * A site's registry in PostgreSQL. A small pool: the receiver writes one
 * batch at a time, readers (discovery, `mco registry`) come and go. A
 * connection the server drops is replaced on the next query.
 */
export function openPostgres(url: string, throttled: ThrottledLog): SqlDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  const where = redact(url);
  // An idle connection the server ends emits here; unhandled, it would end the process.
  pool.on("error", (error) => {
    throttled.log(
      "warn",
      `pg-idle:${(error as { code?: string }).code ?? error.name}`,
      `registry ${where}: lost an idle connection: ${messageOf(error)}`,
    );
  });
  const on = (client: pg.Pool | pg.PoolClient): SqlSession => ({
    async all(sql, params = []) {
      return (await client.query(numbered(sql), params as unknown[])).rows as Row[];
    },
    async run(sql, params = []) {
      return (await client.query(numbered(sql), params as unknown[])).rowCount ?? 0;
    },
  });
  return {
    dialect: "postgres",
    ...on(pool),
    async transaction(fn) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query("BEGIN");
        const result = await fn(on(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch {
          broken = true;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async snapshot(queries) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        const results: Row[][] = [];
        for (const q of queries)
          results.push((await client.query(numbered(q.sql), [...(q.params ?? [])])).rows as Row[]);
        await client.query("COMMIT");
        return results;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      await pool.end();
    },
    describe: () => where,
  };
}

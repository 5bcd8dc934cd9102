import { existsSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { RegistryError } from "./errors.js";
import type { Row, SqlDatabase, SqlSession } from "./sql.js";

/**
 * The embedded registry: one SQLite file in WAL mode (readers never wait
 * for the receiver's writes). better-sqlite3 is synchronous; a batch of a
 * few hundred rows is a few milliseconds on the event loop.
 */
export function openSqlite(path: string, options: { readOnly: boolean; maxSize: number }): SqlDatabase {
  if (path !== ":memory:" && !existsSync(dirname(path))) {
    throw new RegistryError(
      `cannot open the SQLite registry ${path}: the directory ${dirname(path)} does not exist`,
    );
  }
  if (options.readOnly && path !== ":memory:" && !existsSync(path)) {
    throw new RegistryError(
      `no registry at ${path}: it is created by the registration agent (plugin.registration.database) on the node that receives registrations`,
    );
  }
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: options.readOnly, fileMustExist: options.readOnly });
    db.pragma("busy_timeout = 5000");
    if (!options.readOnly) {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      if (options.maxSize > 0) {
        const pageSize = Number(db.pragma("page_size", { simple: true }));
        db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxSize / pageSize))}`);
      }
    }
  } catch (cause) {
    throw new RegistryError(`cannot open the SQLite registry ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      // Multi-row statements differ by row count; keep the cache from growing without end.
      if (statements.size > 200) statements.clear();
      statements.set(sql, statement);
    }
    return statement;
  };
  const session: SqlSession = {
    async all(sql, params = []) {
      return prepare(sql).all(...params) as Row[];
    },
    async run(sql, params = []) {
      return prepare(sql).run(...params).changes;
    },
  };
  let inTransaction = false;
  return {
    dialect: "sqlite",
    ...session,
    async transaction(fn) {
      if (inTransaction)
        throw new RegistryError("a registry transaction is already open (the store serialises them)");
      inTransaction = true;
      db.exec("BEGIN IMMEDIATE");
      try {
        const result = await fn(session);
        db.exec("COMMIT");
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw error;
      } finally {
        inTransaction = false;
      }
    },
    async snapshot(queries) {
      // Synchronous from BEGIN to COMMIT: nothing of this process can interleave; inside a write, it is that write's view.
      const read = () => queries.map((q) => prepare(q.sql).all(...(q.params ?? [])) as Row[]);
      return db.inTransaction ? read() : db.transaction(read).deferred();
    },
    async close() {
      db.close();
    },
    describe: () => `sqlite:${path}`,
  };
}

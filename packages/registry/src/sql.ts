/**
 * The little SQL both databases share: `?` placeholders (turned into `$n`
 * for PostgreSQL), multi-row `INSERT … ON CONFLICT`, one transaction per
 * batch. Rows come back as plain objects; BIGINT columns may be strings.
 */
export type Row = Record<string, unknown>;

export interface SqlSession {
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Resolves to the number of rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface SqlDatabase extends SqlSession {
  readonly dialect: "sqlite" | "postgres";
  /** Runs the reads in one snapshot, so no write lands between them. */
  snapshot(queries: readonly { sql: string; params?: readonly unknown[] }[]): Promise<Row[][]>;
  /** Runs `fn` in one transaction holding the database's write lock; rolls back when it throws. */
  transaction<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** `sqlite:/path` or the URL without its password. */
  describe(): string;
}

/** `(?, ?, ?), (?, ?, ?)` for a multi-row VALUES. */
export function valuesList(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => "?").join(", ")})`;
  return Array.from({ length: rows }, () => row).join(", ");
}

export function placeholders(count: number): string {
  return Array.from({ length: count }, () => "?").join(", ");
}

import type { Logger } from "@phobos/core";
import { causeOf, messageOf, RegistryError } from "./errors.js";
import { type FactsChange, writeFacts } from "./fact-rows.js";
import { checkSchema, migrate } from "./migrations.js";
import { applyPending, mergePending, type PendingNode, pendingFrom, type StoredNode } from "./pending.js";
import {
  deleteExpired,
  selectForUpdate,
  selectHistory,
  selectNode,
  selectNodes,
  upsertHistory,
  upsertNodes,
} from "./rows.js";
import type { RegistrySettings } from "./settings.js";
import type { SqlDatabase } from "./sql.js";
import { createThrottledLog, type ThrottledLog } from "./throttled-log.js";
import {
  type NodeRecord,
  type NodesOptions,
  type NodeUpdate,
  REGISTRY_SOURCES,
  type RecordOutcome,
  type RegistryCounters,
  type RegistryStore,
} from "./types.js";

export interface OpenRegistryOptions {
  /**
   * Readers (discovery, `mco registry`, monitoring) open read-only: nothing
   * is created or migrated, a missing or foreign database is an error
   * saying so, and `record` throws.
   */
  readOnly?: boolean;
  /** The clock, epoch milliseconds: tests move it instead of waiting. */
  now?: () => number;
}

/** How often expired nodes are deleted, at most. */
const EXPIRE_EVERY_MS = 60_000;

/**
 * Opens (and, for a writer, creates and migrates) the registry database.
 * Rejects with a RegistryError when it cannot be reached or its schema is
 * newer than this code.
 */
export async function openRegistryStore(
  settings: RegistrySettings,
  log: Logger,
  options: OpenRegistryOptions = {},
): Promise<RegistryStore> {
  const now = options.now ?? Date.now;
  const readOnly = options.readOnly ?? false;
  const throttled = createThrottledLog(log, { now });
  const db = await openRegistryDatabase(settings, log, throttled, { readOnly, now });
  return new Store(db, settings, log, throttled, now, readOnly);
}

/**
 * The database alone, schema checked (readers) or created and migrated
 * (writers): the store's, and the request history's.
 */
export async function openRegistryDatabase(
  settings: RegistrySettings,
  log: Logger,
  throttled: ThrottledLog,
  options: { readOnly: boolean; now: () => number },
): Promise<SqlDatabase> {
  // Loaded here, not at import: every mcollectived carries the registration
  // agent, and only the one node that receives registrations opens a database.
  const db =
    settings.database.kind === "sqlite"
      ? (await import("./sqlite.js")).openSqlite(settings.database.path, {
          readOnly: options.readOnly,
          maxSize: settings.maxSize,
        })
      : (await import("./postgres.js")).openPostgres(settings.database.url, throttled);
  try {
    if (options.readOnly) {
      await checkSchema(db);
    } else {
      const applied = await migrate(db, undefined, options.now);
      if (applied.length > 0)
        log.info(`registry ${db.describe()}: applied schema migration(s) ${applied.join(", ")}`);
    }
  } catch (error) {
    await db.close().catch(() => undefined);
    if (error instanceof RegistryError) throw error;
    throw new RegistryError(`cannot open the registry ${db.describe()}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return db;
}

class Store implements RegistryStore {
  #pending = new Map<string, PendingNode>();
  /** The batch being written: counted against the queue bound, merged back if the write fails. */
  #inFlight = new Map<string, PendingNode>();
  #serial: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #flushSoon = false;
  #ticking = false;
  #failing = 0;
  #lastExpire: number;
  #closed = false;
  #counters: Omit<RegistryCounters, "queued"> = {
    received: 0,
    dropped: 0,
    written: 0,
    failedFlushes: 0,
    expired: 0,
  };

  constructor(
    private readonly db: SqlDatabase,
    private readonly settings: RegistrySettings,
    private readonly log: Logger,
    private readonly throttled: ReturnType<typeof createThrottledLog>,
    private readonly now: () => number,
    private readonly readOnly: boolean,
  ) {
    this.#lastExpire = now();
    if (!readOnly) {
      this.#timer = setInterval(() => this.#tick(), settings.flushInterval * 1000);
      this.#timer.unref();
    }
  }

  describe(): string {
    return this.db.describe();
  }

  record(update: NodeUpdate): RecordOutcome {
    if (this.readOnly)
      throw new RegistryError(`registry ${this.describe()} is open read-only: record() is for the receiver`);
    if (this.#closed) throw new RegistryError(`registry ${this.describe()} is closed`);
    checkUpdate(update);
    this.#counters.received += 1;
    const incoming = pendingFrom(update, update.seenAt?.getTime() ?? this.now());
    const queued = this.#pending.get(update.identity);
    if (queued !== undefined) {
      this.#pending.set(update.identity, mergePending(queued, incoming, this.settings.history));
    } else if (this.#queuedNodes() >= this.settings.queueSize && !this.#inFlight.has(update.identity)) {
      this.#counters.dropped += 1;
      this.throttled.log(
        "warn",
        "queue-full",
        `registry ${this.describe()}: the write queue holds ${this.settings.queueSize} nodes (queue_size), dropped the registration of ${update.identity}; ${this.#counters.dropped} dropped so far`,
      );
      return "dropped";
    } else {
      this.#pending.set(update.identity, incoming);
    }
    if (this.#pending.size >= this.settings.batchSize && !this.#flushSoon) {
      this.#flushSoon = true;
      setImmediate(() => {
        this.#flushSoon = false;
        this.#tick();
      });
    }
    return "queued";
  }

  flush(): Promise<void> {
    return this.#exclusive(() => this.#writeAll());
  }

  async nodes(options: NodesOptions = {}): Promise<NodeRecord[]> {
    const t = this.now();
    const since = t - this.settings.expireAfter * 1000;
    const rows = await this.#read(() => selectNodes(this.db, since, options.facts));
    return rows.map((row) => this.#toRecord(row, t));
  }

  async node(identity: string): Promise<NodeRecord | undefined> {
    const t = this.now();
    const row = await this.#read(() => selectNode(this.db, identity, t - this.settings.expireAfter * 1000));
    return row === undefined ? undefined : this.#toRecord(row, t);
  }

  async history(identity: string) {
    const rows = await this.#read(() => selectHistory(this.db, identity));
    return rows.map((r) => ({ ...r, seenAt: new Date(r.seenAt) }));
  }

  expire(): Promise<number> {
    if (this.readOnly)
      return Promise.reject(new RegistryError(`registry ${this.describe()} is open read-only`));
    return this.#exclusive(async () => {
      const before = this.now() - this.settings.expireAfter * 1000;
      const removed = await this.db.transaction((session) => deleteExpired(session, before));
      this.#lastExpire = this.now();
      this.#counters.expired += removed;
      if (removed > 0)
        this.log.info(
          `registry ${this.describe()}: expired ${removed} node(s) not heard from in ${this.settings.expireAfter} s`,
        );
      return removed;
    });
  }

  counters(): RegistryCounters {
    return { ...this.#counters, queued: this.#queuedNodes() };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    try {
      await this.flush();
    } catch (error) {
      this.log.error(
        `registry ${this.describe()}: ${this.#queuedNodes()} queued node update(s) lost at shutdown, the database refused them: ${messageOf(error)}`,
      );
    }
    await this.#serial.catch(() => undefined);
    await this.db.close();
  }

  #queuedNodes(): number {
    let n = this.#pending.size;
    for (const identity of this.#inFlight.keys()) if (!this.#pending.has(identity)) n += 1;
    return n;
  }

  #tick(): void {
    // A database that takes its connect timeout to fail must not pile up one attempt per tick.
    if (this.#closed || this.#ticking) return;
    const expireDue = this.now() - this.#lastExpire >= EXPIRE_EVERY_MS;
    if (this.#pending.size === 0 && !expireDue) return;
    this.#ticking = true;
    void this.flush()
      .then(() => (expireDue ? this.expire() : 0))
      .catch(() => {
        // #writeAll has logged it (throttled); the queue is kept for the next tick.
      })
      .finally(() => {
        this.#ticking = false;
      });
  }

  async #writeAll(): Promise<void> {
    while (this.#pending.size > 0) {
      const batch = new Map<string, PendingNode>();
      for (const [identity, pending] of this.#pending) {
        batch.set(identity, pending);
        if (batch.size >= this.settings.batchSize) break;
      }
      for (const identity of batch.keys()) this.#pending.delete(identity);
      this.#inFlight = batch;
      try {
        await this.#writeBatch([...batch.values()]);
      } catch (error) {
        this.#requeue(batch);
        this.#counters.failedFlushes += 1;
        this.#failing += 1;
        const cause = causeOf(error);
        this.throttled.log(
          "warn",
          `write:${cause}`,
          `registry ${this.describe()}: cannot write ${this.#queuedNodes()} queued node update(s) (${cause}: ${messageOf(error)}); keeping them queued (at most ${this.settings.queueSize} nodes, queue_size) and retrying every ${this.settings.flushInterval} s`,
        );
        throw new RegistryError(`registry ${this.describe()}: writing a batch failed: ${messageOf(error)}`, {
          cause: error,
        });
      } finally {
        this.#inFlight = new Map();
      }
      this.#counters.written += batch.size;
      if (this.#failing > 0) {
        this.log.info(`registry ${this.describe()}: writing again after ${this.#failing} failed attempt(s)`);
        this.#failing = 0;
      }
    }
  }

  async #writeBatch(batch: PendingNode[]): Promise<void> {
    const history = this.settings.history;
    await this.db.transaction(async (session) => {
      const identities = batch.map((p) => p.identity).sort();
      const stored = await selectForUpdate(session, identities, this.db.dialect);
      const writes = batch.map((p) => applyPending(stored.get(p.identity), p, history));
      await upsertNodes(
        session,
        writes.map((w) => w.node),
      );
      await upsertHistory(
        session,
        writes.flatMap((w) => w.history),
      );
      await writeFacts(session, this.db.dialect, factsChanged(batch, stored, writes));
    });
  }

  /** A failed batch goes back under whatever arrived for the same nodes meanwhile. */
  #requeue(batch: Map<string, PendingNode>): void {
    const newer = this.#pending;
    this.#pending = new Map(batch);
    for (const [identity, pending] of newer) {
      const older = this.#pending.get(identity);
      this.#pending.set(
        identity,
        older === undefined ? pending : mergePending(older, pending, this.settings.history),
      );
    }
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(fn, fn);
    this.#serial = run.catch(() => undefined);
    return run;
  }

  async #read<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw new RegistryError(`cannot read the registry ${this.describe()}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  #toRecord(row: StoredNode, t: number): NodeRecord {
    return {
      identity: row.identity,
      collectives: row.collectives,
      agents: row.agents,
      facts: row.facts,
      classes: row.classes,
      version: row.version ?? undefined,
      firstSeen: new Date(row.firstSeen),
      lastSeen: new Date(row.lastSeen),
      source: row.source,
      stale: t - row.lastSeen > this.settings.staleAfter * 1000,
      registrations: row.registrations,
    };
  }
}

/**
 * The nodes whose facts must be written: an update without facts (an
 * agentlist registration) keeps the stored ones, and a meta registration
 * repeating the stored facts leaves them as they are.
 */
function factsChanged(
  batch: readonly PendingNode[],
  stored: ReadonlyMap<string, StoredNode>,
  writes: readonly { node: StoredNode }[],
): FactsChange[] {
  const changes: FactsChange[] = [];
  writes.forEach((w, i) => {
    const incoming = batch[i]?.facts;
    if (incoming === undefined) return;
    const before = stored.get(w.node.identity)?.facts;
    if (before === undefined || JSON.stringify(before) !== JSON.stringify(incoming))
      changes.push({ identity: w.node.identity, before, facts: w.node.facts });
  });
  return changes;
}

function checkUpdate(update: NodeUpdate): void {
  if (typeof update.identity !== "string" || update.identity === "") {
    throw new RegistryError(`a registry update needs an identity, got ${JSON.stringify(update.identity)}`);
  }
  if (!REGISTRY_SOURCES.includes(update.source)) {
    throw new RegistryError(
      `a registry update's source is one of ${REGISTRY_SOURCES.join(", ")}, got ${JSON.stringify(update.source)}`,
    );
  }
  if (update.seenAt !== undefined && Number.isNaN(update.seenAt.getTime())) {
    throw new RegistryError(`the registry update of ${update.identity} has an invalid seenAt`);
  }
}

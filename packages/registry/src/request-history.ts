/**
 * The requests a web console sent, kept in the registry's database beside
 * the nodes they went to: who (the callerid's user), what (agent, action,
 * inputs), to which nodes (the filter), when, and every reply. One row per
 * request, updated when it ends; one row per reply.
 */
import type { Logger } from "@phobos/core";
import { messageOf, RegistryError } from "./errors.js";
import type { RegistrySettings } from "./settings.js";
import type { Row, SqlDatabase } from "./sql.js";
import { openRegistryDatabase } from "./store.js";
import { createThrottledLog } from "./throttled-log.js";

export type RequestStatus = "running" | "done" | "cancelled" | "failed";

export interface RequestRecord {
  id: string;
  /** The login the request was sent for. */
  caller: string;
  agent: string;
  action: string;
  inputs: Record<string, unknown>;
  /** The filter as given (mco's option names). */
  filter: Record<string, unknown>;
  startedAt: Date;
  finishedAt: Date | undefined;
  status: RequestStatus;
  discovered: number;
  responses: number;
  okcount: number;
  failcount: number;
  noresponsefrom: string[];
}

export interface ReplyRecord {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: unknown;
}

export interface RequestOutcome {
  status: Exclude<RequestStatus, "running">;
  discovered: number;
  responses: number;
  okcount: number;
  failcount: number;
  noresponsefrom: string[];
  finishedAt?: Date;
}

export interface RequestHistory {
  start(
    request: Omit<RequestRecord, "finishedAt" | "status" | keyof Omit<RequestOutcome, "status">>,
  ): Promise<void>;
  /** Adds a reply; `seq` orders replies as they arrived. */
  reply(id: string, seq: number, reply: ReplyRecord): Promise<void>;
  finish(id: string, outcome: RequestOutcome): Promise<void>;
  /** Newest first; `caller` keeps only that user's. */
  list(options?: { limit?: number; caller?: string }): Promise<RequestRecord[]>;
  get(id: string): Promise<{ request: RequestRecord; replies: ReplyRecord[] } | undefined>;
  close(): Promise<void>;
  describe(): string;
}

/** Opens (creating and migrating as a writer) the history in the registry database `settings` name. */
export async function openRequestHistory(
  settings: RegistrySettings,
  log: Logger,
  options: { now?: () => number } = {},
): Promise<RequestHistory> {
  const now = options.now ?? Date.now;
  const db = await openRegistryDatabase(settings, log, createThrottledLog(log, { now }), {
    readOnly: false,
    now,
  });
  return new SqlRequestHistory(db);
}

const number = (v: unknown) => Number(v ?? 0);

function toRecord(row: Row): RequestRecord {
  return {
    id: String(row.id),
    caller: String(row.caller),
    agent: String(row.agent),
    action: String(row.action),
    inputs: JSON.parse(String(row.inputs)),
    filter: JSON.parse(String(row.filter)),
    startedAt: new Date(number(row.started_at)),
    finishedAt:
      row.finished_at === null || row.finished_at === undefined
        ? undefined
        : new Date(number(row.finished_at)),
    status: String(row.status) as RequestStatus,
    discovered: number(row.discovered),
    responses: number(row.responses),
    okcount: number(row.okcount),
    failcount: number(row.failcount),
    noresponsefrom: JSON.parse(String(row.noresponsefrom)),
  };
}

class SqlRequestHistory implements RequestHistory {
  constructor(private readonly db: SqlDatabase) {}

  describe(): string {
    return this.db.describe();
  }

  async #do<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw new RegistryError(`cannot ${what} in ${this.describe()}: ${messageOf(error)}`, { cause: error });
    }
  }

  start(r: Parameters<RequestHistory["start"]>[0]): Promise<void> {
    return this.#do("record a request", async () => {
      await this.db.run(
        `INSERT INTO registry_requests (id, caller, agent, action, inputs, filter, started_at, finished_at, status,
          discovered, responses, okcount, failcount, noresponsefrom)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 'running', 0, 0, 0, 0, '[]')`,
        [
          r.id,
          r.caller,
          r.agent,
          r.action,
          JSON.stringify(r.inputs),
          JSON.stringify(r.filter),
          r.startedAt.getTime(),
        ],
      );
    });
  }

  reply(id: string, seq: number, reply: ReplyRecord): Promise<void> {
    return this.#do("record a reply", async () => {
      await this.db.run(
        "INSERT INTO registry_request_replies (request_id, seq, sender, statuscode, statusmsg, data) VALUES (?, ?, ?, ?, ?, ?)",
        [id, seq, reply.sender, reply.statuscode, reply.statusmsg, JSON.stringify(reply.data ?? null)],
      );
    });
  }

  finish(id: string, o: RequestOutcome): Promise<void> {
    return this.#do("record a request's end", async () => {
      await this.db.run(
        `UPDATE registry_requests SET finished_at = ?, status = ?, discovered = ?, responses = ?, okcount = ?,
          failcount = ?, noresponsefrom = ? WHERE id = ?`,
        [
          (o.finishedAt ?? new Date()).getTime(),
          o.status,
          o.discovered,
          o.responses,
          o.okcount,
          o.failcount,
          JSON.stringify(o.noresponsefrom),
          id,
        ],
      );
    });
  }

  list(options: { limit?: number; caller?: string } = {}): Promise<RequestRecord[]> {
    const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
    return this.#do("read the request history", async () => {
      const rows =
        options.caller === undefined
          ? await this.db.all("SELECT * FROM registry_requests ORDER BY started_at DESC, id LIMIT ?", [limit])
          : await this.db.all(
              "SELECT * FROM registry_requests WHERE caller = ? ORDER BY started_at DESC, id LIMIT ?",
              [options.caller, limit],
            );
      return rows.map(toRecord);
    });
  }

  get(id: string) {
    return this.#do("read a request", async () => {
      const rows = await this.db.all("SELECT * FROM registry_requests WHERE id = ?", [id]);
      if (rows[0] === undefined) return undefined;
      const replies = await this.db.all(
        "SELECT sender, statuscode, statusmsg, data FROM registry_request_replies WHERE request_id = ? ORDER BY seq",
        [id],
      );
      return {
        request: toRecord(rows[0]),
        replies: replies.map((r) => ({
          sender: String(r.sender),
          statuscode: number(r.statuscode),
          statusmsg: String(r.statusmsg),
          data: JSON.parse(String(r.data)),
        })),
      };
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

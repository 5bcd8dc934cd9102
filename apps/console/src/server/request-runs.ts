/**
 * Requests the console sends, each through the signed-in user's own client
 * connection (their callerid), with mco's options (filter, limit, batch).
 * Each run keeps its events, so a stream opened late, or opened again,
 * sees them all from the start; only the user who started a run may read
 * or cancel it. Each run and its replies go to the history as they happen.
 */
import { randomBytes } from "node:crypto";
import {
  aggregatesText,
  aggregateText,
  colorizer,
  displayed,
  printrpcstatsText,
  type RpcReply,
  type RpcStats,
  resultJsonValue,
  rubyJson,
  textForResult,
} from "@phobos/client";
import type { AgentDdl, Logger } from "@phobos/core";
import type { RequestHistory } from "@phobos/registry";
import type {
  EndEvent,
  FilterSpec,
  ReplyEvent,
  RunRequest,
  StatsEvent,
  SummaryEvent,
} from "../shared/api-types.js";
import { toFilterOptions } from "./filter-spec.js";
import { HttpError } from "./http-error.js";
import type { UserClients } from "./user-clients.js";
import type { ConsoleUser } from "./users-store.js";

export type RunEvent =
  | { event: "discovered"; data: { nodes: string[] } }
  | { event: "reply"; data: ReplyEvent }
  | { event: "summary"; data: SummaryEvent }
  | { event: "stats"; data: StatsEvent }
  | { event: "end"; data: EndEvent };

const plain = colorizer(false);

/** A reply as the UI gets it: mco's JSON of the data, and whether and how mco prints it. */
export function replyEvent(reply: RpcReply, ddl: AgentDdl): ReplyEvent {
  const action = ddl.actions[reply.action];
  const shown = action ? displayed(reply, action.display) : true;
  const json = JSON.parse(rubyJson(resultJsonValue(reply))) as { data: Record<string, unknown> | null };
  return {
    sender: reply.sender,
    statuscode: reply.statuscode,
    statusmsg: reply.statusmsg,
    data: json.data ?? {},
    displayed: shown,
    text: shown ? textForResult(reply, ddl, { color: plain }) : "",
  };
}

export function summaryEvent(stats: RpcStats, ddl: AgentDdl): SummaryEvent {
  const outputs = (stats.action && ddl.actions[stats.action]?.output) || {};
  return {
    summaries: stats.aggregateSummary.map((a) => ({
      output: a.output,
      heading: Object.hasOwn(outputs, a.output) ? (outputs[a.output]?.display_as ?? a.output) : a.output,
      lines: aggregateText(a)
        .split("\n")
        .filter((l) => l !== ""),
    })),
    text: aggregatesText(stats, ddl, plain),
  };
}

export function statsEvent(stats: RpcStats, caption: string, ddl: AgentDdl): StatsEvent {
  return {
    discovered: stats.discovered,
    responses: stats.responses,
    okcount: stats.okcount,
    failcount: stats.failcount,
    noresponsefrom: stats.noresponsefrom,
    unexpectedresponsefrom: stats.unexpectedresponsefrom,
    discoverytime: stats.discoverytime,
    blocktime: stats.blocktime,
    totaltime: stats.totaltime,
    requestid: stats.requestid ?? null,
    text: printrpcstatsText(stats, { caption, ddl, summarize: false }),
  };
}

export class Run {
  readonly events: RunEvent[] = [];
  readonly #listeners = new Set<(e: RunEvent) => void>();
  ended = false;

  constructor(
    readonly id: string,
    readonly owner: string,
  ) {}

  emit(e: RunEvent): void {
    if (this.ended) return;
    this.events.push(e);
    if (e.event === "end") this.ended = true;
    for (const listener of this.#listeners) listener(e);
  }

  /** Every event so far, then each new one; returns the unsubscribe. */
  subscribe(listener: (e: RunEvent) => void): () => void {
    for (const e of this.events) listener(e);
    if (this.ended) return () => {};
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export interface StartRun {
  user: ConsoleUser;
  request: RunRequest;
  filter: FilterSpec;
  inputs: Record<string, unknown>;
  ddl: AgentDdl;
}

export class RequestRuns {
  readonly #runs = new Map<string, Run>();

  constructor(
    readonly clients: UserClients,
    readonly history: RequestHistory | undefined,
    readonly log: Logger,
    /** Finished runs kept in memory for late streams; older ones are in the history. */
    readonly keep = 200,
  ) {}

  /** The run, if `login` started it: another user's is 403, an unknown one 404. */
  get(id: string, login: string): Run {
    const run = this.#runs.get(id);
    if (!run) throw new HttpError(404, `no request '${id}' here (finished ones are in the history)`);
    if (run.owner !== login) throw new HttpError(403, "this request was started by another user");
    return run;
  }

  cancel(id: string, login: string): void {
    const run = this.get(id, login);
    run.emit({ event: "end", data: { status: "cancelled" } });
  }

  start(s: StartRun): Run {
    const id = randomBytes(12).toString("hex");
    const run = new Run(id, s.user.login);
    this.#runs.set(id, run);
    this.#trim();
    void this.#execute(run, s);
    return run;
  }

  async #execute(run: Run, s: StartRun): Promise<void> {
    const { agent, action } = s.request;
    const history = this.history;
    const note = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (err) {
        this.log.error(`history: ${what}: ${(err as Error).message}`);
      }
    };
    await note("start", async () =>
      history?.start({
        id: run.id,
        caller: s.user.login,
        agent,
        action,
        inputs: s.inputs,
        filter: { ...s.filter },
        startedAt: new Date(),
      }),
    );
    let seq = 0;
    let stats: RpcStats | undefined;
    let end: EndEvent = { status: "done" };
    try {
      await this.clients.with(s.user, async (client) => {
        const rpc = client.rpc(agent, {
          ...toFilterOptions(s.filter),
          ...(s.request.limit !== undefined ? { limit: s.request.limit } : {}),
          ...(s.request.batchSize !== undefined ? { batchSize: s.request.batchSize } : {}),
          ...(s.request.batchSleep !== undefined ? { batchSleep: s.request.batchSleep } : {}),
          ...(s.request.timeout !== undefined ? { timeout: s.request.timeout } : {}),
          ...(s.request.discoveryMethod !== undefined ? { discoveryMethod: s.request.discoveryMethod } : {}),
        });
        run.emit({ event: "discovered", data: { nodes: await rpc.discover() } });
        const call = rpc.call(action, s.inputs);
        for await (const reply of call) {
          if (run.ended) break;
          const event = replyEvent(reply, s.ddl);
          run.emit({ event: "reply", data: event });
          const n = ++seq;
          await note("reply", async () =>
            history?.reply(run.id, n, {
              sender: event.sender,
              statuscode: event.statuscode,
              statusmsg: event.statusmsg,
              data: event.data,
            }),
          );
        }
        if (run.ended) return;
        stats = await call.stats;
        run.emit({ event: "summary", data: summaryEvent(stats, s.ddl) });
        run.emit({ event: "stats", data: statsEvent(stats, `${agent}#${action} call stats`, s.ddl) });
      });
    } catch (err) {
      end = { status: "failed", error: (err as Error).message };
    }
    if (run.ended) end = { status: "cancelled" };
    run.emit({ event: "end", data: end });
    await note("finish", async () =>
      history?.finish(run.id, {
        status: end.status === "done" ? "done" : end.status,
        discovered: stats?.discovered ?? 0,
        responses: stats?.responses ?? seq,
        okcount: stats?.okcount ?? 0,
        failcount: stats?.failcount ?? 0,
        noresponsefrom: stats?.noresponsefrom ?? [],
      }),
    );
  }

  #trim(): void {
    for (const [id, run] of this.#runs) {
      if (this.#runs.size <= this.keep) break;
      if (run.ended) this.#runs.delete(id);
    }
  }
}

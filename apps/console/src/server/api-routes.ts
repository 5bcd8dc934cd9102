/**
 * The API behind the session and CSRF checks (app.ts mounts it): fleet,
 * agents, validation, requests with their event streams, history. Every
 * response is JSON or text/event-stream; nothing echoes HTML.
 */

import type { RequestHistory, RequestRecord } from "@phobos/registry";
import type { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type {
  CountResponse,
  DiscoverResponse,
  HistoryDetail,
  HistoryEntry,
  NodeResponse,
  RunRequest,
  RunResponse,
} from "../shared/api-types.js";
import type { Agents } from "./agents.js";
import { type ConsoleEnv, jsonBody } from "./app.js";
import { filterFromJson, filterFromQuery, isEmptyFilter, toFilter, toFilterOptions } from "./filter-spec.js";
import type { Fleet } from "./fleet.js";
import { HttpError } from "./http-error.js";
import { type RequestRuns, replyEvent } from "./request-runs.js";
import type { UserClients } from "./user-clients.js";
import type { ConsoleUser, UsersStore } from "./users-store.js";

export interface ApiDeps {
  users: UsersStore;
  fleet: Fleet;
  agents: Agents;
  clients: UserClients;
  runs: RequestRuns;
  history: RequestHistory | undefined;
}

function historyEntry(r: RequestRecord): HistoryEntry {
  return {
    id: r.id,
    user: r.caller,
    agent: r.agent,
    action: r.action,
    inputs: r.inputs,
    filter: r.filter,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    status: r.status,
    discovered: r.discovered,
    responses: r.responses,
    okcount: r.okcount,
    failcount: r.failcount,
    noresponsefrom: r.noresponsefrom,
  };
}

function text(value: unknown, name: string): string {
  if (typeof value !== "string" || value === "") throw new HttpError(400, `give ${name} as text`);
  return value;
}

/** `--limit 3`, `"20%"`; `--batch` likewise: refused here with the option's name, as mco refuses it. */
function countOrPercent(value: unknown, name: string): number | string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  if (typeof value === "string" && /^(\d+%?)$/.test(value) && Number.parseInt(value, 10) > 0) {
    return value.endsWith("%") ? value : Number(value);
  }
  throw new HttpError(
    400,
    `${name} is a count of nodes or a percentage ("20%"), not ${JSON.stringify(value)}`,
  );
}

export function apiRoutes(api: Hono<ConsoleEnv>, deps: ApiDeps): void {
  const user = (login: string): ConsoleUser => {
    const found = deps.users.get(login);
    if (!found) throw new HttpError(401, "this user no longer exists");
    return found;
  };

  api.get("/nodes", async (c) => {
    const spec = filterFromQuery(c.req.queries());
    return c.json(await deps.fleet.nodes(spec, c.req.query("q")));
  });
  api.get("/nodes/count", async (c) => {
    const spec = filterFromQuery(c.req.queries());
    const { count } = await deps.fleet.nodes(spec, c.req.query("q"));
    return c.json({ count } satisfies CountResponse);
  });
  api.get("/nodes/:identity", async (c) => {
    const identity = c.req.param("identity");
    const node = await deps.fleet.node(identity);
    const body: NodeResponse = { node };
    if (c.req.query("inventory") === "1") {
      body.inventory = await deps.clients.with(user(c.get("session").login), async (client) => {
        // `mco inventory`: rpcutil inventory sent to the one node.
        const [reply] = await client.rpc("rpcutil", { nodes: [identity] }).call("inventory").replies;
        if (!reply) return {};
        const ddl = await deps.agents.ddl("rpcutil");
        const event = replyEvent(reply, ddl);
        return { inventory: event.data, statuscode: event.statuscode, statusmsg: event.statusmsg };
      });
    }
    return c.json(body);
  });
  api.post("/discover", async (c) => {
    const body = await jsonBody(c);
    const spec = filterFromJson(body.filter);
    toFilter(spec);
    const method = body.discoveryMethod === undefined ? "mc" : text(body.discoveryMethod, "discoveryMethod");
    const nodes = await deps.clients.with(user(c.get("session").login), (client) =>
      client.discover({ ...toFilterOptions(spec), discoveryMethod: method }),
    );
    // Sorted: the order replies arrived in says nothing to a reader of the list.
    return c.json({ nodes: [...nodes].sort() } satisfies DiscoverResponse);
  });

  api.get("/agents", async (c) => c.json({ agents: await deps.agents.list() }));
  api.get("/agents/:agent", async (c) => c.json(await deps.agents.json(c.req.param("agent"))));
  api.post("/validate", async (c) => {
    const body = await jsonBody(c);
    return c.json(
      await deps.agents.validate(text(body.agent, "agent"), text(body.action, "action"), body.inputs ?? {}),
    );
  });

  api.post("/requests", async (c) => {
    const body = (await jsonBody(c)) as Partial<RunRequest> & Record<string, unknown>;
    const agent = text(body.agent, "agent");
    const action = text(body.action, "action");
    const filter = filterFromJson(body.filter);
    toFilter(filter);
    const request: RunRequest = {
      agent,
      action,
      inputs: {},
      filter,
      ...(countOrPercent(body.limit, "limit") !== undefined
        ? { limit: countOrPercent(body.limit, "limit") }
        : {}),
      ...(countOrPercent(body.batchSize, "batchSize") !== undefined
        ? { batchSize: countOrPercent(body.batchSize, "batchSize") }
        : {}),
    };
    for (const name of ["batchSleep", "timeout"] as const) {
      const value = body[name];
      if (value === undefined) continue;
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new HttpError(400, `${name} is a number of seconds, not ${JSON.stringify(value)}`);
      }
      request[name] = value;
    }
    if (body.discoveryMethod !== undefined)
      request.discoveryMethod = text(body.discoveryMethod, "discoveryMethod");
    const validation = await deps.agents.validate(agent, action, body.inputs ?? {});
    if (!validation.ok) {
      throw new HttpError(400, "the inputs are not valid for this action", { inputs: validation.errors });
    }
    if (isEmptyFilter(filter) && body.confirm !== true) {
      // mco asks before an unfiltered request: "Do you really want to send this request unfiltered?"
      throw new HttpError(409, "This request goes to every node: confirm it to send it unfiltered", {
        needsConfirmation: true,
      });
    }
    const run = deps.runs.start({
      user: user(c.get("session").login),
      request,
      filter,
      inputs: validation.inputs,
      ddl: await deps.agents.ddl(agent),
    });
    return c.json({ id: run.id } satisfies RunResponse, 201);
  });
  api.get("/requests/:id/events", (c) => {
    const run = deps.runs.get(c.req.param("id"), c.get("session").login);
    return streamSSE(c, async (stream) => {
      let wake: () => void = () => {};
      const queue: { event: string; data: unknown }[] = [];
      const unsubscribe = run.subscribe((e) => {
        queue.push(e);
        wake();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake();
      });
      try {
        for (;;) {
          while (queue.length > 0) {
            const e = queue.shift() as { event: string; data: unknown };
            await stream.writeSSE({ event: e.event, data: JSON.stringify(e.data) });
            if (e.event === "end") return;
          }
          if (stream.aborted) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      } finally {
        unsubscribe();
      }
    });
  });
  api.delete("/requests/:id", (c) => {
    deps.runs.cancel(c.req.param("id"), c.get("session").login);
    return c.json({ cancelled: true });
  });

  api.get("/history", async (c) => {
    if (!deps.history) throw new HttpError(503, "no history: set plugin.registry.database in client.cfg");
    const limit = Number(c.req.query("limit") ?? 100);
    const mine = c.req.query("mine") === "1";
    const records = await deps.history.list({
      limit: Number.isFinite(limit) ? limit : 100,
      ...(mine ? { caller: c.get("session").login } : {}),
    });
    return c.json({ entries: records.map(historyEntry) });
  });
  api.get("/history/:id", async (c) => {
    if (!deps.history) throw new HttpError(503, "no history: set plugin.registry.database in client.cfg");
    const found = await deps.history.get(c.req.param("id"));
    if (!found) throw new HttpError(404, `no request '${c.req.param("id")}' in the history`);
    const detail: HistoryDetail = {
      entry: historyEntry(found.request),
      replies: found.replies.map((r) => ({
        sender: r.sender,
        statuscode: r.statuscode,
        statusmsg: r.statusmsg,
        data: (r.data ?? {}) as Record<string, unknown>,
        displayed: true,
        text: "",
      })),
    };
    return c.json(detail);
  });
}

import { createLogger, memorySink, PluginSettings } from "@phobos/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openRequestHistory, type RequestHistory } from "./request-history.js";
import { registrySettings } from "./settings.js";
import { openRegistryStore } from "./store.js";
import { createTestDatabase, type TestDatabase } from "./testing/test-database.js";

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

describe.each(["sqlite", "postgres"] as const)("the request history on %s", (kind) => {
  let db: TestDatabase;
  let history: RequestHistory | undefined;
  const log = createLogger(memorySink("debug"), "history-test");
  const settings = () =>
    registrySettings(new PluginSettings("registration", new Map([["database", db.database]])));

  beforeEach(async () => {
    db = await createTestDatabase(kind);
  });
  afterEach(async () => {
    await history?.close();
    history = undefined;
    await db.drop();
  });

  it("keeps who ran what, with which filter, when, and every reply in arrival order", async () => {
    history = await openRequestHistory(settings(), log);
    await history.start({
      id: "r1",
      caller: "alice",
      agent: "package",
      action: "status",
      inputs: { package: "<b>zsh</b>" },
      filter: { fact: ["role=web"] },
      startedAt: new Date(T0),
    });
    await history.start({
      id: "r2",
      caller: "bob",
      agent: "rpcutil",
      action: "ping",
      inputs: {},
      filter: {},
      startedAt: new Date(T0 + 1000),
    });
    expect((await history.get("r1"))?.request.status).toBe("running");
    await history.reply("r1", 2, { sender: "node2", statuscode: 4, statusmsg: "denied", data: {} });
    await history.reply("r1", 1, {
      sender: "node1",
      statuscode: 0,
      statusmsg: "OK",
      data: { status: "installed", list: [1, null, "x"] },
    });
    await history.finish("r1", {
      status: "done",
      discovered: 3,
      responses: 2,
      okcount: 1,
      failcount: 1,
      noresponsefrom: ["node3"],
      finishedAt: new Date(T0 + 5000),
    });

    const r1 = await history.get("r1");
    expect(r1?.request).toEqual({
      id: "r1",
      caller: "alice",
      agent: "package",
      action: "status",
      inputs: { package: "<b>zsh</b>" },
      filter: { fact: ["role=web"] },
      startedAt: new Date(T0),
      finishedAt: new Date(T0 + 5000),
      status: "done",
      discovered: 3,
      responses: 2,
      okcount: 1,
      failcount: 1,
      noresponsefrom: ["node3"],
    });
    expect(r1?.replies.map((r) => r.sender)).toEqual(["node1", "node2"]);
    expect(r1?.replies[0]?.data).toEqual({ status: "installed", list: [1, null, "x"] });
    expect((await history.list()).map((r) => r.id)).toEqual(["r2", "r1"]);
    expect((await history.list({ caller: "bob" })).map((r) => r.id)).toEqual(["r2"]);
    expect(await history.get("nope")).toBeUndefined();
  });

  it("shares the registry's database and migrations: the node store opens it after the history made it", async () => {
    history = await openRequestHistory(settings(), log);
    const store = await openRegistryStore(settings(), log, { readOnly: true });
    try {
      expect(await store.nodes()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("refuses a second request with the same id, naming the database", async () => {
    history = await openRequestHistory(settings(), log);
    const request = {
      id: "same",
      caller: "alice",
      agent: "rpcutil",
      action: "ping",
      inputs: {},
      filter: {},
      startedAt: new Date(T0),
    };
    await history.start(request);
    await expect(history.start(request)).rejects.toThrow(/cannot record a request in (sqlite|postgres)/);
  });
});

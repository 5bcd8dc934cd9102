import { createLogger, memorySink, PluginSettings } from "@phobos/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MIGRATIONS, migrate, SCHEMA_VERSION } from "./migrations.js";
import { openPostgres } from "./postgres.js";
import { registrySettings } from "./settings.js";
import { openSqlite } from "./sqlite.js";
import { openRegistryStore } from "./store.js";
import { createTestDatabase, type TestDatabase } from "./testing/test-database.js";
import { createThrottledLog } from "./throttled-log.js";
import type { RegistryStore } from "./types.js";

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const WANTED = ["role", "os.family", "cpus"];

describe.each(["sqlite", "postgres"] as const)("registry_facts on %s", (kind) => {
  let db: TestDatabase;
  let clock: number;
  const sink = memorySink("debug");
  const log = createLogger(sink, "fact-rows-test");
  const stores: RegistryStore[] = [];
  const open = async (extra: Record<string, string> = {}, readOnly = false) => {
    const settings = registrySettings(
      new PluginSettings("registration", new Map(Object.entries({ database: db.database, ...extra }))),
    );
    const store = await openRegistryStore(settings, log, { now: () => clock, readOnly });
    stores.push(store);
    return store;
  };
  const projected = async (store: RegistryStore) =>
    (await store.nodes({ facts: WANTED })).map((n) => [n.identity, n.facts]);

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    clock = T0;
    sink.lines.length = 0;
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await db.drop();
  });

  it("answers a fact projection from the per-fact rows, not from the whole fact sets", async () => {
    const store = await open();
    store.record({ identity: "w1", facts: { role: "web", os: { family: "Debian" } }, source: "meta" });
    await store.flush();
    await db.sql("UPDATE registry_fact_sets SET facts = '{}'");
    expect((await store.node("w1"))?.facts).toEqual({});
    expect(await projected(store)).toEqual([["w1", { role: "web", "os.family": "Debian" }]]);
    await db.sql("DELETE FROM registry_facts");
    expect(await projected(store)).toEqual([["w1", {}]]);
  });

  it("replaces a node's facts when an update carries facts, and only that node's", async () => {
    const store = await open();
    store.record({ identity: "a", facts: { role: "web", cpus: 2 }, source: "meta" });
    store.record({ identity: "b", facts: { role: "db", cpus: 8 }, source: "meta" });
    await store.flush();
    store.record({ identity: "a", facts: { role: "cache" }, source: "inventory" });
    await store.flush();
    expect(await projected(store)).toEqual([
      ["a", { role: "cache" }],
      ["b", { role: "db", cpus: 8 }],
    ]);
    store.record({ identity: "a", facts: { role: "cache", os: { family: "Debian" } }, source: "meta" });
    store.record({ identity: "b", facts: {}, source: "meta" });
    await store.flush();
    expect(await projected(store)).toEqual([
      ["a", { role: "cache", "os.family": "Debian" }],
      ["b", {}],
    ]);
    expect((await store.node("a"))?.facts).toEqual({ role: "cache", os: { family: "Debian" } });
  });

  it("keeps the facts an agentlist update does not carry, written or folded in the same batch", async () => {
    const store = await open();
    store.record({ identity: "a", facts: { role: "web" }, source: "meta" });
    await store.flush();
    store.record({ identity: "a", agents: ["rpcutil"], source: "agentlist" });
    await store.flush();
    store.record({ identity: "b", facts: { role: "db" }, source: "meta" });
    store.record({ identity: "b", agents: ["rpcutil"], source: "agentlist" });
    await store.flush();
    // The same facts again leave the rows as they are; the whole set and the rows still agree.
    store.record({ identity: "a", facts: { role: "web" }, source: "meta" });
    await store.flush();
    expect(await projected(store)).toEqual([
      ["a", { role: "web" }],
      ["b", { role: "db" }],
    ]);
    expect((await store.node("a"))?.facts).toEqual({ role: "web" });
  });

  it("deletes a node's facts when the node expires", async () => {
    const store = await open({ stale_after: "600", expire_after: "3600" });
    store.record({ identity: "gone", facts: { role: "web" }, source: "meta" });
    await store.flush();
    clock += 3_600_001;
    expect(await store.expire()).toBe(1);
    // Back without facts: none of the old rows may show.
    store.record({ identity: "gone", agents: ["rpcutil"], source: "agentlist" });
    await store.flush();
    expect(await projected(store)).toEqual([["gone", {}]]);
  });

  it("upgrades a version 1 database in place: the stored facts become rows, nothing else changes", async () => {
    const raw =
      kind === "sqlite"
        ? openSqlite(db.database, { readOnly: false, maxSize: 0 })
        : openPostgres(db.database, createThrottledLog(log));
    try {
      expect(await migrate(raw, MIGRATIONS.slice(0, 1), () => T0)).toEqual([1]);
      const facts = JSON.stringify({ role: "web", os: { family: "RedHat" }, 'q"uote': [1, true, null] });
      await raw.run(
        `INSERT INTO registry_nodes (identity, collectives, agents, facts, classes, version, source, first_seen, last_seen, registrations)
         VALUES (?, '["mcollective"]', '["rpcutil"]', ?, '["base"]', '2.12.5', 'meta', ?, ?, 7),
                (?, '[]', '[]', '{}', '[]', NULL, 'agentlist', ?, ?, 1)`,
        ["old1", facts, T0 - 1000, T0, "old2", T0, T0],
      );
    } finally {
      await raw.close();
    }
    await expect(open({}, true)).rejects.toThrow(
      `has registry schema version 1, this Phobos reads ${SCHEMA_VERSION}`,
    );

    const store = await open();
    expect(sink.lines.map((l) => l.message)).toContain(
      `registry ${store.describe()}: applied schema migration(s) 2, 3`,
    );
    expect(await store.nodes({ facts: ["role", "os.family", 'q"uote'] })).toMatchObject([
      { identity: "old1", facts: { role: "web", "os.family": "RedHat", 'q"uote': [1, true, null] } },
      { identity: "old2", facts: {} },
    ]);
    expect(await store.node("old1")).toMatchObject({
      collectives: ["mcollective"],
      agents: ["rpcutil"],
      facts: { role: "web", os: { family: "RedHat" }, 'q"uote': [1, true, null] },
      classes: ["base"],
      version: "2.12.5",
      registrations: 7,
    });
    expect((await open({}, true)).describe()).toBe(store.describe());
  });
});

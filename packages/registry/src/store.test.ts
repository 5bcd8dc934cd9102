import { createLogger, memorySink, PluginSettings } from "@phobos/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations.js";
import { registrySettings } from "./settings.js";
import { openRegistryStore } from "./store.js";
import { createTestDatabase, type TestDatabase } from "./testing/test-database.js";
import type { RegistryStore } from "./types.js";

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

function settingsFor(database: string, extra: Record<string, string> = {}) {
  return registrySettings(
    new PluginSettings("registration", new Map(Object.entries({ database, ...extra }))),
  );
}

describe.each(["sqlite", "postgres"] as const)("the registry on %s", (kind) => {
  let db: TestDatabase;
  let clock: number;
  const sink = memorySink("debug");
  const log = createLogger(sink, "registry-test");
  const stores: RegistryStore[] = [];
  const open = async (extra: Record<string, string> = {}, readOnly = false) => {
    const store = await openRegistryStore(settingsFor(db.database, extra), log, {
      now: () => clock,
      readOnly,
    });
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    db = await createTestDatabase(kind);
    clock = T0;
    sink.lines.length = 0;
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await db.drop();
  });

  it("migrates a new database once: opening it again applies nothing", async () => {
    await (await open()).close();
    await (await open()).close();
    const applied = sink.lines.filter((l) => l.message.includes("applied schema migration"));
    expect(applied.map((l) => l.message)).toEqual([
      `registry ${describeOf(db)}: applied schema migration(s) 1, 2, 3`,
    ]);
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it("refuses a database whose schema is newer than it knows, saying so", async () => {
    await (await open()).close();
    await db.sql(
      `INSERT INTO registry_migrations (version, description, applied_at) VALUES (${SCHEMA_VERSION + 1}, 'from the future', 0)`,
    );
    await expect(open()).rejects.toThrow(
      `has registry schema version ${SCHEMA_VERSION + 1}, newer than the ${SCHEMA_VERSION} this Phobos knows`,
    );
    await expect(open({}, true)).rejects.toThrow("newer than");
  });

  it("stores a registration and keeps first seen while last seen moves on", async () => {
    const store = await open();
    store.record({
      identity: "web1",
      collective: "mcollective",
      agents: ["rpcutil", "discovery"],
      source: "agentlist",
    });
    await store.flush();
    clock += 300_000;
    store.record({ identity: "web1", collective: "mcollective", agents: ["rpcutil"], source: "agentlist" });
    await store.flush();
    const node = await store.node("web1");
    expect(node).toMatchObject({
      identity: "web1",
      collectives: ["mcollective"],
      agents: ["rpcutil"],
      facts: {},
      classes: [],
      version: undefined,
      source: "agentlist",
      stale: false,
      registrations: 2,
    });
    expect(node?.firstSeen.getTime()).toBe(T0);
    expect(node?.lastSeen.getTime()).toBe(T0 + 300_000);
  });

  it("keeps the facts and classes of a meta registration when an agentlist one follows", async () => {
    const store = await open();
    store.record({
      identity: "db1",
      collectives: ["mcollective", "eu"],
      agents: ["rpcutil", "package"],
      facts: { osfamily: "Debian", cpus: 4, mounts: ["/", "/var"], os: { release: { major: "12" } } },
      classes: ["postgres", "base"],
      version: "2.12.5",
      source: "meta",
    });
    await store.flush();
    store.record({ identity: "db1", collective: "asia", agents: ["rpcutil"], source: "agentlist" });
    await store.flush();
    expect(await store.node("db1")).toMatchObject({
      collectives: ["mcollective", "eu", "asia"],
      agents: ["rpcutil"],
      facts: { osfamily: "Debian", cpus: 4, mounts: ["/", "/var"], os: { release: { major: "12" } } },
      classes: ["postgres", "base"],
      version: "2.12.5",
      source: "agentlist",
    });
  });

  it("folds updates of one node queued together, the later fields winning", async () => {
    const store = await open();
    store.record({ identity: "n1", agents: ["a"], facts: { x: 1 }, source: "meta" });
    store.record({ identity: "n1", collective: "c1", agents: ["b"], source: "agentlist" });
    store.record({ identity: "n1", collective: "c2", source: "agentlist" });
    expect(store.counters()).toMatchObject({ received: 3, queued: 1 });
    await store.flush();
    expect(await store.node("n1")).toMatchObject({
      agents: ["b"],
      facts: { x: 1 },
      collectives: ["c1", "c2"],
      registrations: 3,
    });
    expect(store.counters()).toMatchObject({ written: 1, queued: 0 });
  });

  it("writes a queue longer than a batch in several batches", async () => {
    const store = await open({ batch_size: "7", queue_size: "100" });
    for (let i = 0; i < 50; i++)
      store.record({
        identity: `node${String(i).padStart(2, "0")}`,
        agents: ["rpcutil"],
        source: "agentlist",
      });
    await store.flush();
    const nodes = await store.nodes();
    expect(nodes.map((n) => n.identity)).toEqual(
      Array.from({ length: 50 }, (_, i) => `node${String(i).padStart(2, "0")}`),
    );
    expect(store.counters()).toMatchObject({ received: 50, written: 50, dropped: 0 });
  });

  it("flags a node stale after stale_after and stops listing it after expire_after, then deletes it", async () => {
    const store = await open({ stale_after: "600", expire_after: "3600" });
    store.record({ identity: "quiet", agents: [], source: "agentlist" });
    store.record({ identity: "chatty", agents: [], source: "agentlist" });
    await store.flush();
    clock += 600_000;
    expect((await store.node("quiet"))?.stale).toBe(false);
    clock += 1;
    expect((await store.node("quiet"))?.stale).toBe(true);
    store.record({ identity: "chatty", agents: [], source: "agentlist" });
    await store.flush();
    expect((await store.nodes()).map((n) => [n.identity, n.stale])).toEqual([
      ["chatty", false],
      ["quiet", true],
    ]);
    clock = T0 + 3_600_001;
    expect((await store.nodes()).map((n) => n.identity)).toEqual(["chatty"]);
    expect(await store.node("quiet")).toBeUndefined();
    expect(await store.expire()).toBe(1);
    expect(await store.history("quiet")).toEqual([]);
    expect(await store.expire()).toBe(0);
  });

  it("keeps at most `history` registrations per node, the newest first, and counts them all", async () => {
    const store = await open({ history: "4" });
    for (let i = 0; i < 11; i++) {
      store.record({
        identity: "h",
        collective: `c${i}`,
        source: i % 2 ? "meta" : "agentlist",
        seenAt: new Date(T0 + i * 1000),
      });
      if (i % 3 === 0) await store.flush();
    }
    await store.flush();
    const history = await store.history("h");
    expect(history.map((e) => [e.seenAt.getTime() - T0, e.source, e.collective])).toEqual([
      [10_000, "agentlist", "c10"],
      [9_000, "meta", "c9"],
      [8_000, "agentlist", "c8"],
      [7_000, "meta", "c7"],
    ]);
    expect((await store.node("h"))?.registrations).toBe(11);
  });

  it("drops updates of new nodes past queue_size, counts them and logs it once", async () => {
    const store = await open({ queue_size: "3", batch_size: "3", flush_interval: "3600" });
    const outcomes = ["a", "b", "c", "d", "e", "a"].map((identity) =>
      store.record({ identity, source: "agentlist" }),
    );
    expect(outcomes).toEqual(["queued", "queued", "queued", "dropped", "dropped", "queued"]);
    expect(store.counters()).toMatchObject({ received: 6, dropped: 2, queued: 3 });
    const warned = sink.lines.filter((l) => l.message.includes("queue_size"));
    expect(warned).toHaveLength(1);
    expect(warned[0]?.message).toContain("dropped the registration of d; 1 dropped so far");
    await store.flush();
    expect((await store.nodes()).map((n) => n.identity)).toEqual(["a", "b", "c"]);
  });

  it("lets a read-only reader see what the writer stored, and refuses it record()", async () => {
    const writer = await open();
    writer.record({ identity: "r1", agents: ["rpcutil"], source: "agentlist" });
    await writer.flush();
    const reader = await open({}, true);
    expect((await reader.nodes()).map((n) => n.identity)).toEqual(["r1"]);
    expect(() => reader.record({ identity: "r2", source: "agentlist" })).toThrow("read-only");
  });

  it("refuses an update without an identity or with an unknown source", async () => {
    const store = await open();
    expect(() => store.record({ identity: "", source: "agentlist" })).toThrow("needs an identity");
    expect(() => store.record({ identity: "x", source: "puppetdb" as never })).toThrow(
      "source is one of agentlist, meta, inventory",
    );
  });
});

function describeOf(db: TestDatabase): string {
  return db.kind === "sqlite" ? `sqlite:${db.database}` : db.database.replace(/:[^:@/]*@/, ":***@");
}

describe.each(["sqlite", "postgres"] as const)("reading only some facts on %s", (kind) => {
  let db: TestDatabase;
  let store: RegistryStore;
  beforeEach(async () => {
    db = await createTestDatabase(kind);
    store = await openRegistryStore(settingsFor(db.database), createLogger(memorySink(), "t"));
  });
  afterEach(async () => {
    await store.close();
    await db.drop();
  });

  it("gives just the named facts, exact keys before dotted paths, and leaves out missing ones", async () => {
    store.record({
      identity: "a",
      agents: ["rpcutil"],
      facts: {
        role: "web",
        "os.family": "flat",
        os: { family: "Debian", release: { major: "12" } },
        disks: [{ size: "10" }, { size: "20" }],
        mounts: ["/", "/var"],
        empty: null,
        'we"ird\\': "quoted",
      },
      classes: ["base"],
      source: "meta",
    });
    store.record({ identity: "b", agents: ["rpcutil"], facts: { role: "db" }, source: "meta" });
    await store.flush();
    const names = [
      "role",
      "os.family",
      "os.release.major",
      "disks.1.size",
      "mounts",
      "os",
      "missing",
      "empty",
    ];
    const nodes = await store.nodes({ facts: names });
    expect(nodes.map((n) => [n.identity, n.facts])).toEqual([
      [
        "a",
        {
          role: "web",
          "os.family": "flat",
          "os.release.major": "12",
          "disks.1.size": "20",
          mounts: ["/", "/var"],
          os: { family: "Debian", release: { major: "12" } },
          empty: null,
        },
      ],
      ["b", { role: "db" }],
    ]);
    expect(nodes[0]).toMatchObject({ agents: ["rpcutil"], classes: ["base"], source: "meta" });
    expect((await store.nodes({ facts: ['we"ird\\', "role"] })).map((n) => n.facts)).toEqual([
      { 'we"ird\\': "quoted", role: "web" },
      { role: "db" },
    ]);
    expect((await store.nodes({ facts: [] })).map((n) => n.facts)).toEqual([{}, {}]);
  });
});

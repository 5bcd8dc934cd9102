import { createLogger, memorySink, PluginSettings } from "@phobos/core";
import { afterEach, describe, expect, it } from "vitest";
import { registrySettings } from "./settings.js";
import { openRegistryStore } from "./store.js";
import { createTestDatabase, type TestDatabase } from "./testing/test-database.js";
import type { RegistryStore } from "./types.js";

const settingsFor = (database: string, extra: Record<string, string> = {}) =>
  registrySettings(new PluginSettings("registration", new Map(Object.entries({ database, ...extra }))));

let db: TestDatabase | undefined;
let store: RegistryStore | undefined;
afterEach(async () => {
  await store?.close();
  await db?.unblock();
  await db?.drop();
  store = undefined;
  db = undefined;
});

describe("a registry whose database goes away", () => {
  it("keeps writes queued while PostgreSQL refuses connections, logs once, and writes them when it is back", async () => {
    db = await createTestDatabase("postgres");
    const sink = memorySink("debug");
    let clock = Date.UTC(2026, 11, 1);
    store = await openRegistryStore(
      settingsFor(db.database, { flush_interval: "3600" }),
      createLogger(sink, "t"),
      {
        now: () => clock,
      },
    );
    store.record({ identity: "before", agents: ["rpcutil"], facts: { role: "web" }, source: "meta" });
    await store.flush();

    await db.block();
    store.record({ identity: "during1", agents: ["rpcutil"], source: "agentlist" });
    store.record({ identity: "during2", agents: ["rpcutil"], source: "agentlist" });
    await expect(store.flush()).rejects.toThrow("writing a batch failed");
    store.record({ identity: "before", agents: ["rpcutil", "package"], source: "agentlist" });
    await expect(store.flush()).rejects.toThrow("writing a batch failed");
    await expect(store.nodes()).rejects.toThrow("cannot read the registry");
    expect(store.counters()).toMatchObject({ queued: 3, failedFlushes: 2, dropped: 0 });
    const writeWarnings = sink.lines.filter((l) => l.message.includes("keeping them queued"));
    expect(writeWarnings).toHaveLength(1);
    expect(writeWarnings[0]?.message).toMatch(/cannot write \d queued node update\(s\) \(\w+: /);

    clock += 61_000;
    await expect(store.flush()).rejects.toThrow();
    const again = sink.lines.filter((l) => l.message.includes("keeping them queued"));
    expect(again).toHaveLength(2);
    expect(again[1]?.message).toContain("more since the last report of this");

    await db.unblock();
    await store.flush();
    expect(sink.lines.some((l) => l.message.includes("writing again after 3 failed attempt(s)"))).toBe(true);
    const nodes = await store.nodes();
    expect(nodes.map((n) => n.identity)).toEqual(["before", "during1", "during2"]);
    expect(nodes[0]).toMatchObject({
      agents: ["rpcutil", "package"],
      facts: { role: "web" },
      registrations: 2,
    });
  });

  it("keeps what a full SQLite file holds and writes again once the oversized update is replaced", async () => {
    db = await createTestDatabase("sqlite");
    const sink = memorySink("debug");
    store = await openRegistryStore(
      settingsFor(db.database, { max_size: String(96 * 1024), flush_interval: "3600" }),
      createLogger(sink, "t"),
    );
    store.record({ identity: "a", agents: ["rpcutil"], facts: { small: true }, source: "meta" });
    await store.flush();
    const huge = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`fact${i}`, "x".repeat(100)]));
    store.record({ identity: "b", facts: huge, source: "meta" });
    await expect(store.flush()).rejects.toThrow("database or disk is full");
    expect(sink.lines.filter((l) => l.message.includes("SQLITE_FULL"))).toHaveLength(1);
    expect((await store.nodes()).map((n) => [n.identity, n.facts])).toEqual([["a", { small: true }]]);
    store.record({ identity: "b", facts: { small: false }, source: "meta" });
    await store.flush();
    expect((await store.nodes()).map((n) => [n.identity, n.facts])).toEqual([
      ["a", { small: true }],
      ["b", { small: false }],
    ]);
  });

  it("fails to open with an error naming the database when PostgreSQL refuses it", async () => {
    db = await createTestDatabase("postgres");
    await db.block();
    await expect(
      openRegistryStore(settingsFor(db.database), createLogger(memorySink(), "t")),
    ).rejects.toThrow(
      /cannot open the registry postgres:\/\/postgres@127\.0\.0\.1:5432\/registry_h2_\w+: .*not currently accepting connections/,
    );
  });

  it("a reader names the refused connection, not a missing registry, when PostgreSQL refuses it", async () => {
    db = await createTestDatabase("postgres");
    await openRegistryStore(settingsFor(db.database), createLogger(memorySink(), "t")).then((s) => s.close());
    await db.block();
    const opening = openRegistryStore(settingsFor(db.database), createLogger(memorySink(), "t"), {
      readOnly: true,
    });
    await expect(opening).rejects.toThrow(/not currently accepting connections/);
    await expect(opening).rejects.not.toThrow(/holds no registry/);
  });

  it("says so when a SQLite registry's directory or file is missing", async () => {
    await expect(
      openRegistryStore(settingsFor("/nonexistent-dir/registry.db"), createLogger(memorySink(), "t")),
    ).rejects.toThrow("the directory /nonexistent-dir does not exist");
    db = await createTestDatabase("sqlite");
    await expect(
      openRegistryStore(settingsFor(db.database), createLogger(memorySink(), "t"), { readOnly: true }),
    ).rejects.toThrow(`no registry at ${db.database}`);
  });
});

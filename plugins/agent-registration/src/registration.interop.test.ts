/**
 * Ruby MCollective's registration, received by Phobos: a Ruby mcollectived
 * with `registerinterval` set sends its default `agentlist` registration
 * to the `registration` agent in its `registration_collective`; two Phobos
 * mcollectived running this agent, one on SQLite and one on PostgreSQL,
 * store it: identity, agents, collective. The PostgreSQL one then loses its
 * database: it keeps answering RPC, keeps the registrations queued, and
 * stores them when the database is back.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, memorySink, PluginSettings } from "@phobos/core";
import { type RubyFleet, startRubyFleet } from "@phobos/interop";
import { type NodeRecord, openRegistryStore, type RegistryStore, registrySettings } from "@phobos/registry";
import { createTestDatabase, type TestDatabase } from "@phobos/registry/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

let fleet: RubyFleet;
let work: string;
let postgres: TestDatabase;
const databases: Record<string, string> = {};
const readers: RegistryStore[] = [];
const WAIT = { timeout: 30_000, interval: 200 };

/** The registry a receiver writes, opened as discovery would: read-only. */
async function reader(receiver: string): Promise<RegistryStore> {
  const settings = registrySettings(
    new PluginSettings("registry", new Map([["database", databases[receiver] as string]])),
  );
  const store = await openRegistryStore(settings, createLogger(memorySink(), "test"), { readOnly: true });
  readers.push(store);
  return store;
}

async function stored(store: RegistryStore, identity: string): Promise<NodeRecord> {
  return vi.waitFor(async () => {
    const node = await store.node(identity);
    if (node === undefined) throw new Error(`${identity} is not stored yet`);
    return node;
  }, WAIT);
}

const logOf = (identity: string) => readFile(fleet.node(identity).logFile, "utf8");

const receiverNode = (identity: string, database: string) => ({
  identity,
  implementation: "phobos" as const,
  agents: ["discovery", "registration", "rpcutil"],
  extra: { "plugin.registration.database": database, "plugin.registration.flush_interval": 0.2 },
});

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "phobos-registration-"));
  postgres = await createTestDatabase("postgres");
  databases["registry-sqlite"] = join(work, "registry.db");
  databases["registry-pg"] = postgres.database;
  fleet = await startRubyFleet({
    vhostPrefix: "phobos-registration",
    collectives: ["mcollective", "registrations"],
    nodes: [
      receiverNode("registry-sqlite", databases["registry-sqlite"]),
      receiverNode("registry-pg", databases["registry-pg"]),
    ],
  });
  // The receivers are subscribed before Ruby's first registration, which it sends at start.
  await fleet.addNodes([
    {
      identity: "ruby1",
      facts: { role: "web" },
      extra: { registerinterval: 1, registration_collective: "registrations" },
    },
  ]);
}, 120_000);

afterAll(async () => {
  for (const store of readers) await store.close();
  await fleet?.dispose();
  await postgres?.unblock();
  await postgres?.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(["registry-sqlite", "registry-pg"])("a Phobos receiver (%s)", (receiver) => {
  it("stores the Ruby daemon's agentlist registration: identity, agents, collective", async () => {
    const store = await reader(receiver);
    const record = await stored(store, "ruby1");
    expect(record).toMatchObject({
      identity: "ruby1",
      collectives: ["registrations"],
      source: "agentlist",
      facts: {},
      stale: false,
    });
    expect(record.agents).toEqual(expect.arrayContaining(["discovery", "rpcutil"]));
    expect([...record.agents].sort()).toEqual([...fleet.node("ruby1").agents].sort());
    // Ruby sends it every registerinterval: the record is updated, not duplicated.
    await vi.waitFor(
      async () => expect((await store.node("ruby1"))?.registrations).toBeGreaterThan(record.registrations),
      WAIT,
    );
    expect((await store.nodes()).map((n) => n.identity)).toEqual(["ruby1"]);
  });
});

describe("a Phobos receiver whose PostgreSQL goes down", () => {
  it("keeps answering RPC and stores the registrations that came meanwhile when the database is back", async () => {
    const store = await reader("registry-pg");
    const before = await stored(store, "ruby1");
    await postgres.block();
    const ping = await fleet.mco(["rpc", "rpcutil", "ping", "-I", "registry-pg", "-j"]);
    expect(JSON.parse(ping.stdout)).toMatchObject([{ sender: "registry-pg", statuscode: 0 }]);
    await vi.waitFor(async () => expect(await logOf("registry-pg")).toContain("keeping them queued"), WAIT);
    await postgres.unblock();
    await vi.waitFor(async () => expect(await logOf("registry-pg")).toContain("writing again after"), WAIT);
    const after = await stored(store, "ruby1");
    expect(after.firstSeen).toEqual(before.firstSeen);
    expect(after.lastSeen.getTime()).toBeGreaterThan(before.lastSeen.getTime());
    expect(after.registrations).toBeGreaterThan(before.registrations);
  });
});

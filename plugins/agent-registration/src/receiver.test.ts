import {
  createLogger,
  type DecodedRequest,
  emptyFilter,
  memorySink,
  PluginSettings,
  type RubyValue,
  sym,
} from "@phobos/core";
import { openRegistryStore, registrySettings } from "@phobos/registry";
import { createTestDatabase, type TestDatabase } from "@phobos/registry/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RegistrationReceiver } from "./receiver.js";

const request = (senderid: string, collective = "mcollective"): DecodedRequest => ({
  senderid,
  requestid: "0123456789abcdef0123456789abcdef",
  filter: emptyFilter(),
  collective,
  agent: "registration",
  callerid: "uid=0",
  ttl: 60,
  msgtime: 1_700_000_000,
  body: null,
});

const meta = (facts: Record<string, RubyValue>) =>
  new Map<RubyValue, RubyValue>([
    [sym("agentlist"), ["rpcutil", "package"]],
    [sym("facts"), new Map(Object.entries(facts))],
    [sym("classes"), ["base"]],
    [sym("collectives"), ["mcollective"]],
  ]);

let db: TestDatabase | undefined;
let receiver: RegistrationReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  await db?.unblock();
  await db?.drop();
  receiver = undefined;
  db = undefined;
});

async function start(
  kind: "sqlite" | "postgres",
  extra: Record<string, string> = {},
  maxFactsSize = 256 * 1024,
) {
  db = await createTestDatabase(kind);
  const sink = memorySink("debug");
  const clock = { now: Date.UTC(2026, 11, 1) };
  const settings = registrySettings(
    new PluginSettings(
      "registration",
      new Map(Object.entries({ database: db.database, flush_interval: "3600", ...extra })),
    ),
  );
  receiver = new RegistrationReceiver(settings, createLogger(sink, "registration"), {
    maxFactsSize,
    reopenAfter: 0.05,
    now: () => clock.now,
  });
  return { sink, clock, settings, receiver, db };
}

const warnings = (sink: ReturnType<typeof memorySink>, text: string) =>
  sink.lines.filter((l) => l.message.includes(text)).map((l) => l.message);

describe.each(["sqlite", "postgres"] as const)("the registration receiver on %s", (kind) => {
  it("stores a Ruby agentlist registration under the sender's identity and the request's collective", async () => {
    const { receiver } = await start(kind);
    await receiver.start();
    expect(
      receiver.handle(["discovery", "rpcutil"], request("ruby1.example.com", "eu_collective")),
    ).toBeUndefined();
    await receiver.flush();
    expect(await receiver.store?.node("ruby1.example.com")).toMatchObject({
      identity: "ruby1.example.com",
      agents: ["discovery", "rpcutil"],
      collectives: ["eu_collective"],
      source: "agentlist",
    });
  });

  it("stores a meta registration and keeps its facts when an agentlist one follows", async () => {
    const { receiver } = await start(kind);
    await receiver.start();
    receiver.handle(meta({ role: "db" }), request("n1"));
    await receiver.flush();
    receiver.handle(["rpcutil"], request("n1"));
    await receiver.flush();
    expect(await receiver.store?.node("n1")).toMatchObject({
      agents: ["rpcutil"],
      facts: { role: "db" },
      classes: ["base"],
      source: "agentlist",
    });
  });

  it("refuses bodies of the wrong type without throwing, logging once per cause per minute", async () => {
    const { receiver, sink, clock } = await start(kind);
    await receiver.start();
    for (let i = 0; i < 100; i++) {
      expect(receiver.handle("ping", request(`n${i}`))).toBeUndefined();
      expect(receiver.handle(42, request(`n${i}`))).toBeUndefined();
      expect(receiver.handle(["rpcutil", i], request(`n${i}`))).toBeUndefined();
    }
    receiver.handle(["ok"], request("bad sender!"));
    const refusals = warnings(sink, "ignored the registration");
    expect(refusals).toEqual([
      'ignored the registration from n0: a registration body is an Array of agent names or a meta Hash, got String "ping" (1 refused so far)',
      "ignored the registration from n0: item 1 of the agent list is Integer 0, not a String (3 refused so far)",
    ]);
    expect(warnings(sink, 'senderid "bad sender!" is not an identity')).toHaveLength(1);
    clock.now += 60_000;
    receiver.handle("ping", request("late"));
    expect(warnings(sink, "ignored the registration")).toHaveLength(3);
    expect(warnings(sink, "ignored the registration")[2]).toContain(
      "(199 more since the last report of this)",
    );
    await receiver.flush();
    expect(await receiver.store?.nodes()).toEqual([]);
    expect(receiver.counters()).toMatchObject({ messages: 302, refused: 302 });
  });

  it("stores a node with 1 MB of facts without them, keeping the facts stored before, and says so", async () => {
    const { receiver, sink } = await start(kind);
    await receiver.start();
    receiver.handle(meta({ role: "web" }), request("big"));
    await receiver.flush();
    const huge = Object.fromEntries(Array.from({ length: 1024 }, (_, i) => [`fact_${i}`, "x".repeat(1024)]));
    receiver.handle(meta(huge), request("big"));
    await receiver.flush();
    expect(await receiver.store?.node("big")).toMatchObject({
      facts: { role: "web" },
      agents: ["rpcutil", "package"],
      registrations: 2,
    });
    const said = warnings(sink, "max_facts_size");
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(
      /the facts of big are 10\d{5} bytes, over plugin\.registration\.max_facts_size \(262144\)/,
    );
    expect(receiver.counters().factsDropped).toBe(1);
  });

  it("bounds a flood of 10,000 registrations a second for 10 s: drops past queue_size, counted, logged once", async () => {
    const { receiver, sink, clock } = await start(kind, { queue_size: "2000", batch_size: "500" });
    await receiver.start();
    for (let second = 0; second < 10; second++) {
      for (let i = 0; i < 10_000; i++) receiver.handle(["rpcutil"], request(`flood${i}`));
      await receiver.flush();
      clock.now += 1000;
    }
    const counters = receiver.counters();
    expect(counters.messages).toBe(100_000);
    expect(counters.store).toMatchObject({ received: 100_000, dropped: 80_000, queued: 0 });
    expect(warnings(sink, "queue_size")).toHaveLength(1);
    const nodes = (await receiver.store?.nodes()) ?? [];
    expect(nodes).toHaveLength(2000);
    expect(nodes.every((n) => n.registrations === 10)).toBe(true);
  });
});

describe("the registration receiver and a PostgreSQL that goes down", () => {
  it("keeps registrations queued while the database is down and stores them, and what was there, when it is back", async () => {
    const { receiver, db, sink } = await start("postgres");
    await receiver.start();
    receiver.handle(meta({ role: "web" }), request("stored.before"));
    await receiver.flush();
    await db.block();
    for (let i = 0; i < 50; i++) expect(receiver.handle(["rpcutil"], request(`during${i}`))).toBeUndefined();
    await expect(receiver.flush()).rejects.toThrow();
    await expect(receiver.flush()).rejects.toThrow();
    expect(warnings(sink, "keeping them queued")).toHaveLength(1);
    expect(receiver.counters().store).toMatchObject({ queued: 50, dropped: 0 });
    await db.unblock();
    await receiver.flush();
    const nodes = (await receiver.store?.nodes()) ?? [];
    expect(nodes).toHaveLength(51);
    expect(nodes.find((n) => n.identity === "stored.before")?.facts).toEqual({ role: "web" });
  });

  it("opens a database that was down at start once it is back, dropping and counting what came meanwhile", async () => {
    const { receiver, db, sink, settings } = await start("postgres");
    // Migrated once, then down: the receiver's own first open fails.
    await (await openRegistryStore(settings, createLogger(memorySink(), "t"))).close();
    await db.block();
    await receiver.start();
    expect(receiver.store).toBeUndefined();
    receiver.handle(["rpcutil"], request("early"));
    expect(receiver.counters().notOpen).toBe(1);
    expect(warnings(sink, "retrying every 0.05 s")).toHaveLength(1);
    expect(warnings(sink, "dropped the registration from early: the registry is not open")).toHaveLength(1);
    await db.unblock();
    await vi.waitFor(() => expect(receiver?.store).toBeDefined(), { timeout: 30_000, interval: 50 });
    receiver.handle(["rpcutil"], request("later"));
    await receiver.flush();
    expect((await receiver.store?.nodes())?.map((n) => n.identity)).toEqual(["later"]);
  });
});

/**
 * The daemon engine without a broker: a Server loaded with in-memory
 * plugins (a loopback connector the test feeds frames into, psk's md5
 * scheme, a demo agent), driven through the same path a message off the
 * wire takes. DDL validation messages are compared with what Debian's
 * MCollective 2.12.5 says for the same DDL, in one Ruby process.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { OutboundReply, PluginType, SecurityProvider } from "@phobos/core";
import {
  configFromText,
  createLogger,
  createRequestId,
  dump,
  emptyFilter,
  type Filter,
  memorySink,
  type PluginEntry,
  PluginRegistry,
  type RubyValue,
  rpcReplyFromRuby,
  rpcRequestToRuby,
  sym,
} from "@phobos/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { seen, slowRuns } from "./__fixtures__/demo-agent.js";
import { bus } from "./__fixtures__/loopback-bus.js";
import md5Security, { SECRET } from "./__fixtures__/md5-security.js";
import { Server } from "./server.js";

const fixture = (file: string) => fileURLToPath(new URL(`./__fixtures__/${file}`, import.meta.url));
const PROVISION = "run `sh tooling/scripts/provision.sh`";

function entry(type: PluginType, name: string, file: string, ddl?: string): PluginEntry {
  return {
    type,
    name,
    source: "libdir",
    packageName: `server-test-${name}`,
    version: "1.0.0",
    packageDir: fixture("."),
    entryPath: fixture(file),
    ...(ddl ? { ddlPath: fixture(ddl) } : {}),
    description: undefined,
    shadowed: [],
    error: undefined,
  };
}

let dir: string;
let server: Server;
const sink = memorySink("debug");
let security: SecurityProvider;

beforeAll(async () => {
  bus.reset();
  dir = await mkdtemp(join(tmpdir(), "phobos-server-test-"));
  await writeFile(join(dir, "classes.txt"), "base\nrole::web\n");
  const config = configFromText(
    [
      "identity = node1",
      "connector = loopback",
      "securityprovider = md5",
      "factsource = static",
      `classesfile = ${join(dir, "classes.txt")}`,
      `plugin.replay.file = ${join(dir, "replay")}`,
    ].join("\n"),
  );
  const registry = new PluginRegistry(
    [
      entry("connector", "loopback", "loopback-connector.ts"),
      entry("security", "md5", "md5-security.ts"),
      entry("facts", "static", "static-facts.ts"),
      entry("agent", "demo", "demo-agent.ts", "demo-ddl.ts"),
    ],
    [],
  );
  server = new Server({ config, registry, log: createLogger(sink) });
  await server.start();
  security = await md5Security.create({} as never);
});

afterAll(async () => {
  for (const finish of slowRuns) finish();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Send {
  agent?: string;
  body: RubyValue;
  filter?: Filter;
  callerid?: string;
  msgtime?: number;
}

/** Encodes and delivers a request as the connector would; returns its request id. */
function deliver(spec: Send): string {
  const requestid = createRequestId();
  const bytes = security.encodeRequest({
    senderid: "tester",
    requestid,
    filter: spec.filter ?? emptyFilter(),
    collective: "mcollective",
    agent: spec.agent ?? "demo",
    ttl: 60,
    msgtime: spec.msgtime ?? Math.floor(Date.now() / 1000),
    body: spec.body,
  });
  deliverBytes(bytes);
  return requestid;
}

function deliverBytes(bytes: Uint8Array): void {
  if (!bus.deliver) throw new Error("the server did not register a message handler");
  bus.deliver({ body: bytes, headers: { "reply-to": "/reply-queue/test", mc_sender: "tester" } });
}

const rpc = (action: string, data: Record<string, unknown> = {}, processResults = true) =>
  rpcRequestToRuby({
    agent: "demo",
    action,
    caller: "uid=500",
    data: { ...data, process_results: processResults },
  });

function repliesTo(requestid: string) {
  return bus.published
    .filter((m): m is OutboundReply => m.kind === "reply")
    .map((m) => security.decodeReply(m.body))
    .filter((r) => r.requestid === requestid);
}

async function reply(requestid: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [found] = repliesTo(requestid);
    if (found) return rpcReplyFromRuby(found.body);
    if (Date.now() > deadline) throw new Error(`no reply to ${requestid} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Lets every job the server has in hand run to its end. */
const settle = () => new Promise((r) => setTimeout(r, 50));

const defaults = { greeting: "none", count: null };

describe("Server start-up", () => {
  it("subscribes to its directed queue and to each agent's broadcast", () => {
    expect(bus.subscriptions).toEqual([
      { kind: "directed", collective: "mcollective" },
      { kind: "broadcast", agent: "demo", collective: "mcollective" },
    ]);
    expect(bus.connected).toBe(true);
  });
});

describe("DDL validation on the daemon", () => {
  const cases: { action: string; data: Record<string, unknown> }[] = [
    { action: "greet", data: {} },
    { action: "greet", data: { name: 5 } },
    { action: "greet", data: { name: "a b" } },
    { action: "greet", data: { name: "abcdefghijkl" } },
    { action: "greet", data: { name: "bob", times: "x" } },
    { action: "greet", data: { name: "bob", color: "blue" } },
    { action: "greet", data: { name: "bob", loud: "yes" } },
    { action: "nosuch", data: {} },
  ];
  let ruby: string[];

  beforeAll(() => {
    const run = spawnSync("ruby", [fixture("ruby-ddl-messages.rb")], {
      input: cases.map((c) => JSON.stringify(c)).join("\n"),
      encoding: "utf8",
    });
    if (run.error || run.status !== 0) {
      throw new Error(
        `Ruby MCollective could not be asked (${run.error?.message ?? run.stderr}): ${PROVISION}`,
      );
    }
    ruby = run.stdout.trimEnd().split("\n");
  });

  it("fails each invalid request with status 4 and the message Ruby MCollective gives", async () => {
    expect(ruby).toHaveLength(cases.length);
    expect(ruby.every((m) => m !== "OK")).toBe(true);
    const got: string[] = [];
    for (const c of cases) {
      const r = await reply(deliver({ body: rpc(c.action, c.data) }));
      expect(r.statuscode, r.statusmsg).toBe(4);
      got.push(r.statusmsg);
    }
    expect(got).toEqual(ruby);
  });

  it("pre-fills a failed reply with the DDL's outputs, as Ruby does", async () => {
    const r = await reply(deliver({ body: rpc("greet", { name: "a b" }) }));
    expect(r.data).toEqual(defaults);
  });
});

describe("actions and their status codes", () => {
  it("applies DDL defaults to missing required inputs (MCollective's rule) before the action runs", async () => {
    const r = await reply(deliver({ body: rpc("greet", { name: "bob" }) }));
    expect(r).toMatchObject({ statuscode: 0, statusmsg: "OK", data: { greeting: "hello bob", count: null } });
    // `times` is optional: MCollective never fills in an optional input's default.
    expect(seen.at(-1)).toEqual({
      action: "greet",
      data: { name: "bob", word: "hello", process_results: true },
    });
  });

  it("pre-fills the reply with every declared output at its DDL default", async () => {
    const r = await reply(deliver({ body: rpc("quiet") }));
    expect(r).toMatchObject({ statuscode: 0, data: defaults });
  });

  it("a declared action with no handler is status 2", async () => {
    const r = await reply(deliver({ body: rpc("missing") }));
    expect({ code: r.statuscode, msg: r.statusmsg }).toEqual({
      code: 2,
      msg: "Unknown action 'missing' for agent 'demo'",
    });
  });

  it("RpcAbortedError (reply.fail!) is status 1 with its message", async () => {
    const r = await reply(deliver({ body: rpc("abort") }));
    expect(r).toMatchObject({ statuscode: 1, statusmsg: "Not today", data: defaults });
  });

  it("any other Error is status 5, logged with its stack, and the daemon carries on", async () => {
    const failedBefore = server.stats.failed;
    const r = await reply(deliver({ body: rpc("crash") }));
    expect(r).toMatchObject({
      statuscode: 5,
      statusmsg: "cannot read properties of undefined (reading 'x')",
    });
    expect(server.stats.failed).toBe(failedBefore + 1);
    const logged = sink.lines.find(
      (l) => l.level === "error" && l.message.startsWith("demo#crash failed: TypeError:"),
    );
    expect(logged?.message).toMatch(/\n\tTypeError: .*\n\s+at (Object\.)?crash /);
    expect((await reply(deliver({ body: rpc("greet", { name: "again" }) }))).statuscode).toBe(0);
  });

  it("an action that outlives the DDL timeout gets a status 5 reply once it passes; others are answered meanwhile", async () => {
    const started = Date.now();
    const slow = deliver({ body: rpc("slow") });
    const other = await reply(deliver({ body: rpc("greet", { name: "meanwhile" }) }));
    expect(other.statuscode).toBe(0);
    expect(repliesTo(slow)).toEqual([]);
    const r = await reply(slow, 20_000);
    const took = Date.now() - started;
    expect({ code: r.statuscode, msg: r.statusmsg }).toEqual({
      code: 5,
      msg: "demo#slow did not finish within its 1s timeout",
    });
    // The DDL says 1 s: the reply comes no sooner (a timer never fires early).
    expect(took).toBeGreaterThanOrEqual(950);
    // The abandoned action ending later changes nothing that was sent.
    slowRuns.shift()?.();
    await settle();
    expect(repliesTo(slow)).toHaveLength(1);
    expect((await reply(deliver({ body: rpc("greet", { name: "after" }) }))).statuscode).toBe(0);
  });

  it("process_results false runs the action and sends no reply", async () => {
    const before = seen.length;
    const requestid = deliver({ body: rpc("quiet", {}, false) });
    await settle();
    expect(seen.length).toBe(before + 1);
    expect(repliesTo(requestid)).toEqual([]);
  });
});

describe("bad input reaching the engine", () => {
  const counters = () => ({ ...server.stats.snapshot(), ...server.stats.phobosCounters() });

  async function refused(send: () => string | undefined, moved: Record<string, number>, logged: RegExp) {
    const before = counters();
    const lines = sink.lines.length;
    const requestid = send();
    // The engine works asynchronously: wait for its verdict, however loaded the machine.
    await vi.waitFor(
      () => {
        const after = counters();
        const delta = Object.fromEntries(
          Object.entries(after)
            .map(([k, v]) => [k, (v as number) - (before[k as keyof typeof before] as number)])
            .filter(([, v]) => v !== 0),
        );
        expect(delta).toEqual(moved);
        expect(sink.lines.slice(lines).map((l) => l.message)).toContainEqual(expect.stringMatching(logged));
      },
      { timeout: 10_000, interval: 20 },
    );
    await settle();
    if (requestid) expect(repliesTo(requestid)).toEqual([]);
  }

  it("bytes that are no envelope: malformed", async () => {
    await refused(
      () => {
        deliverBytes(Buffer.from("garbage"));
        return undefined;
      },
      { total: 1, malformed: 1 },
      /^Failed to handle message from tester: not an envelope: /,
    );
  });

  it("a hash that does not match: unvalidated", async () => {
    const body = rpc("quiet");
    const SIGNED_DIGIT_PREFIX = createHash("md5").update(dump(body)).update(SECRET).digest("hex");
    const bytes = security.encodeRequest({
      senderid: "tester",
      requestid: createRequestId(),
      filter: emptyFilter(),
      collective: "mcollective",
      agent: "demo",
      ttl: 60,
      msgtime: Math.floor(Date.now() / 1000),
      body,
    });
    // One hex digit of :hash changed: still an envelope, no longer signed.
    const at = Buffer.from(bytes).indexOf(SIGNED_DIGIT_PREFIX);
    bytes[at] = bytes[at] === 0x30 ? 0x31 : 0x30;
    await refused(
      () => {
        deliverBytes(bytes);
        return undefined;
      },
      { total: 1, unvalidated: 1 },
      /^Failed to handle message from tester: Received an invalid signature in message$/,
    );
  });

  it("an expired request: ttlexpired", async () => {
    await refused(
      () => deliver({ body: rpc("quiet"), msgtime: Math.floor(Date.now() / 1000) - 61 }),
      { total: 1, validated: 1, ttlexpired: 1 },
      /created at \d+ is 6[12] seconds old, TTL is 60\. Rejecting message\./,
    );
  });

  it("a filter Ruby would raise on: neither passed nor filtered, logged with the reason", async () => {
    await refused(
      () => deliver({ body: rpc("quiet"), filter: { ...emptyFilter(), compound: [[{ and: "and" }]] } }),
      { total: 1, validated: 1, malformed: 1 },
      /^Failed to evaluate the filter of \w{32} for agent 'demo' .*: compound filter is not a boolean expression/,
    );
  });

  it("a filter that does not match: filtered", async () => {
    await refused(
      () => deliver({ body: rpc("quiet"), filter: { ...emptyFilter(), cf_class: ["role::db"] } }),
      { total: 1, validated: 1, filtered: 1 },
      /does not pass filters\. Ignoring message\.$/,
    );
  });

  it("a request for an agent this node does not run: unknown agent", async () => {
    await refused(
      () => deliver({ agent: "nosuch", body: rpc("quiet") }),
      { total: 1, validated: 1, passed: 1, unknown_agent: 1 },
      /^Execution of nosuch failed: this node has no agent called 'nosuch'$/,
    );
  });

  it("a SimpleRPC body that is not a Hash: status 4, as Ruby's DDL check would put it", async () => {
    const r = await reply(deliver({ body: [sym("not"), "a hash"] }));
    expect(r.statuscode).toBe(4);
  });

  it("after all of it the daemon answers", async () => {
    expect((await reply(deliver({ body: rpc("greet", { name: "still" }) }))).statuscode).toBe(0);
  });
});

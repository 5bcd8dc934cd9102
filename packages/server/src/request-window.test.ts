/**
 * How long a request stays valid on a daemon, and how long it remembers one:
 * `plugin.replay.max_ttl`, `plugin.replay.max_clock_skew` and the replay
 * record in `plugin.replay.file`, which outlives a restart. A Server with
 * in-memory plugins (loopback connector, psk's md5 scheme, a demo agent),
 * driven the way a message off the wire drives it.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { OutboundReply, PluginType, RequestEnvelope, SecurityProvider } from "@phobos/core";
import {
  ConfigError,
  configFromText,
  createLogger,
  createRequestId,
  emptyFilter,
  memorySink,
  type PluginEntry,
  PluginRegistry,
  rpcReplyFromRuby,
  rpcRequestToRuby,
} from "@phobos/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bus } from "./__fixtures__/loopback-bus.js";
import md5Security from "./__fixtures__/md5-security.js";
import { readRequestWindow, Server } from "./server.js";

const fixture = (file: string) => fileURLToPath(new URL(`./__fixtures__/${file}`, import.meta.url));

function entry(type: PluginType, name: string, file: string, ddl?: string): PluginEntry {
  return {
    type,
    name,
    source: "libdir",
    packageName: `request-window-test-${name}`,
    version: "1.0.0",
    packageDir: fixture("."),
    entryPath: fixture(file),
    ...(ddl ? { ddlPath: fixture(ddl) } : {}),
    description: undefined,
    shadowed: [],
    error: undefined,
  };
}

const registry = () =>
  new PluginRegistry(
    [
      entry("connector", "loopback", "loopback-connector.ts"),
      entry("security", "md5", "md5-security.ts"),
      entry("facts", "static", "static-facts.ts"),
      entry("agent", "demo", "demo-agent.ts", "demo-ddl.ts"),
    ],
    [],
  );

let dir: string;
let security: SecurityProvider;
let sink: ReturnType<typeof memorySink>;
let running: Server | undefined;

const configText = (extra: string[]) =>
  [
    "identity = node1",
    "connector = loopback",
    "securityprovider = md5",
    "factsource = static",
    `classesfile = ${join(dir, "classes.txt")}`,
    ...extra,
  ].join("\n");

async function startServer(extra: string[] = []): Promise<Server> {
  bus.reset();
  sink = memorySink("debug");
  const server = new Server({
    config: configFromText(configText(extra)),
    registry: registry(),
    log: createLogger(sink),
  });
  await server.start();
  running = server;
  return server;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "phobos-request-window-"));
  await writeFile(join(dir, "classes.txt"), "base\n");
  security = await md5Security.create({} as never);
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);

function encode(overrides: Partial<RequestEnvelope> = {}): { requestid: string; bytes: Uint8Array } {
  const requestid = overrides.requestid ?? createRequestId();
  const bytes = security.encodeRequest({
    senderid: "tester",
    requestid,
    filter: emptyFilter(),
    collective: "mcollective",
    agent: "demo",
    ttl: 60,
    msgtime: now(),
    body: rpcRequestToRuby({
      agent: "demo",
      action: "greet",
      caller: "uid=500",
      data: { name: "window", process_results: true },
    }),
    ...overrides,
  });
  return { requestid, bytes };
}

function deliver(bytes: Uint8Array): void {
  if (!bus.deliver) throw new Error("the server did not register a message handler");
  bus.deliver({ body: bytes, headers: { "reply-to": "/reply-queue/test", mc_sender: "tester" } });
}

const repliesTo = (requestid: string) =>
  bus.published
    .filter((m): m is OutboundReply => m.kind === "reply")
    .map((m) => security.decodeReply(m.body))
    .filter((r) => r.requestid === requestid);

/** Waits (generously) for a log line about `requestid` matching `pattern`. */
async function logLine(pattern: RegExp): Promise<{ level: string; message: string }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = sink.lines.find((l) => pattern.test(l.message));
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `no log line matching ${pattern}; the log:\n${sink.lines.map((l) => l.message).join("\n")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function reply(requestid: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [found] = repliesTo(requestid);
    if (found) return rpcReplyFromRuby(found.body);
    if (Date.now() > deadline) throw new Error(`no reply to ${requestid}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A request delivered after the refused ones is answered: everything before it was handled. */
async function settled(): Promise<void> {
  const probe = encode();
  deliver(probe.bytes);
  await reply(probe.requestid);
}

describe("the request window", () => {
  it("refuses a ttl above plugin.replay.max_ttl (default 3600): one WARN line, no reply", async () => {
    const server = await startServer([`plugin.replay.file = ${join(dir, "ttl-replay")}`]);
    const huge = encode({ ttl: Number(2n ** 62n) });
    const justAbove = encode({ ttl: 3601 });
    const atMax = encode({ ttl: 3600 });
    for (const r of [huge, justAbove, atMax]) deliver(r.bytes);
    expect(await reply(atMax.requestid)).toMatchObject({ statuscode: 0 });
    const line = await logLine(new RegExp(`^Message ${huge.requestid} `));
    expect(line.level).toBe("warn");
    expect(line.message).toMatch(
      /has a TTL of 46116860184273\d{5} seconds, above the 3600 this node allows \(plugin\.replay\.max_ttl\)\. Rejecting message\. \(ttlexpired: \d\)$/,
    );
    await logLine(new RegExp(`^Message ${justAbove.requestid} .*has a TTL of 3601 seconds`));
    await settled();
    expect(repliesTo(huge.requestid)).toEqual([]);
    expect(repliesTo(justAbove.requestid)).toEqual([]);
    expect(sink.lines.filter((l) => l.message.includes(huge.requestid))).toHaveLength(1);
    expect(server.stats.ttlexpired).toBe(2);
  });

  it("refuses a msgtime of 0 whatever its ttl, and one dated beyond plugin.replay.max_clock_skew", async () => {
    const server = await startServer([
      `plugin.replay.file = ${join(dir, "skew-replay")}`,
      "plugin.replay.max_clock_skew = 30",
    ]);
    const epoch = encode({ msgtime: 0 });
    const epochLong = encode({ msgtime: 0, ttl: Number(2n ** 62n) });
    // Within its ttl of 600 (which MCollective and Phobos so far accepted) but 120 s ahead.
    const ahead = encode({ msgtime: now() + 120, ttl: 600 });
    const slightlyAhead = encode({ msgtime: now() + 5, ttl: 600 });
    for (const r of [epoch, epochLong, ahead, slightlyAhead]) deliver(r.bytes);
    expect(await reply(slightlyAhead.requestid)).toMatchObject({ statuscode: 0 });
    expect((await logLine(new RegExp(`^Message ${epoch.requestid} `))).message).toMatch(
      /created at 0 is \d+ seconds old, TTL is 60\. Rejecting message\./,
    );
    expect((await logLine(new RegExp(`^Message ${epochLong.requestid} `))).message).toMatch(
      /above the 3600 this node allows/,
    );
    const line = await logLine(new RegExp(`^Message ${ahead.requestid} `));
    expect(line.level).toBe("warn");
    expect(line.message).toMatch(
      /is dated 1[12]\d seconds in the future, beyond the 30 seconds this node allows \(plugin\.replay\.max_clock_skew\): the clocks of tester and this node disagree \(clock skew\)\. Rejecting message\./,
    );
    await settled();
    for (const r of [epoch, epochLong, ahead]) expect(repliesTo(r.requestid)).toEqual([]);
    expect(server.stats.ttlexpired).toBe(3);
  });

  it("takes its limits from plugin.replay.*, and names a bad one", () => {
    const window = (lines: string[]) => readRequestWindow(configFromText(configText(lines)));
    expect(window([])).toEqual({
      maxTtl: 3600,
      maxClockSkew: 300,
      file: "/var/lib/mcollective/phobos-replay-node1",
    });
    expect(
      window([
        "plugin.replay.max_ttl = 86400",
        "plugin.replay.max_clock_skew = 0",
        "plugin.replay.file = none",
      ]),
    ).toEqual({ maxTtl: 86400, maxClockSkew: 0, file: undefined });
    expect(() => window(["plugin.replay.max_ttl = 0"])).toThrow(ConfigError);
    expect(() => window(["plugin.replay.max_ttl = 0"])).toThrow(
      /plugin\.replay\.max_ttl.*'0' is too small: it must be at least 1/,
    );
    expect(() => window(["plugin.replay.max_clock_skew = soon"])).toThrow(
      /plugin\.replay\.max_clock_skew.*'soon' is not a whole number/,
    );
  });
});

describe("the replay record across a restart", () => {
  it("refuses a copy of a request accepted before the daemon restarted", async () => {
    const file = join(dir, "state", "replay");
    await startServer([`plugin.replay.file = ${file}`]);
    const first = encode();
    deliver(first.bytes);
    expect(await reply(first.requestid)).toMatchObject({ statuscode: 0 });
    await running?.stop();

    const server = await startServer([`plugin.replay.file = ${file}`]);
    await logLine(new RegExp(`^Keeping the replay record in ${file}: 1 requests still inside their TTL$`));
    deliver(first.bytes);
    const line = await logLine(new RegExp(`^Refusing request ${first.requestid} `));
    expect(line.level).toBe("warn");
    expect(line.message).toMatch(
      /this node accepted a request with the same id \d+ seconds ago, this is a replayed message \(replayed: 1\)$/,
    );
    await settled();
    expect(repliesTo(first.requestid)).toEqual([]);
    expect(server.stats.replayed).toBe(1);
    // The journal holds digests only.
    expect(await readFile(file, "latin1")).not.toContain(first.requestid);
  });

  it("goes on in memory, saying so once, where the file cannot be kept", async () => {
    await writeFile(join(dir, "not-a-dir"), "");
    const file = join(dir, "not-a-dir", "replay");
    await startServer([`plugin.replay.file = ${file}`]);
    const line = await logLine(/^Cannot keep the replay record in /);
    expect(line.level).toBe("warn");
    expect(line.message).toMatch(
      new RegExp(
        `^Cannot keep the replay record in ${file} \\(plugin\\.replay\\.file\\): (EEXIST|ENOTDIR).*not-a-dir.*\\. Replays are refused only until this daemon restarts$`,
      ),
    );
    const first = encode();
    deliver(first.bytes);
    await reply(first.requestid);
    deliver(first.bytes);
    await logLine(new RegExp(`^Refusing request ${first.requestid} `));
  });
});

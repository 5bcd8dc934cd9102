/**
 * Replays against a running Phobos daemon on RabbitMQ, in an ssl fleet: a
 * captured signed request re-sent under a fresh request id (before and
 * after the daemon restarts), a request valid for 2**62 seconds or dated
 * 1970, and the legitimate case that must still work — the same request
 * sent twice within one second by Phobos's mco. The test agent `marker`
 * writes every request it runs to executed.log.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { dump, load, type RubyValue, sym } from "@phobos/core";
import { type RubyDaemon, type RubyFleet, startRubyDaemons, startRubyFleet } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daemonStats, logText, waitForLog } from "./__fixtures__/daemon-watch.js";
import { type RawClient, rawClient } from "./__fixtures__/raw-client.js";

const LIBDIR = fileURLToPath(new URL("./__fixtures__/libdir", import.meta.url));
const AGENTS = ["discovery", "rpcutil", "marker"];

let fleet: RubyFleet;
let work: string;
let alice: RawClient;
let restarted: RubyDaemon | undefined;
const target = { agent: "marker", node: "target" };

const logFile = () => fleet.node("target").logFile;
const executed = async () =>
  (await readFile(join(work, "executed.log"), "utf8").catch(() => "")).trim().split("\n");
const ran = async (requestid: string) => (await executed()).filter((l) => l.startsWith(`${requestid} `));

/** The captured bytes with another :requestid, as an attacker would re-send them. */
function underNewId(bytes: Uint8Array, requestid: string): Uint8Array {
  const envelope = load(bytes) as Map<RubyValue, RubyValue>;
  envelope.set(sym("requestid"), requestid);
  return dump(envelope);
}

const freshId = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex");

/** Sends a good request and waits for its reply: everything sent before it has been handled by then. */
async function settle(): Promise<void> {
  const probe = alice.request("marker", "touch");
  await alice.send(probe.bytes, target);
  await alice.reply(probe.requestid, 30_000);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "phobos-replay-"));
  fleet = await startRubyFleet({
    vhostPrefix: "phobos-ssl-replay",
    ssl: { user: "alice" },
    nodes: [
      {
        identity: "target",
        implementation: "phobos",
        agents: AGENTS,
        extra: {
          libdir: LIBDIR,
          "plugin.marker.dir": work,
          "plugin.replay.file": join(work, "state", "replay"),
        },
      },
    ],
  });
  alice = await rawClient(fleet, "alice");
  await settle();
});

afterAll(async () => {
  await alice?.close();
  await restarted?.stop();
  await fleet?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("a Phobos daemon under ssl", () => {
  let captured: { requestid: string; bytes: Uint8Array };

  it("refuses a request signed by a Ruby client re-sent under a fresh request id, however often", async () => {
    captured = alice.rubyRequest("marker", "touch");
    await alice.send(captured.bytes, target);
    await alice.reply(captured.requestid, 30_000);
    const from = (await logText(logFile())).length;
    const copies = [freshId(), freshId()];
    for (const id of copies) await alice.send(underNewId(captured.bytes, id), target);
    for (const id of copies) {
      const line = await waitForLog(
        logFile(),
        new RegExp(
          `Refusing request ${id} .*: this node accepted the same signed request \\(whatever its request id says\\) \\d+ seconds ago, this is a replayed message \\(replayed: \\d+\\)`,
        ),
        { from },
      );
      expect(line).toMatch(/WARN/);
    }
    await settle();
    for (const id of copies) {
      expect(alice.replies(id)).toEqual([]);
      expect(await ran(id)).toEqual([]);
    }
    expect(await ran(captured.requestid)).toHaveLength(1);
  });

  it("refuses a request signed by Phobos re-sent under a fresh request id: its request id is signed", async () => {
    const { requestid, bytes } = alice.request("marker", "touch");
    await alice.send(bytes, target);
    await alice.reply(requestid, 30_000);
    const before = await daemonStats(fleet, "target");
    const from = (await logText(logFile())).length;
    const copy = freshId();
    await alice.send(underNewId(bytes, copy), target);
    await waitForLog(
      logFile(),
      new RegExp(
        `Request ${copy} from cert=alice@raw-client requestid does not match the signed requestid - possible tampering`,
      ),
      { from },
    );
    await settle();
    expect(alice.replies(copy)).toEqual([]);
    expect(await ran(copy)).toEqual([]);
    expect((await daemonStats(fleet, "target")).unvalidated).toBe(before.unvalidated + 1);
  });

  it("refuses a ttl of 2**62 and a msgtime of 0, each with one WARN line and no reply", async () => {
    const from = (await logText(logFile())).length;
    const forever = alice.request("marker", "touch", { ttl: Number(2n ** 62n) });
    const epoch = alice.request("marker", "touch", { msgtime: 0 });
    await alice.send(forever.bytes, target);
    await alice.send(epoch.bytes, target);
    await waitForLog(
      logFile(),
      new RegExp(
        `WARN.*Message ${forever.requestid} .* has a TTL of \\d+ seconds, above the 3600 this node allows \\(plugin\\.replay\\.max_ttl\\)\\. Rejecting message\\.`,
      ),
      { from },
    );
    await waitForLog(
      logFile(),
      new RegExp(
        `WARN.*Message ${epoch.requestid} .* created at 0 is \\d+ seconds old, TTL is 60\\. Rejecting message\\.`,
      ),
      { from },
    );
    await settle();
    const text = (await logText(logFile())).slice(from);
    for (const r of [forever, epoch]) {
      expect(alice.replies(r.requestid)).toEqual([]);
      expect(await ran(r.requestid)).toEqual([]);
      expect(text.split("\n").filter((l) => l.includes(r.requestid))).toHaveLength(1);
    }
  });

  it("runs two identical requests Phobos signs within the same second: each is its own request", async () => {
    const msgtime = Math.floor(Date.now() / 1000);
    const first = alice.request("marker", "touch", { msgtime });
    const second = alice.request("marker", "touch", { msgtime });
    await alice.send(first.bytes, target);
    await alice.send(second.bytes, target);
    await alice.reply(first.requestid, 30_000);
    await alice.reply(second.requestid, 30_000);
    expect(await ran(first.requestid)).toHaveLength(1);
    expect(await ran(second.requestid)).toHaveLength(1);
  });

  it("runs the same command from Phobos's mco twice at once, both answered", async () => {
    const config = await fleet.clientConfigFor("alice", { extra: { libdir: LIBDIR } });
    const from = (await logText(logFile())).length;
    const run = () =>
      fleet.mco(["rpc", "marker", "touch", "-I", "target", "-j"], {
        implementation: "phobos",
        configFile: config,
      });
    const results = await Promise.all([run(), run()]);
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(
        (JSON.parse(r.stdout) as { sender: string; statuscode: number }[]).map((x) => [
          x.sender,
          x.statuscode,
        ]),
      ).toEqual([["target", 0]]);
    }
    expect((await logText(logFile())).slice(from)).not.toMatch(/Refusing request/);
  });

  it("refuses the second of two identical requests a Ruby client signs within the same second", async () => {
    // Ruby signs neither request id nor anything else that differs: the two are the same signed bytes.
    const msgtime = Math.floor(Date.now() / 1000);
    const first = alice.rubyRequest("marker", "touch", { msgtime });
    const second = alice.rubyRequest("marker", "touch", { msgtime });
    const from = (await logText(logFile())).length;
    await alice.send(first.bytes, target);
    await alice.reply(first.requestid, 30_000);
    await alice.send(second.bytes, target);
    await waitForLog(
      logFile(),
      new RegExp(`Refusing request ${second.requestid} .*the same signed request`),
      { from },
    );
    await settle();
    expect(alice.replies(second.requestid)).toEqual([]);
  });

  it("still refuses the captured request after a restart: the replay record is on disk", async () => {
    const node = fleet.node("target");
    await node.stop();
    const from = (await logText(node.logFile)).length;
    [restarted] = await startRubyDaemons([
      {
        ...fleet.serverConfigOptions({
          identity: "target",
          extra: {
            libdir: LIBDIR,
            "plugin.marker.dir": work,
            "plugin.replay.file": join(work, "state", "replay"),
          },
        }),
        dir: node.dir,
        keepDir: true,
        implementation: "phobos",
        agents: AGENTS,
      },
    ]);
    await waitForLog(
      node.logFile,
      new RegExp(
        `Keeping the replay record in ${join(work, "state", "replay")}: \\d+ requests still inside their TTL`,
      ),
      { from },
    );
    const copy = freshId();
    await alice.send(underNewId(captured.bytes, copy), target);
    await waitForLog(node.logFile, new RegExp(`Refusing request ${copy} .*the same signed request`), {
      from,
    });
    await settle();
    expect(alice.replies(copy)).toEqual([]);
    expect(await ran(copy)).toEqual([]);
    expect(await ran(captured.requestid)).toHaveLength(1);
  });
});

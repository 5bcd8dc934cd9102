/**
 * Bad input against a running Phobos daemon on RabbitMQ, in an ssl fleet
 * with authorization and audit on: a tampered body, a caller whose key is
 * unknown, revoked or replaced, an expired and a future-dated request, a
 * replayed request, and a policy file with a syntax error. Each must be
 * logged with its reason, counted (daemon_stats where MCollective has a
 * counter, Phobos's own counters in the log otherwise) and never executed:
 * the test agent `marker` writes every request it runs to executed.log.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RubyFleet, startRubyFleet } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daemonStats, logText, waitForLog } from "./__fixtures__/daemon-watch.js";
import { type RawClient, rawClient } from "./__fixtures__/raw-client.js";

const LIBDIR = fileURLToPath(new URL("./__fixtures__/libdir", import.meta.url));

let fleet: RubyFleet;
let work: string;
let alice: RawClient;
let logFile: string;
const target = { agent: "marker", node: "target" };

const executed = async () =>
  (await readFile(join(work, "executed.log"), "utf8").catch(() => "")).trim().split("\n");
const audited = async () =>
  (await readFile(join(work, "audit.log"), "utf8").catch(() => "")).trim().split("\n");

/** Sends a good request and waits for its reply: everything sent before it has been handled by then. */
async function settle(client: RawClient = alice): Promise<void> {
  const probe = client.request("marker", "touch");
  await client.send(probe.bytes, target);
  await client.reply(probe.requestid);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "phobos-refusals-"));
  fleet = await startRubyFleet({
    vhostPrefix: "phobos-ssl-refusals",
    ssl: { user: "alice" },
    nodes: [
      {
        identity: "target",
        implementation: "phobos",
        agents: ["discovery", "rpcutil", "marker"],
        extra: {
          libdir: LIBDIR,
          "plugin.marker.dir": work,
          rpcauthorization: 1,
          rpcauthprovider: "action_policy",
          rpcaudit: 1,
          rpcauditprovider: "logfile",
          "plugin.rpcaudit.logfile": join(work, "audit.log"),
        },
      },
    ],
  });
  const policies = join(fleet.node("target").dir, "policies");
  await mkdir(policies, { recursive: true });
  await writeFile(join(policies, "rpcutil.policy"), "policy default allow\n");
  await writeFile(
    join(policies, "marker.policy"),
    "policy default deny\nallow\tcert=alice cert=revoked cert=replaced\t*\t*\t*\n",
  );
  logFile = fleet.node("target").logFile;
  alice = await rawClient(fleet, "alice");
  await settle();
});

afterAll(async () => {
  await alice?.close();
  await fleet?.dispose();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("a Phobos daemon refuses, logs, counts and never runs", () => {
  it("a request whose signed body was tampered with", async () => {
    const before = await daemonStats(fleet, "target");
    const from = (await logText(logFile)).length;
    const { requestid, bytes } = alice.request("marker", "touch");
    const tampered = Buffer.from(bytes);
    // The action's name sits inside the signed body: "touch" becomes "tovch".
    const at = tampered.indexOf("touch") + 2;
    tampered[at] = (tampered[at] as number) ^ 0x02;
    await alice.send(tampered, target);
    const line = await waitForLog(
      logFile,
      new RegExp(`Received an invalid signature in message ${requestid} from cert=alice@raw-client`),
      { from },
    );
    expect(line).toMatch(/WARN/);
    await settle();
    expect(alice.replies(requestid)).toEqual([]);
    expect(await executed()).not.toContainEqual(expect.stringContaining(requestid));
    expect(await audited()).not.toContainEqual(expect.stringContaining(requestid));
    const after = await daemonStats(fleet, "target");
    expect(after.unvalidated).toBe(before.unvalidated + 1);
  });

  it("a request from a caller whose key is not in the clients' directory", async () => {
    await fleet.ssl?.addUser("mallory", { trusted: false });
    const mallory = await rawClient(fleet, "mallory");
    try {
      const before = await daemonStats(fleet, "target");
      const from = (await logText(logFile)).length;
      const { requestid, bytes } = mallory.request("marker", "touch");
      await mallory.send(bytes, target);
      await waitForLog(
        logFile,
        new RegExp(
          `Could not find a public key for mallory in ${join(fleet.ssl?.certDir ?? "", "mallory.pem")} \\(request ${requestid}`,
        ),
        { from },
      );
      await settle();
      expect(mallory.replies(requestid)).toEqual([]);
      expect(await executed()).not.toContainEqual(expect.stringContaining(requestid));
      expect((await daemonStats(fleet, "target")).unvalidated).toBe(before.unvalidated + 1);
    } finally {
      await mallory.close();
    }
  });

  it("a request signed with a key that was revoked, or replaced by a new one", async () => {
    const site = fleet.ssl;
    if (site === undefined) throw new Error("not an ssl fleet");
    await site.addUser("revoked");
    await site.addUser("replaced");
    const revoked = await rawClient(fleet, "revoked");
    const replaced = await rawClient(fleet, "replaced");
    try {
      // Both worked while their keys were in place.
      for (const client of [revoked, replaced]) {
        const ok = client.request("marker", "touch");
        await client.send(ok.bytes, target);
        expect((await client.reply(ok.requestid)).body).toBeInstanceOf(Map);
      }
      await site.revoke("revoked");
      await copyFile(site.user("alice").publicPath, join(site.certDir, "replaced.pem"));
      const before = await daemonStats(fleet, "target");
      const from = (await logText(logFile)).length;
      const gone = revoked.request("marker", "touch");
      const wrong = replaced.request("marker", "touch");
      await revoked.send(gone.bytes, target);
      await replaced.send(wrong.bytes, target);
      await waitForLog(
        logFile,
        new RegExp(`Could not find a public key for revoked in .*revoked\\.pem \\(request ${gone.requestid}`),
        { from },
      );
      await waitForLog(
        logFile,
        new RegExp(
          `Received an invalid signature in message ${wrong.requestid} from cert=replaced@raw-client \\(checked with .*replaced\\.pem\\)`,
        ),
        { from },
      );
      await settle();
      expect(revoked.replies(gone.requestid)).toEqual([]);
      expect(replaced.replies(wrong.requestid)).toEqual([]);
      const ran = await executed();
      expect(ran).not.toContainEqual(expect.stringContaining(gone.requestid));
      expect(ran).not.toContainEqual(expect.stringContaining(wrong.requestid));
      expect((await daemonStats(fleet, "target")).unvalidated).toBe(before.unvalidated + 2);
    } finally {
      await revoked.close();
      await replaced.close();
    }
  });

  it("an expired request, and one dated in the future, naming clock skew", async () => {
    const before = await daemonStats(fleet, "target");
    const from = (await logText(logFile)).length;
    const now = Math.floor(Date.now() / 1000);
    const old = alice.request("marker", "touch", { msgtime: now - 3600 });
    const future = alice.request("marker", "touch", { msgtime: now + 3600 });
    await alice.send(old.bytes, target);
    await alice.send(future.bytes, target);
    const expired = await waitForLog(
      logFile,
      new RegExp(`Message ${old.requestid} .* is \\d+ seconds old, TTL is 60\\. Rejecting message\\.`),
      { from },
    );
    expect(expired).toMatch(
      /clocks of raw-client and this node probably differ by about \d+ seconds \(clock skew\), or the message was replayed/,
    );
    const ahead = await waitForLog(
      logFile,
      new RegExp(`Message ${future.requestid} .* is dated \\d+ seconds in the future`),
      { from },
    );
    expect(ahead).toMatch(
      /the clocks of raw-client and this node disagree \(clock skew\)\. Rejecting message\./,
    );
    await settle();
    expect(alice.replies(old.requestid)).toEqual([]);
    expect(alice.replies(future.requestid)).toEqual([]);
    const ran = await executed();
    expect(ran).not.toContainEqual(expect.stringContaining(old.requestid));
    expect(ran).not.toContainEqual(expect.stringContaining(future.requestid));
    expect((await daemonStats(fleet, "target")).ttlexpired).toBe(before.ttlexpired + 2);
  });

  it("a replayed request: the first copy runs, the same bytes again do not", async () => {
    const from = (await logText(logFile)).length;
    const { requestid, bytes } = alice.request("marker", "touch");
    await alice.send(bytes, target);
    await alice.reply(requestid);
    await alice.send(bytes, target);
    await alice.send(bytes, target);
    const line = await waitForLog(
      logFile,
      new RegExp(
        `Refusing request ${requestid} .*: this node accepted the same signed request \\(whatever its request id says\\) \\d+ seconds ago, this is a replayed message \\(replayed: \\d+\\)`,
      ),
      { from },
    );
    expect(line).toMatch(/WARN/);
    await waitForLog(
      logFile,
      new RegExp(
        `Refusing request ${requestid} .*\\(replayed: ${Number(/\(replayed: (\d+)\)/.exec(line)?.[1]) + 1}\\)`,
      ),
      { from },
    );
    await settle();
    expect(alice.replies(requestid)).toHaveLength(1);
    expect((await executed()).filter((l) => l.startsWith(requestid))).toHaveLength(1);
    expect((await audited()).filter((l) => l.includes(`reqid=${requestid}:`))).toHaveLength(1);
  });

  it("a request for an agent whose policy file has a syntax error: denied, not opened", async () => {
    const file = join(fleet.node("target").dir, "policies", "marker.policy");
    // A space where a tab belongs: Ruby's plugin skipped this line, leaving the default allow.
    await writeFile(file, "policy default allow\ndeny cert=alice * * *\n");
    const from = (await logText(logFile)).length;
    const { requestid, bytes } = alice.request("marker", "touch");
    await alice.send(bytes, target);
    const reply = await alice.reply(requestid);
    const body = reply.body as Map<symbol, unknown>;
    expect(body.get(Symbol.for("statuscode"))).toBe(1);
    expect(body.get(Symbol.for("statusmsg"))).toBe("You are not authorized to call this agent or action.");
    const error = await waitForLog(
      logFile,
      new RegExp(
        `${file}:2: rule fields must be separated by tabs, not spaces: denying every request for agent marker`,
      ),
      { from },
    );
    expect(error).toMatch(/ERROR/);
    await waitForLog(logFile, /Denying cert=alice access to marker#touch: You are not authorized/, { from });
    expect(await executed()).not.toContainEqual(expect.stringContaining(requestid));
    expect((await audited()).find((l) => l.includes(`reqid=${requestid}:`))).toMatch(
      /agent=marker action=touch data=\{:process_results=>true\} authorization=denied$/,
    );
    // Fixed, the policy applies at once.
    await writeFile(file, "policy default deny\nallow\tcert=alice\t*\t*\t*\n");
    await settle();
  });

  it("and reports its own counters when it stops", async () => {
    await fleet.node("target").stop();
    const line = await waitForLog(logFile, /Phobos counters at exit \(beyond daemon_stats\): /);
    expect(line).toMatch(/denied=1 /);
    expect(line).toMatch(/replayed=2/);
  });
});

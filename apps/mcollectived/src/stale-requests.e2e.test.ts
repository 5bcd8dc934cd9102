/**
 * `plugin.stale_requests.drop`: a request that arrives after its client
 * stopped waiting (older than the agent's DDL timeout plus the grace) is
 * dropped with one WARN line and counted as ttlexpired, while a daemon
 * without the key runs it within its ttl, as Ruby's mcollectived does.
 */
import { type RubyFleet, startRubyFleet } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logSize, waitForLog } from "./test-support/daemon.js";
import { type Counters, countersSince, openFleetClient } from "./test-support/fleet.js";
import { type RawClient, simpleRpc } from "./test-support/raw-client.js";

const DROPS = "phobos-drops";
const RUNS = "phobos-runs";
const RUBY = "ruby-runs";

let fleet: RubyFleet;
let client: RawClient;

beforeAll(async () => {
  fleet = await startRubyFleet({
    vhostPrefix: "phobos-stale",
    nodes: [
      {
        identity: DROPS,
        implementation: "phobos",
        extra: { "plugin.stale_requests.drop": "true", "plugin.stale_requests.grace": "5" },
      },
      { identity: RUNS, implementation: "phobos" },
      { identity: RUBY },
    ],
  });
  client = await openFleetClient(fleet, "stale-client");
});

afterAll(async () => {
  await client?.close();
  await fleet?.dispose();
});

describe("a request older than its client's wait", () => {
  it("is dropped with one WARN line by a daemon that asks for it, and run by the others", async () => {
    const log = fleet.node(DROPS).logFile;
    const from = await logSize(log);
    const before: Counters = await client.daemonStats(DROPS);
    // rpcutil's DDL timeout is 10 s: 40 s old is well past it, well within the ttl of 60.
    const msgtime = Math.floor(Date.now() / 1000) - 40;
    const requestid = await client.send({
      agent: "rpcutil",
      body: simpleRpc("rpcutil", "ping"),
      nodes: [DROPS, RUNS, RUBY],
      msgtime,
      ttl: 60,
    });
    const line = await waitForLog(log, new RegExp(`Dropping message ${requestid}`), {
      from,
      timeoutMs: 30_000,
    });
    expect(line).toMatch(
      /WARN -- : Dropping message \w{32} for agent 'rpcutil' in collective 'mcollective' from uid=\d+@stale-client: it is 4\d seconds old and its client stopped waiting after 10 seconds \(the rpcutil DDL timeout\) plus 5 of grace \(plugin\.stale_requests\.drop, plugin\.stale_requests\.grace\)\. \(ttlexpired: 1\)$/,
    );
    const replies = await client.waitReplies(requestid, 2, 30_000);
    expect(replies.map((r) => r.senderid).sort()).toEqual([RUNS, RUBY].sort());
    const moved = await countersSince(
      client,
      DROPS,
      before,
      (d) => d.total === 1 && d.ttlexpired === 1,
      30_000,
    );
    expect(moved).toMatchObject({ total: 1, validated: 1, passed: 1, ttlexpired: 1, replies: 0 });
    expect(client.replies(requestid).map((r) => r.senderid)).not.toContain(DROPS);
  });

  it("a fresh request still runs everywhere", async () => {
    const requestid = await client.send({
      agent: "rpcutil",
      body: simpleRpc("rpcutil", "ping"),
      nodes: [DROPS, RUNS, RUBY],
    });
    const replies = await client.waitReplies(requestid, 3, 30_000);
    expect(replies.map((r) => r.senderid).sort()).toEqual([DROPS, RUNS, RUBY].sort());
  });
});

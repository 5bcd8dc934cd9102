/**
 * Bad input against the real daemon: a Phobos mcollectived and Debian's Ruby
 * mcollectived side by side in one fleet get the same hostile messages,
 * directed at both in one publish. For each, the Phobos daemon logs why it
 * refused it, its daemon_stats counters move exactly as the Ruby daemon's do,
 * nobody replies, and both keep answering afterwards.
 */
import { randomBytes } from "node:crypto";
import { emptyFilter, type Filter } from "@phobos/core";
import { type RubyFleet, startRubyFleet } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logSize, waitForLog } from "./test-support/daemon.js";
import { type Counters, countersSince, fleetPsk, openFleetClient } from "./test-support/fleet.js";
import type { RawClient, RawRequest } from "./test-support/raw-client.js";
import { craftRequest, simpleRpc } from "./test-support/raw-client.js";

const PHOBOS = "phobos1";
const RUBY = "ruby1";
const NODES = [PHOBOS, RUBY];

let fleet: RubyFleet;
let client: RawClient;

beforeAll(async () => {
  fleet = await startRubyFleet({
    vhostPrefix: "phobos-bad-input",
    nodes: [
      { identity: PHOBOS, implementation: "phobos", facts: { role: "web" } },
      { identity: RUBY, facts: { role: "web" } },
    ],
  });
  client = await openFleetClient(fleet, "bad-input-client");
});

afterAll(async () => {
  await client?.close();
  await fleet?.dispose();
});

const zero: Counters = {
  total: 0,
  validated: 0,
  unvalidated: 0,
  passed: 0,
  filtered: 0,
  replies: 0,
  ttlexpired: 0,
};
const expectDelta = (delta: Counters): Counters => ({ ...zero, ...delta });
const ping = () => simpleRpc("rpcutil", "ping");
const rpcutilOnly: Filter = { ...emptyFilter(), agent: ["rpcutil"] };

/**
 * Sends `deliver`'s message(s) to both daemons and checks each daemon's
 * counters moved by `expected` (the Ruby daemon's too: that is the
 * reference), that the Phobos log has a line matching `logged`, and that no
 * reply came back for `requestid`.
 */
async function refused(
  deliver: () => Promise<string | undefined>,
  expected: Counters,
  logged: RegExp,
): Promise<void> {
  const phobosLog = fleet.node(PHOBOS).logFile;
  const from = await logSize(phobosLog);
  const before: Record<string, Counters> = {
    [PHOBOS]: await client.daemonStats(PHOBOS),
    [RUBY]: await client.daemonStats(RUBY),
  };
  const requestid = await deliver();
  const same = (d: Counters) => JSON.stringify(d) === JSON.stringify(expected);
  const moved = await Promise.all(
    NODES.map((node) =>
      countersSince(client, node, before[node] as Counters, same).catch((err: Error) => err.message),
    ),
  );
  expect(Object.fromEntries(NODES.map((n, i) => [n, moved[i]]))).toEqual({
    [PHOBOS]: expected,
    [RUBY]: expected,
  });
  await waitForLog(phobosLog, logged, { from });
  if (requestid !== undefined) expect(client.replies(requestid)).toEqual([]);
}

const both = (request: Omit<RawRequest, "nodes">) => client.send({ ...request, nodes: NODES });

describe("the Phobos daemon refuses bad input as the Ruby daemon does, and says why", () => {
  it("a wrong psk: counted unvalidated, no reply", async () => {
    await refused(
      () => both({ agent: "rpcutil", body: ping(), filter: rpcutilOnly, psk: "not-the-fleet-psk" }),
      expectDelta({ total: 1, unvalidated: 1 }),
      /WARN -- : Failed to handle message from bad-input-client: Received an invalid signature in message$/,
    );
  });

  it("an expired ttl: counted ttlexpired, the log gives age and ttl", async () => {
    const msgtime = Math.floor(Date.now() / 1000) - 120;
    await refused(
      () => both({ agent: "rpcutil", body: ping(), filter: rpcutilOnly, msgtime }),
      expectDelta({ total: 1, validated: 1, ttlexpired: 1 }),
      new RegExp(
        `WARN -- : Message \\w{32} for agent 'rpcutil' in collective 'mcollective' from uid=\\d+@bad-input-client created at ${msgtime} is 1[12]\\d seconds old, TTL is 60\\. Rejecting message\\.`,
      ),
    );
  });

  it("a msgtime a day old: ttlexpired, and the log names clock skew", async () => {
    await refused(
      () =>
        both({
          agent: "rpcutil",
          body: ping(),
          filter: rpcutilOnly,
          msgtime: Math.floor(Date.now() / 1000) - 86_400,
        }),
      expectDelta({ total: 1, validated: 1, ttlexpired: 1 }),
      /is 864\d\d seconds old, TTL is 60\. Rejecting message\. .*\(clock skew\)/,
    );
  });

  it("a frame body that is not Marshal at all: counted, logged, dropped", async () => {
    await refused(
      async () => {
        await client.sendBytes("rpcutil", Buffer.from("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"), {
          nodes: NODES,
        });
        return undefined;
      },
      expectDelta({ total: 1 }),
      /WARN -- : Failed to handle message from bad-input-client: request is not a MCollective envelope: /,
    );
  });

  it("a signed envelope whose body is not Marshal: counted validated, logged, dropped", async () => {
    await refused(
      () => both({ agent: "rpcutil", body: null, serializedBody: Buffer.from("\x04\x09 not marshal") }),
      expectDelta({ total: 1, validated: 1 }),
      /WARN -- : Failed to handle message from bad-input-client: the signed body is not valid Marshal: /,
    );
  });

  it("a fact filter with an operator MCollective does not know: counted filtered, as Ruby does", async () => {
    const filter = {
      ...emptyFilter(),
      fact: [{ fact: "role", value: "web", operator: "<>" }],
    } as unknown as Filter;
    await refused(
      () => both({ agent: "rpcutil", body: ping(), filter }),
      expectDelta({ total: 1, validated: 1, filtered: 1 }),
      /DEBUG -- : Message \w{32} for agent 'rpcutil' .* does not pass filters\. Ignoring message\.$/,
    );
  });

  it("a filter that is not a Hash: counted validated, logged, no reply", async () => {
    await refused(
      async () => {
        const bytes = craftRequest({
          agent: "rpcutil",
          body: ping(),
          senderid: client.identity,
          psk: fleetPsk(fleet),
          rubyFilter: "role=web",
        });
        await client.sendBytes("rpcutil", bytes, { nodes: NODES });
        return undefined;
      },
      expectDelta({ total: 1, validated: 1 }),
      /WARN -- : Failed to handle message from bad-input-client: .*filter/,
    );
  });

  it("a compound filter that is not an expression: counted validated (Ruby raises), logged, no reply", async () => {
    const filter: Filter = { ...emptyFilter(), compound: [[{ statement: "role=web" }, { and: "and" }]] };
    await refused(
      () => both({ agent: "rpcutil", body: ping(), filter }),
      expectDelta({ total: 1, validated: 1 }),
      /WARN -- : Failed to evaluate the filter of \w{32} for agent 'rpcutil'.*: compound filter is not a boolean expression: true && \(Ruby raises SyntaxError\)$/,
    );
  });

  it("an unknown agent: passes the filter, logged, no reply", async () => {
    await refused(
      () => both({ agent: "nosuchagent", body: simpleRpc("nosuchagent", "go") }),
      expectDelta({ total: 1, validated: 1, passed: 1 }),
      /Execution of nosuchagent failed: this node has no agent called 'nosuchagent'/,
    );
  });

  it("an invalid callerid: counted validated, logged as a possible forgery, no reply", async () => {
    await refused(
      () => both({ agent: "rpcutil", body: ping(), filter: rpcutilOnly, callerid: "uid=0; rm -rf /" }),
      expectDelta({ total: 1, validated: 1 }),
      /WARN -- : callerid in request is not valid, surpressing reply to potentially forged request from bad-input-client: 'uid=0; rm -rf \/'$/,
    );
  });

  it("a 2 MiB frame of random bytes: counted, logged, dropped", async () => {
    await refused(
      async () => {
        await client.sendBytes("rpcutil", randomBytes(2 * 1024 * 1024), { nodes: NODES });
        return undefined;
      },
      expectDelta({ total: 1 }),
      /Failed to handle message from bad-input-client: request is not a MCollective envelope: /,
    );
  });

  it("Marshal that claims a billion-element Array, and Marshal nested 100 000 deep: counted, logged, dropped", async () => {
    await refused(
      async () => {
        const claims = Buffer.from([4, 8, 0x5b, 0x04, 0xff, 0xff, 0xff, 0x3f, 0x30]);
        await client.sendBytes("rpcutil", claims, { nodes: NODES });
        return undefined;
      },
      expectDelta({ total: 1 }),
      /Failed to handle message from bad-input-client: request is not a MCollective envelope: /,
    );
    await refused(
      async () => {
        const deep = Buffer.concat([Buffer.from([4, 8]), Buffer.alloc(200_000, "[\x06"), Buffer.from("0")]);
        await client.sendBytes("rpcutil", deep, { nodes: NODES });
        return undefined;
      },
      expectDelta({ total: 1 }),
      /Failed to handle message from bad-input-client: request is not a MCollective envelope: .*nest/i,
    );
  });

  it("a msgtime two hours ahead: the Ruby daemon answers, Phobos refuses it as ttlexpired and names clock skew", async () => {
    const phobosLog = fleet.node(PHOBOS).logFile;
    const from = await logSize(phobosLog);
    const before = await client.daemonStats(PHOBOS);
    const requestid = await both({
      agent: "rpcutil",
      body: ping(),
      filter: rpcutilOnly,
      msgtime: Math.floor(Date.now() / 1000) + 7200,
    });
    const [reply] = await client.waitReplies(requestid, 1);
    expect(reply?.senderid).toBe(RUBY);
    const same = (d: Counters) => d.ttlexpired === 1;
    expect(await countersSince(client, PHOBOS, before, same)).toEqual(
      expectDelta({ total: 1, validated: 1, ttlexpired: 1 }),
    );
    await waitForLog(
      phobosLog,
      /is dated 7\d{3} seconds in the future, beyond its TTL of 60: the clocks of bad-input-client and this node disagree \(clock skew\)\. Rejecting message\./,
      { from },
    );
    expect(client.replies(requestid).map((r) => r.senderid)).toEqual([RUBY]);
  });

  it("afterwards both daemons still answer a ping and an RPC", async () => {
    expect(await client.pingAll(NODES)).toEqual(NODES.slice().sort());
    const reply = await client.rpc(PHOBOS, "rpcutil", "get_fact", { fact: "role" });
    expect({ statuscode: reply.statuscode, value: reply.data.value }).toEqual({
      statuscode: 0,
      value: "web",
    });
    expect(fleet.node(PHOBOS).exited).toBe(false);
  });
});

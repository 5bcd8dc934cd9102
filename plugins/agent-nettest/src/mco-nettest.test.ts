/**
 * `mco nettest` end to end: the real Phobos `mco` against two real Phobos
 * daemons (apps/mcollectived) on RabbitMQ, testing endpoints the test opens
 * on loopback; the nettest data plugin in a compound filter.
 */
import { type RubyFleet, type RubyFleetNode, startRubyFleet } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort, type Endpoint, openListener } from "./__fixtures__/listeners.js";

let fleet: RubyFleet;
let listener: Endpoint;
let refused: number;

const node = (identity: string): RubyFleetNode => ({
  identity,
  implementation: "phobos",
  facts: { role: "net" },
  agents: ["discovery", "rpcutil", "nettest"],
});

const mco = (args: string[], input?: string) =>
  fleet.mco(args, { implementation: "phobos", ...(input === undefined ? {} : { input }) });
const nodeLines = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.startsWith("nt"))
    .sort();

beforeAll(async () => {
  listener = await openListener();
  refused = await closedPort();
  fleet = await startRubyFleet({ vhostPrefix: "phobos-nettest", nodes: [node("nt1"), node("nt2")] });
});

afterAll(async () => {
  await fleet?.dispose();
  await listener?.close();
});

describe.concurrent("mco nettest", () => {
  it("ping: each node's round trip, then the min/max/average summary", async () => {
    const r = await mco(["nettest", "ping", "127.0.0.1", "-F", "role=net", "--dt", "1"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = nodeLines(r.stdout);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^nt[12] {37} time = \d+\.\d+$/);
    expect(r.stdout).toMatch(
      /\nSummary of RTT:\n\n {3}Min: \d+\.\d{3}ms {2}Max: \d+\.\d{3}ms {2}Average: \d+\.\d{3}ms\n\n/,
    );
    expect(r.stdout).toMatch(/^Finished processing 2 \/ 2 hosts in \d+\.\d\d ms$/m);
  });

  it("connect to a listener: status = true, and the summary of statuses", async () => {
    const r = await mco([
      "nettest",
      "connect",
      "127.0.0.1",
      String(listener.port),
      "-F",
      "role=net",
      "--dt",
      "1",
    ]);
    expect(r.code).toBe(0);
    expect(nodeLines(r.stdout)).toEqual([
      `${"nt1".padEnd(40)} status = true`,
      `${"nt2".padEnd(40)} status = true`,
    ]);
    expect(r.stdout).toContain("Summary of Connection Status:\n\n   Connected = 2\n");
  });

  it("connect to a closed port: status = false, Connection Refused = 2", async () => {
    const r = await mco(["nettest", "connect", "localhost", String(refused), "-I", "nt1", "-I", "nt2"]);
    expect(r.code).toBe(0);
    expect(nodeLines(r.stdout)).toEqual([
      `${"nt1".padEnd(40)} status = false`,
      `${"nt2".padEnd(40)} status = false`,
    ]);
    expect(r.stdout).toContain("   Connection Refused = 2\n");
  });

  it("-v adds the status message", async () => {
    const r = await mco(["nettest", "ping", "localhost", "-I", "nt1", "-v"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^nt1 {37} time = \d+\.\d+\t\tOK$/m);
  });

  it("a host that does not resolve: the failure per node, exit 2", async () => {
    const r = await mco(["nettest", "ping", "no-such-host.invalid", "-I", "nt1"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`${"nt1".padEnd(40)}  \t\tCannot resolve hostname\n`);
  });

  it("the client validates with the nettest_fqdn plugin before sending", async () => {
    const r = await mco(["nettest", "ping", "bad_host!", "-I", "nt1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("value should be a valid fqdn");
  });

  it("unfiltered: asks first, and stops on no", async () => {
    const r = await mco(["nettest", "ping", "127.0.0.1"], "n\n");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("Do you really want to perform network tests unfiltered? (y/n): ");
  });

  it("mistakes in the command line", async () => {
    const few = await mco(["nettest", "ping"]);
    expect([few.code, few.stderr]).toEqual([
      1,
      "mco nettest: Please specify an action and optional arguments\n",
    ]);
    const bad = await mco(["nettest", "trace", "127.0.0.1"]);
    expect(bad.stderr).toBe("mco nettest: Action can only to be ping or connect\n");
  });

  it("the nettest data plugin in a compound filter selects the nodes that can connect", async () => {
    const yes = await mco(["find", "-S", `nettest("127.0.0.1:${listener.port}").connect=true`, "--dt", "2"]);
    expect(yes.stderr).toBe("");
    expect(yes.stdout.split("\n").filter(Boolean).sort()).toEqual(["nt1", "nt2"]);
    const no = await mco(["find", "-S", `nettest("127.0.0.1:${refused}").connect=true`, "--dt", "2"]);
    expect(no.stdout).toBe("");
  });
});

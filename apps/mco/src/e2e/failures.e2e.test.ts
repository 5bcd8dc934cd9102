/**
 * Mistakes fail fast, on one line, with MCollective's exit code, and send
 * nothing: the daemons' message counters do not move. A broker that does
 * not answer fails within the connection timeout, naming host:port.
 */
import { join } from "node:path";
import { type RubyFleet, writeClientConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIXED_NODES, run, startMixedFleet } from "./harness.js";

let fleet: RubyFleet;

beforeAll(async () => {
  fleet = await startMixedFleet(
    "mco-failures",
    MIXED_NODES.filter((n) => n.identity === "node1" || n.identity === "node3"),
  );
});

afterAll(async () => {
  await fleet?.dispose();
});

/** Messages each daemon has received, asked with one direct request each. */
async function received(): Promise<Record<string, number>> {
  const r = await run(fleet, "phobos", [
    "rpc",
    "rpcutil",
    "daemon_stats",
    "-I",
    "node1",
    "-I",
    "node3",
    "-j",
  ]);
  expect(r.code, r.stderr).toBe(0);
  const replies = JSON.parse(r.stdout) as { sender: string; data: { total: number } }[];
  return Object.fromEntries(replies.map((reply) => [reply.sender, reply.data.total]));
}

const MISTAKES: [string, string[], RegExp][] = [
  ["an unknown option", ["rpc", "rpcutil", "ping", "--bogus"], /^mco rpc: invalid option: --bogus\n$/],
  [
    "a -S that does not parse, with its column",
    ["rpc", "rpcutil", "ping", "-S", "role=web and"],
    /^mco rpc: -S "role=web and": .* at column \d+\n$/,
  ],
  [
    "an input the DDL refuses",
    ["rpc", "rpcutil", "get_fact", "fact=not valid!"],
    /^mco rpc: rpcutil#get_fact: .*\n$/,
  ],
  ["a boolean that is not one", ["rpc", "rpcutil", "get_fact", "fact"], /^Could not parse --arg fact\n$/],
  [
    "an unknown agent",
    ["rpc", "nosuchagent", "ping"],
    /^mco rpc: Can't find DDL for agent plugin 'nosuchagent'.*\n$/,
  ],
  [
    "an unknown action",
    ["rpc", "rpcutil", "nosuchaction"],
    /^mco rpc: rpcutil#nosuchaction: Attempted to call action nosuchaction for rpcutil but it's not declared in the DDL\n$/,
  ],
  ["an unknown application", ["nosuchapp"], /^mco: unknown command 'nosuchapp'.*\n$/],
  [
    "an unknown discovery method",
    ["find", "--dm", "nosuchmethod"],
    /^mco find: Unknown discovery method nosuchmethod .*\n$/,
  ],
];

describe("bad input", () => {
  it("fails on one line, exit 1, and sends nothing", async () => {
    const before = await received();
    const runs = await Promise.all(MISTAKES.map(([, args]) => run(fleet, "phobos", args)));
    runs.forEach((r, i) => {
      const [what, , message] = MISTAKES[i] as (typeof MISTAKES)[number];
      expect(r.stderr, what).toMatch(message);
      expect(r.code, what).toBe(1);
      expect(r.stdout, what).toBe("");
      expect(r.wallMs, what).toBeLessThan(2000);
    });
    const after = await received();
    // The only new message each daemon saw is the second daemon_stats request.
    expect(after).toEqual({ node1: (before.node1 ?? 0) + 1, node3: (before.node3 ?? 0) + 1 });
  });

  it("Ruby's mco fails the same cases with exit 1 too", async () => {
    const runs = await Promise.all(MISTAKES.slice(0, 6).map(([, args]) => run(fleet, "ruby", args)));
    expect(runs.map((r) => r.code)).toEqual(MISTAKES.slice(0, 6).map(() => 1));
  });
});

describe.concurrent("an unreachable broker", () => {
  it("--connection-timeout: fails within it, naming host:port", async () => {
    const configFile = await writeClientConfig(join(fleet.dir, "client-closed-port"), {
      ...fleet.clientConfigOptions,
      broker: { ...fleet.broker, pool: [{ host: "127.0.0.1", port: 1, user: "x", password: "y" }] },
    });
    const r = await run(fleet, "phobos", ["ping", "--connection-timeout", "2"], { configFile });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^mco ping: .*127\.0\.0\.1:1\b.*\n$/);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(r.wallMs).toBeLessThan(4000);
  });

  it("connection_timeout from the config file", async () => {
    const configFile = await writeClientConfig(join(fleet.dir, "client-closed-port-cfg"), {
      ...fleet.clientConfigOptions,
      broker: { ...fleet.broker, pool: [{ host: "127.0.0.1", port: 1, user: "x", password: "y" }] },
      extra: { connection_timeout: 1 },
    });
    const r = await run(fleet, "phobos", ["rpc", "rpcutil", "ping"], { configFile });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/127\.0\.0\.1:1/);
    expect(r.wallMs).toBeLessThan(3000);
  });
});

describe.concurrent("configuration", () => {
  it("MCOLLECTIVE_EXTRA_OPTS adds options before the command line's", async () => {
    const r = await run(fleet, "phobos", ["find"], {
      env: { MCOLLECTIVE_EXTRA_OPTS: "--dt 1 -F osfamily=Debian" },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n").sort()).toEqual(["", "node1", "node3"]);
    expect(r.wallMs).toBeLessThan(2500);
  });

  it("a connector that is not installed: did you mean", async () => {
    const configFile = await writeClientConfig(join(fleet.dir, "client-typo"), {
      ...fleet.clientConfigOptions,
      broker: { ...fleet.broker, connector: "rabitmq" as "rabbitmq" },
    });
    const r = await run(fleet, "phobos", ["ping"], { configFile });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^mco ping: .*connector plugin 'rabitmq' is not installed; did you mean 'rabbitmq'\?.*\n$/,
    );
  });
});

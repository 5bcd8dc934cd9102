/**
 * Mistakes fail fast, on one line, with MCollective's exit code, and send
 * nothing: the daemons' message counters do not move. A broker that does
 * not answer fails within the connection timeout, naming host:port.
 */
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { type RubyFleet, writeClientConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIXED_NODES, messagesReceived, run, startMixedFleet } from "./harness.js";

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

const received = () => messagesReceived(fleet, ["node1", "node3"]);

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
  it("--connection-timeout: gives up retrying a closed port, on one line naming host:port", async () => {
    const configFile = await writeClientConfig(join(fleet.dir, "client-closed-port"), {
      ...fleet.clientConfigOptions,
      broker: { ...fleet.broker, pool: [{ host: "127.0.0.1", port: 1, user: "x", password: "y" }] },
    });
    const r = await run(fleet, "phobos", ["ping", "--connection-timeout", "2"], { configFile });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^mco ping: .*127\.0\.0\.1:1\b.*\n$/);
    expect(r.stderr.split("\n")).toHaveLength(2);
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
  });

  it("--connection-timeout: gives up on a broker that accepts and never answers", async () => {
    // Without the timeout mco would wait for CONNECTED forever; the test's own
    // timeout is what catches that, not a clock here.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const configFile = await writeClientConfig(join(fleet.dir, "client-silent"), {
        ...fleet.clientConfigOptions,
        broker: { ...fleet.broker, pool: [{ host: "127.0.0.1", port, user: "x", password: "y" }] },
      });
      const r = await run(fleet, "phobos", ["ping", "--connection-timeout", "1"], { configFile });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^mco ping: .*127\\.0\\.0\\.1:${port}\\b.*\n$`));
    } finally {
      silent.close();
    }
  });
});

describe.concurrent("configuration", () => {
  it("MCOLLECTIVE_EXTRA_OPTS adds options before the command line's", async () => {
    const r = await run(fleet, "phobos", ["find"], {
      env: { MCOLLECTIVE_EXTRA_OPTS: "--dt 1 -F operatingsystem=Debian" },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("node1\n");
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

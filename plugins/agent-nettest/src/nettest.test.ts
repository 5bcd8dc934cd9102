/**
 * The nettest plugins in-process: core's conformance suites for the agent,
 * the nettest_mma aggregate, the data plugin and both validators, then the
 * agent's probes against real endpoints on loopback (a listener, a closed
 * port, a listener that never answers) and the system's ping.
 */

import { aggregateText } from "@phobos/client";
import {
  describeAgentPlugin,
  describeAggregatePlugin,
  describeDataPlugin,
  describeValidatorPlugin,
  openAgentCaller,
  openPlugin,
} from "@phobos/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort, type Endpoint, openBlackhole, openListener } from "./__fixtures__/listeners.js";
import nettest from "./agent.js";
import mma from "./aggregates/nettest-mma.js";
import data from "./data/nettest.js";
import dataDdl from "./data/nettest-ddl.js";
import ddl from "./ddl.js";
import fqdn from "./validators/nettest-fqdn.js";
import serverAddress from "./validators/nettest-server-address.js";

let listener: Endpoint;
let refused: number;

beforeAll(async () => {
  listener = await openListener();
  refused = await closedPort();
});

afterAll(async () => {
  await listener?.close();
});

describeAgentPlugin({
  definition: nettest,
  ddl,
  // The DDL names the nettest_fqdn plugin; its own suite below checks it.
  validators: (name) => (name === "nettest_fqdn" ? () => undefined : undefined),
  samples: {
    ping: [
      { data: { fqdn: "127.0.0.1" }, statuscode: 0 },
      { data: { fqdn: "no-such-host.invalid" }, statuscode: 1 },
    ],
    connect: [{ data: { fqdn: "localhost", port: 1 }, statuscode: 0 }],
  },
});

describeAggregatePlugin({
  definition: mma,
  output: "rtt",
  values: [2.5, 1.5, null, "x", 3.5],
  expected: { type: "numeric", value: [1.5, 3.5, 2.5] },
});

describeDataPlugin({
  definition: data,
  ddl: dataDdl,
  query: "localhost:1",
  validators: (name) => (name === "nettest_server_address" ? () => undefined : undefined),
});

describeValidatorPlugin({
  definition: fqdn,
  valid: ["127.0.0.1", "localhost", "www.example.com", "a-b.c"],
  invalid: ["-bad.example.com", "host_name", "a b", "", 42, "1.2.3.4; rm"],
});

describeValidatorPlugin({
  definition: serverAddress,
  valid: ["localhost:80", "10.0.0.1:8080", "example.com:1"],
  invalid: ["localhost", "localhost:http", "bad_host:80", "a;b:1", 80],
});

/** One request through the daemon's own path (DDL and validator checks, error mapping), on a fresh agent. */
async function call(action: string, input: Record<string, unknown>, settings: Record<string, string> = {}) {
  const agent = await openAgentCaller({
    definition: nettest,
    ddl,
    settings: settings,
    identity: "n1",
    validators: [fqdn, serverAddress],
  });
  try {
    return await agent.call(action, input);
  } finally {
    agent.close();
  }
}

describe("ping", () => {
  it("127.0.0.1 answers: the round trip in ms, a Float", async () => {
    const reply = await call("ping", { fqdn: "127.0.0.1" });
    expect([reply.statuscode, reply.statusmsg]).toEqual([0, "OK"]);
    const rtt = Number(reply.data.rtt);
    expect(rtt).toBeGreaterThan(0);
  });

  it("a name from /etc/hosts is resolved first", async () => {
    expect((await call("ping", { fqdn: "localhost" })).statuscode).toBe(0);
  });

  it("a name that does not resolve: Cannot resolve hostname", async () => {
    const reply = await call("ping", { fqdn: "no-such-host.invalid" });
    expect([reply.statuscode, reply.statusmsg]).toEqual([1, "Cannot resolve hostname"]);
  });

  it("a ping command that is not there: a clean failure naming it", async () => {
    const reply = await call("ping", { fqdn: "127.0.0.1" }, { ping: "/nonexistent/ping" });
    expect(reply.statuscode).toBe(1);
    expect(reply.statusmsg).toMatch(/^Cannot ping: cannot run \/nonexistent\/ping: /);
  });

  it("a bad setting is a configuration error naming the key", async () => {
    await expect(
      openPlugin({ definition: nettest, settings: { ping_timeout: "0" } }, "server"),
    ).rejects.toThrow(/plugin\.nettest\.ping_timeout must be more than 0 seconds/);
  });
});

describe("connect", () => {
  it("a listener: connected, with the time it took in seconds", async () => {
    const reply = await call("connect", { fqdn: "127.0.0.1", port: listener.port });
    expect(reply.statuscode).toBe(0);
    expect(reply.data.connect).toBe(true);
    expect(reply.data.connect_status).toBe("Connected");
    expect(Number(reply.data.connect_time)).toBeGreaterThan(0);
  });

  it("a closed port: Connection Refused", async () => {
    const reply = await call("connect", { fqdn: "localhost", port: refused });
    expect(reply.statuscode).toBe(0);
    expect(reply.data).toEqual({ connect: false, connect_status: "Connection Refused", connect_time: null });
  });

  it("a listener that never answers: Connection Timeout after plugin.nettest.connect_timeout", async () => {
    const hole = await openBlackhole();
    try {
      const reply = await call("connect", { fqdn: "127.0.0.1", port: hole.port }, { connect_timeout: "0.5" });
      expect(reply.data).toEqual({
        connect: false,
        connect_status: "Connection Timeout",
        connect_time: null,
      });
    } finally {
      await hole.close();
    }
  });

  it("a port out of range is refused, naming it", async () => {
    const reply = await call("connect", { fqdn: "127.0.0.1", port: 70000 });
    expect([reply.statuscode, reply.statusmsg]).toEqual([1, "port 70000 is not between 1 and 65535"]);
  });
});

describe("nettest data plugin", () => {
  it("nettest('host:port').connect", async () => {
    const plugin = await openPlugin({ definition: data }, "server");
    try {
      expect(await plugin.instance.query(`127.0.0.1:${listener.port}`)).toEqual({ connect: true });
      expect(await plugin.instance.query(`localhost:${refused}`)).toEqual({ connect: false });
    } finally {
      plugin.close();
    }
  });
});

describe("nettest_mma", () => {
  const text = async (values: unknown[], format?: string) => {
    const plugin = await openPlugin({ definition: mma }, "client", "mco");
    const run = plugin.instance.start({ output: "rtt", args: [], ...(format ? { format } : {}) });
    for (const v of values) run.process(v);
    plugin.close();
    return aggregateText(run.result());
  };

  it("prints min, max and average with the DDL's format", async () => {
    expect(await text([0.046, 0.031, 0.052], "Min: %.3fms  Max: %.3fms  Average: %.3fms")).toBe(
      "Min: 0.031ms  Max: 0.052ms  Average: 0.043ms",
    );
  });

  it("its own format, and one value", async () => {
    expect(await text([12.5])).toBe("Min: 12.500  Max: 12.500  Average: 12.500");
  });

  it("no values: zeros, as MCollective's", async () => {
    expect(await text([null])).toBe("Min: 0.000  Max: 0.000  Average: 0.000");
  });
});

/**
 * Broker faults under the real daemon: connections closed by RabbitMQ, a
 * broker that is not there yet when the daemon starts, and a connection cut
 * while an action is still running, so its reply is produced with no broker
 * to send it to.
 */
import { fileURLToPath } from "node:url";
import { type RunningBroker, startBroker } from "@phobos/broker";
import { type RubyFleet, startRubyFleet, writeServerConfig } from "@phobos/interop";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Daemon,
  eventually,
  logLines,
  logSize,
  startDaemon,
  waitForLog,
} from "./test-support/daemon.js";
import { fleetPsk, openFleetClient } from "./test-support/fleet.js";
import { freePort } from "./test-support/free-port.js";
import { openRawClient, type RawClient, simpleRpc } from "./test-support/raw-client.js";
import { startTcpProxy, type TcpProxy } from "./test-support/tcp-proxy.js";

const LIBDIR = fileURLToPath(new URL("./__fixtures__/libdir", import.meta.url));
const FAST = {
  "plugin.rabbitmq.initial_reconnect_delay": "0.05",
  "plugin.rabbitmq.max_reconnect_delay": "0.5",
};

let fleet: RubyFleet;
let client: RawClient;
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  fleet = await startRubyFleet({
    vhostPrefix: "phobos-faults",
    nodes: [
      { identity: "phobos1", implementation: "phobos", extra: FAST },
      { identity: "phobos2", implementation: "phobos", extra: FAST },
      { identity: "ruby1" },
    ],
  });
  client = await openFleetClient(fleet, "faults-client");
});

afterAll(async () => {
  await client?.close();
  await fleet?.dispose();
  await Promise.all(proxies.map((p) => p.close()));
});

describe("RabbitMQ closes every connection under running daemons", () => {
  it("the Phobos daemons reconnect, subscribe again and answer the next ping, as the Ruby one does", async () => {
    const logs = ["phobos1", "phobos2"].map((n) => fleet.node(n).logFile);
    const from = await Promise.all(logs.map(logSize));
    const before = await fleet.bindings();
    const closed = await fleet.closeConnections();
    // The three daemons and the test's own client.
    expect(closed.length).toBe(4);
    await fleet.waitUntilSubscribed({ exclude: before, timeoutMs: 20_000 });
    for (const [i, log] of logs.entries()) {
      await waitForLog(
        log,
        /WARN -- : connector\/rabbitmq Disconnected from stomp:\/\/.*; retrying in 0\.05s$/,
        {
          from: from[i],
        },
      );
      await waitForLog(log, /INFO -- : reconnected to stomp:\/\//, { from: from[i] });
    }
    const r = await fleet.mco(["ping", "-t", "1"]);
    expect(
      r.stdout
        .match(/^(phobos1|phobos2|ruby1)\s+time=/gm)
        ?.map((l) => l.split(/\s/)[0])
        .sort(),
    ).toEqual(["phobos1", "phobos2", "ruby1"]);
  });
});

describe("the broker is unreachable when the daemon starts", () => {
  let daemon: Daemon | undefined;
  let broker: RunningBroker | undefined;
  let late: RawClient | undefined;

  afterAll(async () => {
    await late?.close();
    await daemon?.kill();
    await broker?.close();
  });

  it("keeps retrying with a growing back-off, and comes up when the port opens", async () => {
    const port = await freePort();
    const users = [{ name: "mcollective", password: "late" }];
    const dir = `${fleet.dir}/late`;
    const config = await writeServerConfig(dir, {
      identity: "late1",
      broker: {
        connector: "rabbitmq",
        vhost: "/mcollective",
        pool: [{ host: "127.0.0.1", port, user: "mcollective", password: "late" }],
      },
      security: fleet.security,
      libdir: [LIBDIR],
      facts: { role: "late" },
      loglevel: "info",
      extra: {
        "plugin.rabbitmq.initial_reconnect_delay": "0.05",
        "plugin.rabbitmq.back_off_multiplier": "2",
        "plugin.rabbitmq.max_reconnect_delay": "0.4",
      },
    });
    const log = `${dir}/mcollectived.log`;
    daemon = startDaemon(["--config", config, "--no-daemonize"]);
    // 0.05, 0.1, 0.2, 0.4, then the cap: the back-off has grown and stopped growing.
    await waitForLog(log, /failed on attempt 6: .*ECONNREFUSED.*; retrying in 0\.40s$/, {
      timeoutMs: 15_000,
    });
    const delays = (await logLines(log, /failed on attempt \d+: /)).map(
      (l) => /retrying in ([\d.]+)s$/.exec(l)?.[1],
    );
    expect(delays.slice(0, 6)).toEqual(["0.05", "0.10", "0.20", "0.40", "0.40", "0.40"]);
    expect(daemon.child.exitCode).toBe(null);

    broker = await startBroker({ port, users });
    await waitForLog(
      log,
      /INFO -- : connector\/rabbitmq Connected to stomp:\/\/mcollective@127\.0\.0\.1:\d+$/,
    );
    await waitForLog(log, /Phobos mcollectived ready as late1/);
    late = await openRawClient({
      broker: { host: "127.0.0.1", port, vhost: "/mcollective", user: "mcollective", password: "late" },
      psk: fleetPsk(fleet),
      identity: "late-client",
    });
    expect(await late.pingAll(["late1"])).toEqual(["late1"]);
  });
});

describe("the connection is cut while an action runs", () => {
  const extraFor = (proxy: TcpProxy, ttl: number) => ({
    ...FAST,
    "plugin.rabbitmq.pool.1.port": proxy.port,
    libdir: LIBDIR,
    ttl,
  });

  async function slowNode(identity: string, ttl: number) {
    const [pool] = fleet.broker.pool;
    const proxy = await startTcpProxy({ host: pool?.host ?? "127.0.0.1", port: pool?.port ?? 61613 });
    proxies.push(proxy);
    await fleet.addNodes([
      {
        identity,
        implementation: "phobos",
        loglevel: "debug",
        extra: extraFor(proxy, ttl),
        agents: ["discovery", "rpcutil", "sleeper"],
      },
    ]);
    return { proxy, log: fleet.node(identity).logFile };
  }

  async function cutDuringSleep(identity: string, proxy: TcpProxy, log: string) {
    const from = await logSize(log);
    const requestid = await client.send({
      agent: "sleeper",
      body: simpleRpc("sleeper", "sleep", { seconds: 1 }),
      nodes: [identity],
    });
    await waitForLog(log, new RegExp(`Handling message ${requestid} for agent 'sleeper'`), { from });
    proxy.cut();
    await waitForLog(
      log,
      /holding a message to \/reply-queue\/amq\.gen-\S+ until RabbitMQ is reachable again/,
      {
        from,
      },
    );
    return { requestid, from };
  }

  it("the reply waits for the broker and is delivered after the reconnect", async () => {
    const { proxy, log } = await slowNode("slow1", 60);
    const { requestid, from } = await cutDuringSleep("slow1", proxy, log);
    expect(client.replies(requestid)).toEqual([]);
    proxy.restore();
    const [reply] = await client.waitReplies(requestid, 1);
    expect(reply?.senderid).toBe("slow1");
    await waitForLog(log, /sending 1 message\(s\) held while RabbitMQ was unreachable/, { from });
  });

  it("a reply whose ttl passes first is dropped with a log line, and nothing arrives later", async () => {
    const { proxy, log } = await slowNode("slow2", 1);
    const { requestid, from } = await cutDuringSleep("slow2", proxy, log);
    await waitForLog(
      log,
      /WARN -- : connector\/rabbitmq dropped a message to \/reply-queue\/amq\.gen-\S+: its ttl passed while RabbitMQ was unreachable$/,
      { from, timeoutMs: 5_000 },
    );
    proxy.restore();
    await waitForLog(log, /reconnected to stomp:\/\//, { from });
    // Its subscriptions are back once it answers again.
    const only = { fact: [], cf_class: [], agent: [], compound: [], identity: ["slow2"] };
    await eventually(
      async () => ((await client.ping(300, only)).includes("slow2") ? true : undefined),
      "a ping of slow2",
    );
    expect(client.replies(requestid)).toEqual([]);
  });
});

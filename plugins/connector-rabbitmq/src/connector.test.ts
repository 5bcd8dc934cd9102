/**
 * What the rabbitmq connector does beyond the conformance suite, against
 * Phobos's embedded broker: the reconnect policy MCollective configured
 * (pool failover, back-off with its multiplier and cap, a give-up that
 * names every broker tried), messages published while the broker is away,
 * and the optional layouts (agents_multiplex, use_reply_exchange, base64).
 */
import { connect, createServer } from "node:net";
import { type RunningBroker, startBroker } from "@phobos/broker";
import { ConnectorError, type InboundMessage } from "@phobos/core";
import { eventually, type OpenPlugin, openPlugin } from "@phobos/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import rabbitmq from "./connector.js";

const USERS = [{ name: "mcollective", password: "connector-test" }];
const opened: OpenPlugin<"connector">[] = [];
const brokers: RunningBroker[] = [];

afterEach(async () => {
  await Promise.all(
    opened.splice(0).map(async (p) => {
      await p.instance.disconnect().catch(() => {});
      p.close();
    }),
  );
});

afterAll(async () => {
  await Promise.all(brokers.map((b) => b.close()));
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function broker(port = 0): Promise<RunningBroker> {
  const b = await startBroker({ port, users: USERS });
  brokers.push(b);
  return b;
}

/** A connector for a pool of ports, with the received messages and log lines at hand. */
async function connector(ports: number[], identity: string, extra: Record<string, string> = {}) {
  const settings: Record<string, string> = {
    vhost: "/mcollective",
    "pool.size": String(ports.length),
    ...extra,
  };
  for (const [i, port] of ports.entries()) {
    Object.assign(settings, {
      [`pool.${i + 1}.host`]: "127.0.0.1",
      [`pool.${i + 1}.port`]: String(port),
      [`pool.${i + 1}.user`]: "mcollective",
      [`pool.${i + 1}.password`]: "connector-test",
    });
  }
  const plugin = await openPlugin({ definition: rabbitmq, settings }, "server", identity);
  opened.push(plugin);
  const received: InboundMessage[] = [];
  plugin.instance.onMessage((m) => received.push(m));
  const lines = () => plugin.log.lines.map((l) => `${l.level} ${l.message}`);
  return { connector: plugin.instance, received, lines };
}

const until = <T>(probe: () => T | undefined, what: string, timeoutMs = 5_000) =>
  eventually(probe, what, timeoutMs, 20);

const text = (m: InboundMessage) => Buffer.from(m.body).toString();

describe("connecting", () => {
  it("fails over to the next broker of the pool", async () => {
    const dead = await freePort();
    const live = await broker();
    const { connector: c, lines } = await connector([dead, live.port], "failover1", {
      initial_reconnect_delay: "0.01",
    });
    await c.connect({ timeoutMs: 5_000 });
    expect(lines()).toEqual(
      expect.arrayContaining([
        `info TCP Connection attempt 1 to stomp://mcollective@127.0.0.1:${dead}`,
        expect.stringMatching(
          new RegExp(
            `^info TCP Connection to stomp://mcollective@127\\.0\\.0\\.1:${dead} failed on attempt 1: .*ECONNREFUSED`,
          ),
        ),
        `info TCP Connection attempt 2 to stomp://mcollective@127.0.0.1:${live.port}`,
        `info Connected to stomp://mcollective@127.0.0.1:${live.port}`,
      ]),
    );
    expect(c.describe()).toBe(`stomp://mcollective@127.0.0.1:${live.port}`);
  });

  it("with a connect timeout, gives up naming every broker it tried", async () => {
    const [a, b] = [await freePort(), await freePort()];
    const { connector: c } = await connector([a, b], "timeout1", { initial_reconnect_delay: "0.01" });
    const error = await c.connect({ timeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Could not connect to RabbitMQ \\(no connection within 0\\.5s\\): .*127\\.0\\.0\\.1:${a}: .*ECONNREFUSED.*127\\.0\\.0\\.1:${b}: .*ECONNREFUSED`,
      ),
    );
  });

  it("gives up after max_reconnect_attempts, naming the broker", async () => {
    const dead = await freePort();
    const { connector: c } = await connector([dead], "attempts1", {
      initial_reconnect_delay: "0.01",
      max_reconnect_attempts: "3",
    });
    await expect(c.connect()).rejects.toThrow(
      new RegExp(
        `^Could not connect to RabbitMQ \\(gave up after 3 attempts\\): stomp://mcollective@127\\.0\\.0\\.1:${dead}: `,
      ),
    );
  });

  it("backs off by back_off_multiplier up to max_reconnect_delay, then comes up when the broker does", async () => {
    const port = await freePort();
    const { connector: c, lines } = await connector([port], "backoff1", {
      initial_reconnect_delay: "0.02",
      back_off_multiplier: "3",
      max_reconnect_delay: "0.5",
    });
    const connected = c.connect();
    await until(
      () => (lines().some((l) => / failed on attempt 5: /.test(l)) ? true : undefined),
      "five attempts",
    );
    const delays = lines().flatMap(
      (l) => /failed on attempt \d+: .*; retrying in ([\d.]+)s$/.exec(l)?.[1] ?? [],
    );
    expect(delays.slice(0, 5)).toEqual(["0.02", "0.06", "0.18", "0.50", "0.50"]);
    await broker(port);
    await connected;
    expect(lines()).toContain(`info Connected to stomp://mcollective@127.0.0.1:${port}`);
  });

  it("without use_exponential_back_off, retries at the initial delay every time", async () => {
    const port = await freePort();
    const { connector: c, lines } = await connector([port], "linear1", {
      initial_reconnect_delay: "0.03",
      use_exponential_back_off: "0",
    });
    const connecting = c.connect().catch(() => {});
    await until(
      () => (lines().some((l) => / failed on attempt 4: /.test(l)) ? true : undefined),
      "four attempts",
    );
    const delays = lines().flatMap((l) => /retrying in ([\d.]+)s$/.exec(l)?.[1] ?? []);
    expect(new Set(delays.slice(0, 4))).toEqual(new Set(["0.03"]));
    await c.disconnect();
    await connecting;
  });
});

describe("a broker that refuses a subscription", () => {
  it("names the missing exchange and what to do, and backs off instead of reconnecting in a loop", async () => {
    const b = await startBroker({
      port: 0,
      users: USERS,
      strictExchanges: true,
      exchanges: [
        { name: "mcollective_broadcast", type: "topic" },
        { name: "mcollective_directed", type: "direct" },
      ],
    });
    brokers.push(b);
    const { connector: c, lines } = await connector([b.port], "refused1", {
      initial_reconnect_delay: "0.02",
      max_reconnect_delay: "0.2",
    });
    await c.subscribe({ kind: "directed", collective: "mcollective" });
    await c.subscribe({ kind: "directed", collective: "missing" });
    const connecting = c.connect();
    // Each CONNECTED is followed by the refusal: the delay must keep growing all the same.
    await until(
      () => (lines().some((l) => /retrying in 0\.20s$/.test(l)) ? true : undefined),
      "the capped delay",
    );
    const errors = lines().filter((l) => l.startsWith("error RabbitMQ sent an ERROR frame"));
    expect(errors[0]).toBe(
      `error RabbitMQ sent an ERROR frame on stomp://mcollective@127.0.0.1:${b.port}: not_found: NOT_FOUND - no exchange 'missing_directed' in vhost '/mcollective' (the exchange missing_directed does not exist: every collective needs its <collective>_broadcast (topic) and <collective>_directed (direct) exchanges; phobos-rabbitmq-setup --config <this config> creates them)`,
    );
    const delays = lines().flatMap(
      (l) => /^warn Disconnected from .*; retrying in ([\d.]+)s$/.exec(l)?.[1] ?? [],
    );
    expect(delays.slice(0, 5)).toEqual(["0.02", "0.04", "0.08", "0.16", "0.20"]);
    await c.disconnect();
    await connecting.catch(() => {});
  });
});

describe("publishing while the broker is away", () => {
  it("holds the message and sends it once connected again", async () => {
    const b = await broker();
    const { connector: server, received } = await connector([b.port], "held-server");
    await server.connect({ timeoutMs: 5_000 });
    await server.subscribe({ kind: "directed", collective: "mcollective" });
    // The client's broker port opens later: a relay to the same broker, started on it.
    const port = await freePort();
    const { connector: client, lines } = await connector([port], "held-client", {
      initial_reconnect_delay: "0.02",
      max_reconnect_delay: "0.1",
    });
    const clientUp = client.connect();
    await client.publish({
      kind: "direct_request",
      agent: "rpcutil",
      collective: "mcollective",
      body: Buffer.from("held"),
      ttl: 60,
      nodes: ["held-server"],
      requestSeq: 1,
    });
    expect(lines()).toContainEqual(
      "info holding a message to /exchange/mcollective_directed/held-server until RabbitMQ is reachable again (for at most 60s, its ttl)",
    );
    expect(received).toEqual([]);
    const relay = createServer((inbound) => {
      const outbound = connect(b.port, "127.0.0.1");
      inbound.pipe(outbound).pipe(inbound);
      inbound.on("error", () => outbound.destroy());
      outbound.on("error", () => inbound.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(port, "127.0.0.1", resolve));
    try {
      await clientUp;
      const got = await until(() => received.find((m) => text(m) === "held"), "the held message");
      expect(got.headers.mc_sender).toBe("held-client");
      expect(lines()).toContain("info sending 1 message(s) held while RabbitMQ was unreachable");
    } finally {
      await client.disconnect();
      await new Promise((r) => relay.close(r));
    }
  });

  it("drops a held message when its ttl passes, with a log line, before any reconnect", async () => {
    const port = await freePort();
    const { connector: client, lines } = await connector([port], "expiry-client", {
      initial_reconnect_delay: "0.05",
    });
    const connecting = client.connect().catch(() => {});
    await client.publish({
      kind: "request",
      agent: "rpcutil",
      collective: "mcollective",
      body: Buffer.from("stale"),
      ttl: 1,
      requestSeq: 1,
    });
    await until(
      () =>
        lines().includes(
          "warn dropped a message to /exchange/mcollective_broadcast/rpcutil: its ttl passed while RabbitMQ was unreachable",
        )
          ? true
          : undefined,
      "the drop",
      3_000,
    );
    await client.disconnect();
    await connecting;
  });

  it("a disconnect drops what is still held, and says so", async () => {
    const port = await freePort();
    const { connector: client, lines } = await connector([port], "bye-client", {
      initial_reconnect_delay: "0.05",
    });
    const connecting = client.connect().catch(() => {});
    for (const n of [1, 2]) {
      await client.publish({
        kind: "request",
        agent: "rpcutil",
        collective: "mcollective",
        body: Buffer.from(`m${n}`),
        ttl: 60,
        requestSeq: n,
      });
    }
    await client.disconnect();
    await connecting;
    expect(lines()).toContain(
      "warn dropped 2 message(s) (4 bytes) that waited for RabbitMQ: the connection was closed",
    );
  });
});

describe("optional layouts", () => {
  async function roundTrip(extra: Record<string, string>, sub: "broadcast" | "reply") {
    const b = await broker();
    const { connector: server, received: toServer } = await connector(
      [b.port],
      `layout-server-${sub}`,
      extra,
    );
    const { connector: client, received: toClient } = await connector(
      [b.port],
      `layout-client-${sub}`,
      extra,
    );
    await Promise.all([server.connect({ timeoutMs: 5_000 }), client.connect({ timeoutMs: 5_000 })]);
    await server.subscribe({ kind: "broadcast", agent: "rpcutil", collective: "mcollective" });
    await client.subscribe({ kind: "reply", agent: "rpcutil", collective: "mcollective", requestSeq: 7 });
    const request = await until(() => {
      void client.publish({
        kind: "request",
        agent: "rpcutil",
        collective: "mcollective",
        body: Buffer.from("q\0x"),
        ttl: 60,
        requestSeq: 7,
      });
      return toServer.find((m) => text(m) === "q\0x");
    }, "the request");
    await server.publish({ kind: "reply", body: Buffer.from("a\0y"), ttl: 60, request });
    const reply = await until(() => toClient.find((m) => text(m) === "a\0y"), "the reply");
    return { request, reply };
  }

  it("agents_multiplex: one broadcast destination for every agent, still delivered", async () => {
    const { request } = await roundTrip({ agents_multiplex: "1" }, "broadcast");
    expect(request.headers.destination).toBe("/exchange/mcollective_broadcast");
  });

  it("use_reply_exchange: replies through mcollective_reply/<identity>_<pid>_<seq>, which the client subscribes to", async () => {
    const { request, reply } = await roundTrip({ use_reply_exchange: "1" }, "reply");
    expect(request.headers["reply-to"]).toBe(
      `/exchange/mcollective_reply/layout-client-reply_${process.pid}_7`,
    );
    expect(reply.headers.destination).toBe(
      `/exchange/mcollective_reply/layout-client-reply_${process.pid}_7`,
    );
  });

  it("base64: bodies travel base64-encoded and arrive decoded", async () => {
    const b = await broker();
    const { connector: plain, received } = await connector([b.port], "b64-watcher");
    const { connector: encoded } = await connector([b.port], "b64-sender", { base64: "1" });
    await Promise.all([plain.connect({ timeoutMs: 5_000 }), encoded.connect({ timeoutMs: 5_000 })]);
    await plain.subscribe({ kind: "directed", collective: "mcollective" });
    const body = Buffer.from([0, 1, 2, 255, 0]);
    const seen = await until(() => {
      void encoded.publish({
        kind: "direct_request",
        agent: "rpcutil",
        collective: "mcollective",
        body,
        ttl: 60,
        nodes: ["b64-watcher"],
        requestSeq: 1,
      });
      return received[0];
    }, "the encoded request");
    expect(text(seen)).toBe(body.toString("base64"));
  });
});

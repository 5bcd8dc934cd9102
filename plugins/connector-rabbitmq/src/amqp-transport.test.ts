/**
 * `plugin.rabbitmq.transport = amqp` beyond the conformance suite, against the
 * machine's RabbitMQ: STOMP and AMQP peers on one vhost answer each other (both
 * reply paths), the optional layouts, the default port, pool failover and the
 * give-up, a missing exchange explained and backed off from, messages held
 * while the broker is unreachable, and a bad `transport` value refused.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { ConfigError, ConnectorError, type InboundMessage } from "@phobos/core";
import { eventually } from "@phobos/testing";
import { afterAll, describe, expect, it } from "vitest";
import { useTestVhost } from "./__fixtures__/test-vhost.js";

const { name, password, admin, ports, peer } = useTestVhost("phobos-amqp-test", "AMQP transport tests");
const until = <T>(probe: () => T | undefined, what: string, timeoutMs = 10_000) =>
  eventually(probe, what, timeoutMs, 20);
const servers: Server[] = [];

afterAll(() => {
  for (const s of servers.splice(0)) s.close();
});

const text = (m: InboundMessage) => Buffer.from(m.body).toString("latin1");
const tag = () => randomBytes(4).toString("hex");

/** A TCP relay to RabbitMQ's AMQP port that can be cut and brought back on the same port. */
async function relay(target: number) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer((inbound) => {
        const outbound = tcpConnect(target, "127.0.0.1");
        for (const sock of [inbound, outbound]) {
          sockets.add(sock);
          sock.on("error", () => {});
          sock.on("close", () => {
            sockets.delete(sock);
            inbound.destroy();
            outbound.destroy();
          });
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        server = s;
        servers.push(s);
        const address = s.address();
        resolve(typeof address === "object" && address ? address.port : 0);
      });
    });
  const port = await listen(0);
  return {
    port,
    cut: async () => {
      const closing = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      for (const sock of sockets) sock.destroy();
      await closing;
    },
    restore: () => listen(port),
  };
}

/**
 * A request from `client` to `server` (broadcast to rpcutil, or directed),
 * repeated until it arrives, then the server's reply back to the client.
 */
async function roundTrip(
  client: Awaited<ReturnType<typeof peer>>,
  server: Awaited<ReturnType<typeof peer>>,
  kind: "request" | "direct_request",
  requestSeq = 1,
) {
  const t = tag();
  const request = await until(() => {
    void client.connector.publish({
      kind,
      agent: "rpcutil",
      collective: "mcollective",
      body: Buffer.from(`q-${t}\0`),
      ttl: 60,
      requestSeq,
      ...(kind === "direct_request" ? { nodes: [server.identity] } : {}),
    });
    return server.received.find((m) => text(m) === `q-${t}\0`);
  }, `${kind} from ${client.identity} to ${server.identity}`);
  await server.connector.publish({ kind: "reply", body: Buffer.from(`a-${t}\0`), ttl: 60, request });
  const reply = await until(
    () => client.received.find((m) => text(m) === `a-${t}\0`),
    `the reply from ${server.identity}`,
  );
  return { request, reply };
}

describe("STOMP and AMQP peers on one vhost", () => {
  for (const [clientT, serverT] of [
    ["stomp", "amqp"],
    ["amqp", "stomp"],
    ["amqp", "amqp"],
  ] as const) {
    it(`a ${clientT} client's broadcast and directed requests reach a ${serverT} daemon, and its replies come back`, async () => {
      const server = await peer(serverT, `${serverT}-d-${tag()}`, "server");
      const client = await peer(clientT, `${clientT}-c-${tag()}`, "client");
      await Promise.all([
        server.connector.connect({ timeoutMs: 10_000 }),
        client.connector.connect({ timeoutMs: 10_000 }),
      ]);
      await server.connector.subscribe({ kind: "broadcast", agent: "rpcutil", collective: "mcollective" });
      await server.connector.subscribe({ kind: "directed", collective: "mcollective" });
      const broadcast = await roundTrip(client, server, "request");
      expect(broadcast.request.headers.destination).toBe("/exchange/mcollective_broadcast/rpcutil");
      expect(broadcast.request.headers.mc_sender).toBe(client.identity);
      expect(broadcast.request.headers.expiration).toBe("70000");
      // RabbitMQ's temp queue, as a STOMP daemon sees it, whichever protocol made it.
      expect(broadcast.request.headers["reply-to"]).toMatch(/^\/reply-queue\/amq\.gen-/);
      expect(broadcast.reply.headers.mc_sender).toBe(server.identity);
      const directed = await roundTrip(client, server, "direct_request");
      expect(directed.request.headers.destination).toBe(`/exchange/mcollective_directed/${server.identity}`);
    });
  }

  it("agents_multiplex and use_reply_exchange work across the protocols too", async () => {
    // MCollective's guide: use_reply_exchange needs this exchange made beside the collective's two.
    await admin.declareExchange(`/${name}`, "mcollective_reply", { type: "direct" });
    const extra = { agents_multiplex: "1", use_reply_exchange: "1" };
    const server = await peer("stomp", `mux-d-${tag()}`, "server", extra);
    const client = await peer("amqp", `mux-c-${tag()}`, "client", extra);
    await Promise.all([
      server.connector.connect({ timeoutMs: 10_000 }),
      client.connector.connect({ timeoutMs: 10_000 }),
    ]);
    await server.connector.subscribe({ kind: "broadcast", agent: "rpcutil", collective: "mcollective" });
    await client.connector.subscribe({
      kind: "reply",
      agent: "rpcutil",
      collective: "mcollective",
      requestSeq: 3,
    });
    const { request, reply } = await roundTrip(client, server, "request", 3);
    expect(request.headers.destination).toBe("/exchange/mcollective_broadcast");
    expect(request.headers["reply-to"]).toBe(
      `/exchange/mcollective_reply/${client.identity}_${process.pid}_3`,
    );
    expect(reply.headers.destination).toBe(`/exchange/mcollective_reply/${client.identity}_${process.pid}_3`);
  });
});

describe("configuration", () => {
  it("defaults to RabbitMQ's AMQP port 5672 when pool.N.port is not set", async () => {
    const { connector } = await peer("amqp", `port-${tag()}`, "client", {}, null);
    expect(connector.describe()).toBe(`amqp://${name}@127.0.0.1:5672`);
  });

  it("refuses a transport it does not speak, naming the key", async () => {
    const error = await peer("stomp", "bad-transport", "client", { transport: "openwire" }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).cause).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /plugin\.rabbitmq\.transport.*"openwire": the rabbitmq connector speaks stomp or amqp/,
    );
  });
});

describe("connecting over AMQP", () => {
  it("fails over to the next broker of the pool, and gives up after max_reconnect_attempts naming them", async () => {
    const dead = await relay(ports.amqp);
    await dead.cut();
    const settings = {
      "pool.size": "2",
      "pool.2.host": "127.0.0.1",
      "pool.2.port": String(ports.amqp),
      "pool.2.user": name,
      "pool.2.password": password,
    };
    const { connector, lines } = await peer("amqp", `failover-${tag()}`, "server", settings, dead.port);
    await connector.connect({ timeoutMs: 10_000 });
    expect(lines()).toEqual(
      expect.arrayContaining([
        `info TCP Connection attempt 1 to amqp://${name}@127.0.0.1:${dead.port}`,
        expect.stringMatching(
          new RegExp(`^info TCP Connection to amqp://\\S+:${dead.port} failed on attempt 1: .*ECONNREFUSED`),
        ),
        `info Connected to amqp://${name}@127.0.0.1:${ports.amqp}`,
      ]),
    );

    const { connector: hopeless } = await peer(
      "amqp",
      `giveup-${tag()}`,
      "server",
      { max_reconnect_attempts: "3" },
      dead.port,
    );
    const error = await hopeless.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Could not connect to RabbitMQ \\(gave up after 3 attempts\\): amqp://\\S+:${dead.port}: .*ECONNREFUSED`,
      ),
    );
  });

  it("names a missing exchange and what to do, and backs off instead of reconnecting in a loop", async () => {
    const { connector, lines } = await peer("amqp", `refused-${tag()}`, "server", {
      initial_reconnect_delay: "0.02",
      max_reconnect_delay: "0.2",
    });
    await connector.subscribe({ kind: "directed", collective: "mcollective" });
    await connector.subscribe({ kind: "directed", collective: "missing" });
    const connecting = connector.connect();
    await until(
      () => (lines().some((l) => /retrying in 0\.20s$/.test(l)) ? true : undefined),
      "the capped delay",
    );
    const failures = lines().filter((l) => /failed on attempt/.test(l));
    expect(failures[0]).toContain(
      `NOT_FOUND - no exchange 'missing_directed' in vhost '/${name}'" (the exchange missing_directed does not exist: every collective needs its <collective>_broadcast (topic) and <collective>_directed (direct) exchanges; phobos-rabbitmq-setup --config <this config> creates them)`,
    );
    const delays = lines().flatMap((l) => /; retrying in ([\d.]+)s$/.exec(l)?.[1] ?? []);
    expect(delays.slice(0, 5)).toEqual(["0.02", "0.04", "0.08", "0.16", "0.20"]);
    await connector.disconnect();
    await connecting.catch(() => {});
  });

  it("holds a reply while RabbitMQ is unreachable and sends it once connected again", async () => {
    const cable = await relay(ports.amqp);
    const server = await peer("amqp", `held-d-${tag()}`, "server", {}, cable.port);
    const client = await peer("stomp", `held-c-${tag()}`, "client");
    await Promise.all([
      server.connector.connect({ timeoutMs: 10_000 }),
      client.connector.connect({ timeoutMs: 10_000 }),
    ]);
    await server.connector.subscribe({ kind: "directed", collective: "mcollective" });
    const t = tag();
    const request = await until(() => {
      void client.connector.publish({
        kind: "direct_request",
        agent: "rpcutil",
        collective: "mcollective",
        body: Buffer.from(`held-${t}`),
        ttl: 60,
        requestSeq: 1,
        nodes: [server.identity],
      });
      return server.received.find((m) => text(m) === `held-${t}`);
    }, "the request");
    await cable.cut();
    await until(
      () => (server.lines().some((l) => l.startsWith("warn Disconnected from")) ? true : undefined),
      "the loss",
    );
    await server.connector.publish({ kind: "reply", body: Buffer.from(`late-${t}`), ttl: 60, request });
    expect(server.lines()).toContain(
      `info holding a message to ${request.headers["reply-to"]} until RabbitMQ is reachable again (for at most 60s, its ttl)`,
    );
    await cable.restore();
    const reply = await until(() => client.received.find((m) => text(m) === `late-${t}`), "the held reply");
    expect(reply.headers.mc_sender).toBe(server.identity);
  });
});

import type { Client, IMessage } from "@stomp/stompjs";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, sleep, useBrokers } from "./test-support/broker-fixture.js";
import { connectStompJs, type StompJsOptions } from "./test-support/stomp-socket.js";

/** Semantics through a third-party client (@stomp/stompjs over a TCP adapter). */
describe("broker with @stomp/stompjs", () => {
  const fixture = useBrokers();
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.deactivate()));
  });

  async function connect(port: number, options: Partial<StompJsOptions> = {}): Promise<Client> {
    const client = await connectStompJs({ port, ...options });
    clients.push(client);
    return client;
  }

  /** Collects messages of one subscription; `ready` resolves once the broker confirmed it. */
  async function collect(client: Client, destination: string, headers: Record<string, string> = {}) {
    const messages: IMessage[] = [];
    const receipt = `sub-${Math.random()}`;
    const confirmed = new Promise<void>((resolve) => client.watchForReceipt(receipt, () => resolve()));
    const subscription = client.subscribe(destination, (message) => messages.push(message), {
      ...headers,
      receipt,
    });
    await confirmed;
    return { messages, subscription };
  }

  async function publishConfirmed(client: Client, destination: string, body: string, headers = {}) {
    const receipt = `pub-${Math.random()}`;
    const confirmed = new Promise<void>((resolve) => client.watchForReceipt(receipt, () => resolve()));
    client.publish({ destination, body, headers: { ...headers, receipt } });
    await confirmed;
  }

  it("routes topic exchanges with * and # wildcards on dot-separated words", async () => {
    const broker = await fixture.broker();
    const sub = await connect(broker.port);
    const pub = await connect(broker.port);
    const star = await collect(sub, "/exchange/events/host.*.cpu");
    const hash = await collect(sub, "/exchange/events/host.#");
    const exact = await collect(sub, "/exchange/events/host.a.cpu");
    const amqTopic = await collect(sub, "/topic/host.*.cpu");

    for (const key of ["host.a.cpu", "host.b.cpu", "host.a.mem", "host", "host.a.b.cpu", "other.a.cpu"]) {
      await publishConfirmed(pub, `/exchange/events/${key}`, key);
    }
    await publishConfirmed(pub, "/topic/host.z.cpu", "via amq.topic");
    await eventually(() => hash.messages.length === 5, 2000, "wildcard deliveries");
    await sleep(50);
    expect(star.messages.map((m) => m.body)).toEqual(["host.a.cpu", "host.b.cpu"]);
    expect(hash.messages.map((m) => m.body)).toEqual([
      "host.a.cpu",
      "host.b.cpu",
      "host.a.mem",
      "host",
      "host.a.b.cpu",
    ]);
    expect(exact.messages.map((m) => m.body)).toEqual(["host.a.cpu"]);
    expect(amqTopic.messages.map((m) => m.body)).toEqual(["via amq.topic"]);
    expect(amqTopic.messages[0]?.headers.destination).toBe("/topic/host.z.cpu");
  });

  it("routes *_directed exchanges by exact key only", async () => {
    const broker = await fixture.broker();
    const sub = await connect(broker.port);
    const pub = await connect(broker.port);
    const node = await collect(sub, "/exchange/mcollective_directed/node.*");
    const literal = await collect(sub, "/exchange/mcollective_directed/node.1");
    await publishConfirmed(pub, "/exchange/mcollective_directed/node.1", "one");
    await eventually(() => literal.messages.length === 1);
    await sleep(50);
    expect(node.messages).toHaveLength(0);
  });

  it("shares a /queue round-robin between consumers and buffers while there are none", async () => {
    const broker = await fixture.broker();
    const pub = await connect(broker.port);
    for (let i = 0; i < 3; i++) await publishConfirmed(pub, "/queue/work", `early-${i}`);
    expect(broker.stats().bufferedMessages).toBe(3);

    const consumers = await Promise.all([0, 1, 2].map(() => connect(broker.port)));
    const first = await collect(consumers[0] as Client, "/queue/work");
    await eventually(() => first.messages.length === 3, 2000, "buffered messages");
    expect(first.messages.map((m) => m.body)).toEqual(["early-0", "early-1", "early-2"]);

    const others = [first];
    for (const consumer of consumers.slice(1)) others.push(await collect(consumer, "/queue/work"));
    for (let i = 0; i < 9; i++) await publishConfirmed(pub, "/queue/work", `m${i}`);
    await eventually(() => others.reduce((n, c) => n + c.messages.length, 0) === 12, 2000, "all deliveries");
    expect(others.map((c) => c.messages.filter((m) => m.body.startsWith("m")).length)).toEqual([3, 3, 3]);
    expect(broker.stats().bufferedMessages).toBe(0);
  });

  it("carries binary bodies with NULs intact, with content-length", async () => {
    const broker = await fixture.broker();
    const sub = await connect(broker.port);
    const pub = await connect(broker.port);
    const { messages } = await collect(sub, "/exchange/bin/x");
    const body = new Uint8Array(4096).map((_, i) => (i * 7) % 256);
    body.set([0, 0, 0], 100);
    pub.publish({
      destination: "/exchange/bin/x",
      binaryBody: body,
      headers: { "content-type": "application/x" },
    });
    await eventually(() => messages.length === 1);
    const message = messages[0] as IMessage;
    expect(new Uint8Array(message.binaryBody)).toEqual(body);
    expect(message.headers["content-length"]).toBe(String(body.length));
    expect(message.headers["content-type"]).toBe("application/x");
  });

  it("delivers replies through /temp-queue as RabbitMQ does, to an unsubscribed requester", async () => {
    const broker = await fixture.broker();
    const requester = await connect(broker.port);
    const responder = await connect(broker.port);
    const replies: IMessage[] = [];
    requester.onUnhandledMessage = (message) => replies.push(message);
    responder.subscribe("/queue/service", (request) => {
      responder.publish({ destination: request.headers["reply-to"] ?? "", body: `re: ${request.body}` });
    });
    await sleep(50);
    requester.publish({
      destination: "/queue/service",
      body: "hello",
      headers: { "reply-to": "/temp-queue/answers" },
    });
    await eventually(() => replies.length === 1, 2000, "the reply");
    const reply = replies[0] as IMessage;
    expect(reply.body).toBe("re: hello");
    expect(reply.headers.subscription).toBe("/temp-queue/answers");
    expect(reply.headers.destination).toMatch(/^\/queue\/amq\.gen-/);
  });

  it("holds transactional SENDs and ACKs until COMMIT and drops them on ABORT", async () => {
    const broker = await fixture.broker();
    const sub = await connect(broker.port);
    const pub = await connect(broker.port);
    const { messages } = await collect(sub, "/exchange/tx/k");

    const tx = pub.begin();
    pub.publish({ destination: "/exchange/tx/k", body: "one", headers: { transaction: tx.id } });
    pub.publish({ destination: "/exchange/tx/k", body: "two", headers: { transaction: tx.id } });
    await sleep(100);
    expect(messages).toHaveLength(0);
    tx.commit();
    await eventually(() => messages.length === 2);
    expect(messages.map((m) => m.body)).toEqual(["one", "two"]);
    // Broker-level headers stay out of delivered messages.
    expect(messages[0]?.headers.transaction).toBeUndefined();

    const aborted = pub.begin();
    pub.publish({ destination: "/exchange/tx/k", body: "never", headers: { transaction: aborted.id } });
    aborted.abort();
    await publishConfirmed(pub, "/exchange/tx/k", "after");
    await eventually(() => messages.length === 3);
    expect(messages[2]?.body).toBe("after");

    // An ACK inside a transaction takes effect at COMMIT.
    await publishConfirmed(pub, "/queue/txq", "ack-me");
    const acked: IMessage[] = [];
    sub.subscribe("/queue/txq", (m) => acked.push(m), { ack: "client-individual" });
    await eventually(() => acked.length === 1);
    const ackTx = sub.begin();
    acked[0]?.ack({ transaction: ackTx.id });
    await sleep(50);
    expect(broker.stats().messagesAcked).toBe(0);
    ackTx.commit();
    await eventually(() => broker.stats().messagesAcked === 1);
  });

  it("redelivers NACKed and unacknowledged messages with redelivered:true", async () => {
    const broker = await fixture.broker();
    const pub = await connect(broker.port);
    const first = await connect(broker.port);
    const got: IMessage[] = [];
    first.subscribe("/queue/jobs", (m) => got.push(m), { ack: "client-individual", "prefetch-count": "1" });
    await sleep(50);
    await publishConfirmed(pub, "/queue/jobs", "a");
    await publishConfirmed(pub, "/queue/jobs", "b");
    await eventually(() => got.length === 1);
    expect(got[0]?.headers.redelivered).toBe("false");
    got[0]?.nack();
    await eventually(() => got.length === 2);
    expect([got[1]?.body, got[1]?.headers.redelivered]).toEqual(["a", "true"]);
    got[1]?.ack();
    await eventually(() => got.length === 3);
    expect(got[2]?.body).toBe("b");

    // "b" is unacknowledged when this consumer leaves: the next one gets it again.
    await first.deactivate();
    const second = await connect(broker.port);
    const again: IMessage[] = [];
    second.subscribe("/queue/jobs", (m) => again.push(m));
    await eventually(() => again.length === 1);
    expect([again[0]?.body, again[0]?.headers.redelivered]).toEqual(["b", "true"]);
  });

  it("speaks STOMP 1.0 with a 1.0-only client", async () => {
    const broker = await fixture.broker();
    const old = await connect(broker.port, { versions: ["1.0"] });
    expect(old.connectedVersion).toBe("1.0");
    const { messages } = await collect(old, "/exchange/legacy/#");
    await publishConfirmed(old, "/exchange/legacy/x", "hi");
    await eventually(() => messages.length === 1);
  });

  it("exchanges heart-beats and keeps an idle connection open", async () => {
    const broker = await fixture.broker({ limits: { heartbeatMinMs: 100 } });
    let beats = 0;
    const client = await connectStompJs({ port: broker.port, heartbeat: { incoming: 200, outgoing: 200 } });
    clients.push(client);
    client.onHeartbeatReceived = () => beats++;
    await sleep(1200);
    expect(client.connected).toBe(true);
    expect(beats).toBeGreaterThanOrEqual(3);
    expect(broker.stats().heartbeatTimeouts).toBe(0);
  });

  it("refuses a wrong password with RabbitMQ's ERROR", async () => {
    const broker = await fixture.broker({ users: [{ name: "mco", password: "secret" }] });
    await expect(connectStompJs({ port: broker.port, login: "mco", passcode: "nope" })).rejects.toThrow(
      "Bad CONNECT: Access refused for user 'mco'",
    );
    expect(broker.stats().authFailures).toBe(1);
    const good = await connect(broker.port, { login: "mco", passcode: "secret" });
    expect(good.connected).toBe(true);
  });
});

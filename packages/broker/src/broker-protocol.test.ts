import { describe, expect, it } from "vitest";
import { eventually, sleep, useBrokers } from "./test-support/broker-fixture.js";
import { encode, headerMap, headerNames, type RawClient } from "./test-support/raw-client.js";

const GUEST = { login: "guest", passcode: "guest" };

/** Byte-level behaviour over raw sockets, where exact headers and framing matter. */
describe("broker protocol (raw sockets)", () => {
  const fixture = useBrokers();

  async function connected(
    port: number,
    version = "1.0",
    extra: Record<string, string> = {},
  ): Promise<RawClient> {
    const client = await fixture.client(port);
    await client.connect({ "accept-version": version, ...GUEST, ...extra });
    return client;
  }

  /** SUBSCRIBE with a receipt, so the binding exists before the test publishes. */
  async function subscribe(client: RawClient, headers: Record<string, string>): Promise<void> {
    client.send("SUBSCRIBE", { ...headers, receipt: "subscribed" });
    const receipt = await client.next();
    expect([receipt.command, headerMap(receipt)["receipt-id"]]).toEqual(["RECEIPT", "subscribed"]);
  }

  it("negotiates the highest common version and answers CONNECTED like RabbitMQ", async () => {
    const broker = await fixture.broker();
    for (const [accept, expected] of [
      [undefined, "1.0"],
      ["1.0", "1.0"],
      ["1.0,1.1", "1.1"],
      ["1.2,1.1,1.0", "1.2"],
    ] as const) {
      const client = await fixture.client(broker.port);
      const frame = await client.connect({ ...(accept ? { "accept-version": accept } : {}), ...GUEST });
      expect(headerNames(frame)).toEqual(["server", "session", "heart-beat", "version"]);
      expect(headerMap(frame)).toMatchObject({ version: expected, "heart-beat": "0,0" });
    }
    const client = await fixture.client(broker.port);
    client.send("STOMP", { "accept-version": "1.2", host: "/", ...GUEST });
    expect((await client.next()).command).toBe("CONNECTED");

    const mismatch = await fixture.client(broker.port);
    mismatch.send("CONNECT", { "accept-version": "2.0", ...GUEST });
    const error = await mismatch.next();
    expect(headerMap(error)).toMatchObject({ message: "Version mismatch", version: "1.0,1.1,1.2" });
    expect(error.body.toString()).toBe("Supported versions are 1.0,1.1,1.2\n");
    await mismatch.closed;
  });

  it("refuses bad logins with ERROR 'Access refused' and closes", async () => {
    const broker = await fixture.broker({ users: [{ name: "a", password: "b" }] });
    const attempts: Array<Record<string, string>> = [
      { login: "a", passcode: "c" },
      { login: "x", passcode: "b" },
      { passcode: "b" },
      { login: "guest", passcode: "guest" },
    ];
    for (const headers of attempts) {
      const client = await fixture.client(broker.port);
      client.send("CONNECT", { "accept-version": "1.0", ...headers });
      const error = await client.next();
      expect(error.command).toBe("ERROR");
      expect(headerNames(error)).toEqual(["message", "content-type", "version", "content-length"]);
      expect(headerMap(error).message).toBe("Bad CONNECT");
      expect(error.body.toString()).toBe(`Access refused for user '${headers.login ?? ""}'\n`);
      await client.closed;
    }
    expect(broker.stats().authFailures).toBe(4);
  });

  it("requires CONNECT first", async () => {
    const broker = await fixture.broker();
    const client = await fixture.client(broker.port);
    client.send("SEND", { destination: "/queue/a" }, "x");
    const error = await client.next();
    expect(headerMap(error).message).toBe("Illegal command");
    await client.closed;
  });

  it("limits vhosts to the configured list", async () => {
    const broker = await fixture.broker({ vhosts: ["/mcollective"] });
    await connected(broker.port, "1.0", { host: "/mcollective" });
    const client = await fixture.client(broker.port);
    client.send("CONNECT", { host: "/other", ...GUEST });
    const error = await client.next();
    expect(error.body.toString()).toBe("Virtual host '/other' access denied");
    await client.closed;
  });

  it("keeps vhosts apart", async () => {
    const broker = await fixture.broker();
    const a = await connected(broker.port, "1.0", { host: "/a" });
    const b = await connected(broker.port, "1.0", { host: "/b" });
    await subscribe(b, { destination: "/exchange/x/k" });
    a.send("SEND", { destination: "/exchange/x/k" }, "for /a only");
    await b.expectNothing(200);
  });

  it("writes MESSAGE headers in RabbitMQ's order: broker's, then the sender's reversed, then properties", async () => {
    const broker = await fixture.broker();
    const sub = await connected(broker.port);
    await subscribe(sub, { destination: "/exchange/amq.topic/foo.*" });
    const pub = await connected(broker.port);
    // Captured from RabbitMQ 3.10 with exactly this SEND (see the report).
    pub.send(
      "SEND",
      [
        ["zeta", "1"],
        ["reply-to", "/queue/r"],
        ["alpha", "2"],
        ["expiration", "70000"],
        ["priority", "3"],
        ["correlation-id", "c1"],
        ["persistent", "true"],
        ["type", "t"],
        ["app-id", "ap"],
        ["timestamp", "5"],
        ["user-id", "guest"],
        ["content-encoding", "gz"],
        ["zeta", "ignored repeat"],
        ["destination", "/exchange/amq.topic/foo.bar"],
        ["content-type", "text/plain; charset=UTF-8"],
      ],
      "he\0lo",
    );
    const frame = await sub.next();
    expect(
      frame.headers.map(([k, v]) => (k === "message-id" ? [k, v.replace(/session-.{22}/, "S")] : [k, v])),
    ).toEqual([
      ["destination", "/topic/foo.bar"],
      ["message-id", "Q_/exchange/amq.topic/foo.*@@S@@1"],
      ["redelivered", "false"],
      ["alpha", "2"],
      ["zeta", "1"],
      ["app-id", "ap"],
      ["user-id", "guest"],
      ["type", "t"],
      ["timestamp", "5"],
      ["expiration", "70000"],
      ["reply-to", "/queue/r"],
      ["correlation-id", "c1"],
      ["priority", "3"],
      ["persistent", "true"],
      ["content-encoding", "gz"],
      ["content-type", "text/plain; charset=UTF-8"],
      ["content-length", "5"],
    ]);
    expect(frame.body.toString("binary")).toBe("he\0lo");
  });

  it("adds subscription and, in STOMP 1.2 client mode, ack headers", async () => {
    const broker = await fixture.broker();
    const sub = await connected(broker.port, "1.2");
    await subscribe(sub, { id: "s1", destination: "/queue/acks", ack: "client" });
    const pub = await connected(broker.port);
    pub.send("SEND", { destination: "/queue/acks" }, "x");
    const frame = await sub.next();
    expect(headerNames(frame)).toEqual([
      "subscription",
      "destination",
      "message-id",
      "redelivered",
      "ack",
      "content-length",
    ]);
    const h = headerMap(frame);
    expect(h.subscription).toBe("s1");
    expect(h["message-id"]).toMatch(/^T_s1@@session-.{22}@@1$/);
    expect(h.ack).toBe(h["message-id"]);
  });

  it("acknowledges cumulatively in client mode and singly in client-individual mode", async () => {
    const broker = await fixture.broker();
    const pub = await connected(broker.port);
    for (let i = 0; i < 4; i++) pub.send("SEND", { destination: "/queue/c" }, `m${i}`);
    const sub = await connected(broker.port, "1.1");
    await subscribe(sub, { id: "c", destination: "/queue/c", ack: "client" });
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(headerMap(await sub.next())["message-id"] ?? "");
    sub.send("ACK", { subscription: "c", "message-id": ids[2] ?? "", receipt: "r" });
    await sub.next();
    expect(broker.stats().messagesAcked).toBe(3);

    const individual = await connected(broker.port, "1.2");
    await subscribe(individual, { id: "i", destination: "/queue/i", ack: "client-individual" });
    for (let i = 0; i < 3; i++) pub.send("SEND", { destination: "/queue/i" }, `n${i}`);
    const acks = [];
    for (let i = 0; i < 3; i++) acks.push(headerMap(await individual.next()).ack ?? "");
    individual.send("ACK", { id: acks[1] ?? "", receipt: "r" });
    await individual.next();
    expect(broker.stats().messagesAcked).toBe(4);
  });

  it("escapes header values for 1.1 and 1.2 receivers and not for 1.0 ones", async () => {
    const broker = await fixture.broker();
    const receivers = {
      "1.0": await connected(broker.port, "1.0"),
      "1.1": await connected(broker.port, "1.1"),
      "1.2": await connected(broker.port, "1.2"),
    };
    for (const client of Object.values(receivers))
      await subscribe(client, { id: "e", destination: "/topic/esc" });
    const pub = await connected(broker.port, "1.2");
    pub.write("SEND\ndestination:/topic/esc\nodd:a\\cb\\\\c\\nd\\re\n\n\0");
    const raw = async (client: RawClient) => {
      await client.next();
      const text = client.received().toString();
      return text.slice(text.lastIndexOf("\nodd:") + 1).split("\n")[0];
    };
    expect(await raw(receivers["1.2"])).toBe("odd:a\\cb\\\\c\\nd\\re");
    expect(await raw(receivers["1.1"])).toBe("odd:a\\cb\\\\c\\nd\re");
    expect(await raw(receivers["1.0"])).toBe("odd:a:b\\c\\nd\\re");
  });

  it("uses the first of repeated headers", async () => {
    const broker = await fixture.broker();
    const sub = await connected(broker.port);
    await subscribe(sub, { destination: "/exchange/rep/first" });
    const pub = await connected(broker.port);
    pub.send(
      "SEND",
      [
        ["destination", "/exchange/rep/first"],
        ["destination", "/exchange/rep/second"],
        ["mc_sender", "a"],
        ["mc_sender", "b"],
      ],
      "x",
    );
    const frame = await sub.next();
    expect(frame.headers.filter(([k]) => k === "mc_sender")).toEqual([["mc_sender", "a"]]);
  });

  it("reads frames split into single bytes, several frames per write, CRLF line ends", async () => {
    const broker = await fixture.broker();
    const sub = await connected(broker.port, "1.2");
    await subscribe(sub, { id: "s", destination: "/queue/split" });
    const pub = await fixture.client(broker.port);
    const bytes = Buffer.concat([
      Buffer.from("CONNECT\r\naccept-version:1.2\r\nlogin:guest\r\npasscode:guest\r\n\r\n\0\r\n"),
      encode("SEND", { destination: "/queue/split" }, Buffer.from([1, 0, 2, 0])),
      Buffer.from("\n\n"),
      encode("SEND", { destination: "/queue/split" }, "tail"),
    ]);
    for (const byte of bytes) pub.write(Buffer.from([byte]));
    expect((await pub.next()).command).toBe("CONNECTED");
    expect([...(await sub.next()).body]).toEqual([1, 0, 2, 0]);
    expect((await sub.next()).body.toString()).toBe("tail");

    const burst = await fixture.client(broker.port);
    burst.write(
      Buffer.concat([
        encode("CONNECT", GUEST),
        ...Array.from({ length: 50 }, (_, i) => encode("SEND", { destination: "/queue/split" }, `b${i}`)),
      ]),
    );
    for (let i = 0; i < 50; i++) expect((await sub.next()).body.toString()).toBe(`b${i}`);
  });

  it("sends RECEIPTs for any frame, and receipt-id on ERROR", async () => {
    const broker = await fixture.broker();
    const client = await connected(broker.port, "1.2");
    const frames: Array<[string, Record<string, string>]> = [
      ["SUBSCRIBE", { id: "1", destination: "/queue/r" }],
      ["SEND", { destination: "/queue/elsewhere" }],
      ["BEGIN", { transaction: "t" }],
      ["SEND", { destination: "/queue/elsewhere", transaction: "t" }],
      ["ABORT", { transaction: "t" }],
      ["UNSUBSCRIBE", { id: "1" }],
    ];
    for (const [i, [command, headers]] of frames.entries()) {
      client.send(command, { ...headers, receipt: `r${i}` });
      const receipt = await client.next();
      expect([receipt.command, headerMap(receipt)["receipt-id"]]).toEqual(["RECEIPT", `r${i}`]);
    }
    client.send("UNSUBSCRIBE", { id: "nope", receipt: "bad" });
    const error = await client.next();
    expect(headerNames(error)).toEqual([
      "message",
      "receipt-id",
      "content-type",
      "version",
      "content-length",
    ]);
    expect(headerMap(error)).toMatchObject({ message: "No subscription found", "receipt-id": "bad" });
    await client.closed;

    const leaving = await connected(broker.port, "1.1");
    leaving.send("DISCONNECT", { receipt: "bye" });
    expect(headerMap(await leaving.next())["receipt-id"]).toBe("bye");
    await leaving.closed;
  });

  it("unsubscribes by destination in STOMP 1.0 and stops delivering", async () => {
    const broker = await fixture.broker();
    const sub = await connected(broker.port);
    await subscribe(sub, { destination: "/exchange/u/k" });
    sub.send("UNSUBSCRIBE", { destination: "/exchange/u/k", receipt: "gone" });
    expect((await sub.next()).command).toBe("RECEIPT");
    const pub = await connected(broker.port);
    pub.send("SEND", { destination: "/exchange/u/k" }, "x");
    await sub.expectNothing(200);
    expect(broker.stats()).toMatchObject({ queues: 0, messagesUnroutable: 1 });
  });

  it("drops buffered messages whose expiration passed (RabbitMQ per-message TTL)", async () => {
    const broker = await fixture.broker();
    const pub = await connected(broker.port);
    pub.send("SEND", { destination: "/queue/ttl", expiration: "100" }, "short");
    pub.send("SEND", { destination: "/queue/ttl", expiration: "70000" }, "long");
    pub.send("SEND", { destination: "/queue/ttl" }, "forever");
    pub.send("SEND", { destination: "/queue/ttl", expiration: "0", receipt: "sent" }, "zero");
    await pub.next();
    expect(broker.stats().bufferedMessages).toBe(3);
    // The sweep drops expired messages even when nobody consumes the queue.
    await eventually(() => broker.stats().bufferedMessages === 2, 3000, "the expiry sweep");
    const sub = await connected(broker.port);
    await subscribe(sub, { destination: "/queue/ttl" });
    const bodies = [(await sub.next()).body.toString(), (await sub.next()).body.toString()];
    expect(bodies).toEqual(["long", "forever"]);
    await sub.expectNothing(100);
    expect(broker.stats().messagesExpired).toBe(2);

    // expiration:0 is still delivered to a consumer that is there right away.
    pub.send("SEND", { destination: "/queue/ttl", expiration: "0" }, "now");
    expect((await sub.next()).body.toString()).toBe("now");
  });

  it("refuses an invalid expiration like RabbitMQ", async () => {
    const broker = await fixture.broker();
    const client = await connected(broker.port);
    client.send("SEND", { destination: "/queue/x", expiration: "soon" }, "x");
    const error = await client.next();
    expect(headerMap(error).message).toBe("precondition_failed");
    expect(error.body.toString()).toContain("invalid expiration 'soon'");
  });

  it("declares exchanges on first use unless strict, and can pre-declare them", async () => {
    const strict = await fixture.broker({
      strictExchanges: true,
      exchanges: [{ name: "mcollective_broadcast", type: "topic", vhost: "/mcollective" }],
    });
    strict.declareExchange("mcollective_directed", "direct", "/mcollective");
    const ok = await connected(strict.port, "1.0", { host: "/mcollective" });
    await subscribe(ok, { destination: "/exchange/mcollective_broadcast/discovery" });
    await subscribe(ok, { destination: "/exchange/mcollective_directed/node1" });
    await subscribe(ok, { destination: "/exchange/amq.topic/x" });

    const client = await connected(strict.port, "1.0", { host: "/mcollective" });
    client.send("SEND", { destination: "/exchange/nosuch/k" }, "x");
    const error = await client.next();
    expect(headerMap(error).message).toBe("not_found");
    expect(error.body.toString()).toBe("NOT_FOUND - no exchange 'nosuch' in vhost '/mcollective'");
    await client.closed;
  });

  it("answers destination errors with RabbitMQ's messages", async () => {
    const broker = await fixture.broker();
    const cases: Array<[string, Record<string, string>, string]> = [
      ["SEND", { destination: "/bogus/x" }, "Unknown destination"],
      ["SEND", { destination: "/temp-queue/x" }, "Invalid destination"],
      ["SUBSCRIBE", { destination: "/temp-queue/x" }, "Invalid destination"],
      ["SEND", { destination: "/exchange/a/b/c" }, "Invalid destination"],
      ["SUBSCRIBE", { destination: "/amq/queue/missing" }, "not_found"],
      ["SEND", { destination: "/queue/amq.reserved" }, "access_refused"],
      ["SEND", {}, "Missing destination"],
      ["SEND", { destination: "/queue/x", "message-id": "m" }, "Invalid header"],
      ["SEND", { destination: "/queue/x", "user-id": "admin" }, "precondition_failed"],
      ["SUBSCRIBE", { destination: "/queue/x", ack: "sometimes" }, "Invalid header"],
      ["ACK", {}, "Invalid header"],
      ["COMMIT", { transaction: "none" }, "Bad transaction"],
      ["FROB", {}, "Bad command"],
    ];
    for (const [command, headers, message] of cases) {
      const client = await connected(broker.port);
      client.send(command, headers, "");
      const error = await client.next();
      expect([command, error.command, headerMap(error).message]).toEqual([command, "ERROR", message]);
      await client.closed;
    }
    expect(broker.stats().errorsSent).toBe(cases.length);
  });

  it("closes a temp queue's owner out: SENDs to its reply-queue after disconnect are dropped", async () => {
    const broker = await fixture.broker();
    const daemon = await connected(broker.port);
    await subscribe(daemon, { destination: "/exchange/c_broadcast/discovery" });
    const client = await connected(broker.port);
    client.send(
      "SEND",
      { destination: "/exchange/c_broadcast/discovery", "reply-to": "/temp-queue/r" },
      "ping",
    );
    const replyTo = headerMap(await daemon.next())["reply-to"] ?? "";
    expect(broker.stats().queues).toBe(2);
    await client.close();
    await eventually(() => broker.stats().queues === 1, 2000, "the temp queue to go");
    daemon.send("SEND", { destination: replyTo, receipt: "r" }, "pong");
    expect((await daemon.next()).command).toBe("RECEIPT");
    expect(broker.stats().messagesUnroutable).toBe(1);
  });

  it("keeps temp queues private to the connection that created them", async () => {
    const broker = await fixture.broker();
    const daemon = await connected(broker.port);
    await subscribe(daemon, { destination: "/queue/requests" });
    const a = await connected(broker.port);
    const b = await connected(broker.port);
    a.send("SEND", { destination: "/queue/requests", "reply-to": "/temp-queue/same" }, "from a");
    b.send("SEND", { destination: "/queue/requests", "reply-to": "/temp-queue/same" }, "from b");
    const replyTos = [headerMap(await daemon.next())["reply-to"], headerMap(await daemon.next())["reply-to"]];
    expect(new Set(replyTos).size).toBe(2);
    daemon.send("SEND", { destination: replyTos[0] ?? "" }, "to a");
    expect((await a.next()).body.toString()).toBe("to a");
    await b.expectNothing(200);
    // Another connection cannot consume it.
    const thief = await connected(broker.port);
    thief.send("SUBSCRIBE", { destination: `/amq/queue/${(replyTos[1] ?? "").split("/").pop()}` });
    expect(headerMap(await thief.next()).message).toBe("resource_locked");
  });

  it("sends heart-beats and closes peers whose heart-beats stop", async () => {
    const broker = await fixture.broker({ limits: { heartbeatMinMs: 100 } });
    const client = await fixture.client(broker.port);
    const frame = await client.connect({ "accept-version": "1.1", ...GUEST, "heart-beat": "150,100" });
    expect(headerMap(frame)["heart-beat"]).toBe("100,150");
    await sleep(400);
    // Only EOLs arrived after CONNECTED.
    const after = client.received().toString().split("\0\n")[1] ?? "";
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(after).toMatch(/^\n+$/);
    await client.closed;
    expect(broker.stats().heartbeatTimeouts).toBe(1);
  });

  it("never heart-beats faster than heartbeatMinMs", async () => {
    const broker = await fixture.broker();
    const client = await fixture.client(broker.port);
    const frame = await client.connect({ "accept-version": "1.1", ...GUEST, "heart-beat": "1,1" });
    expect(headerMap(frame)["heart-beat"]).toBe("1000,1000");
  });

  it("closes connections that never CONNECT", async () => {
    const broker = await fixture.broker({ limits: { connectTimeoutMs: 200 } });
    const client = await fixture.client(broker.port);
    client.write("CONN");
    await client.closed;
  });

  it("refuses a CONNECT beyond maxConnections with an ERROR", async () => {
    const broker = await fixture.broker({ limits: { maxConnections: 2 } });
    await connected(broker.port);
    await connected(broker.port);
    const third = await fixture.client(broker.port);
    third.send("CONNECT", GUEST);
    const error = await third.next();
    expect(headerMap(error).message).toBe("Too many connections");
    await third.closed;
    expect(broker.stats().connectionsRejected).toBe(1);
  });
});

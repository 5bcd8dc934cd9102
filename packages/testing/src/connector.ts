import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type {
  Connector,
  ConnectorState,
  InboundMessage,
  OutboundReply,
  OutboundRequest,
  Subscription,
} from "@phobos/core";
import { type Check, ensure, ensureEqual, errorText, fail, show } from "./check.js";
import { definitionChecks, openPlugin, type SuiteOptions } from "./harness.js";
import { describeChecks } from "./register.js";

/** Who a connector is built for: a daemon (`server`) or an mco (`client`). */
export interface ConnectorPeer {
  identity: string;
  mode: "client" | "server";
}

export interface ConnectorSuiteOptions extends SuiteOptions<"connector"> {
  /**
   * Makes the broker drop every connection the suite's connectors hold, as
   * a broker restart or an operator would (RabbitMQ: close the vhost's
   * connections; an embedded broker: restart it on the same port). The
   * connectors must notice, reconnect and subscribe again by themselves.
   */
  dropConnections(): Promise<void>;
  /**
   * Builds an unconnected connector for a peer. By default it is made from
   * `definition` and `settings` the way the apps make it, with the peer's
   * identity and mode; the suite sets `onMessage` and connects.
   */
  factory?: (peer: ConnectorPeer) => Promise<Connector>;
  /** A collective the broker is set up for. Default `mcollective`. */
  collective?: string;
  /** Longest wait for a connection, a delivery or a reconnect, in ms. Default 10 000. */
  timeoutMs?: number;
  /**
   * After a barrier message arrived, how long to keep watching that nothing
   * else does (a stray copy, a message after unsubscribe). Default 250 ms.
   */
  quietMs?: number;
}

/** One connector under test, recording what it receives and how its connection fares. */
class Peer {
  readonly received: InboundMessage[] = [];
  readonly states: ConnectorState[] = [];
  readonly #wake = new Set<() => void>();

  constructor(
    readonly identity: string,
    readonly connector: Connector,
    readonly logErrors: () => string[],
  ) {
    connector.onMessage((message) => {
      this.received.push(message);
      this.#notify();
    });
    connector.onStateChange?.((state) => {
      this.states.push(state);
      this.#notify();
    });
  }

  #notify(): void {
    for (const wake of [...this.#wake]) wake();
  }

  /** Messages whose body starts with `tag`. */
  tagged(tag: string): InboundMessage[] {
    const prefix = Buffer.from(tag);
    return this.received.filter((m) => Buffer.from(m.body).subarray(0, prefix.length).equals(prefix));
  }

  /** Resolves once `probe` returns something, re-checked on every delivery and state change. */
  async until<T>(probe: () => T | undefined, what: () => string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = probe();
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) fail(`${this.identity}: ${what()} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#wake.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.#wake.add(done);
      });
    }
  }

  /** The first message tagged `tag`, waiting for it. */
  next(tag: string, timeoutMs: number): Promise<InboundMessage> {
    return this.until(
      () => this.tagged(tag)[0],
      () => `no message tagged ${JSON.stringify(tag)} arrived (got ${this.received.length} others)`,
      timeoutMs,
    );
  }
}

const hex = (n: number) => randomBytes(n).toString("hex");
const body = (tag: string, rest: Uint8Array = new Uint8Array(0)) =>
  new Uint8Array(Buffer.concat([Buffer.from(tag), rest]));

/** Every byte value, NULs in runs and alone, a STOMP frame terminator in the middle, a NUL at the end. */
function awkwardBytes(): Uint8Array {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  return Uint8Array.from([
    0,
    0,
    0,
    ...all,
    0x00,
    0x0a,
    ...[...all].reverse(),
    0x0d,
    0x0a,
    0x0d,
    0x0a,
    0x00,
    0x0a,
    0x5c,
    0x3a,
    0x00,
  ]);
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i])
      return `byte ${i} is 0x${(b[i] ?? 0).toString(16)}, sent 0x${(a[i] ?? 0).toString(16)}`;
  }
  return `${b.length} bytes arrived, ${a.length} were sent`;
}

/**
 * The connector contract, over a real broker: broadcast requests reach the
 * daemons subscribed to their agent and no one else; directed requests
 * reach the named identities only; a reply reaches the one client that
 * asked; bodies arrive byte for byte (Ruby Marshal is full of NULs); MCollective's
 * `mc_sender` and expiry headers ride along; unsubscribe stops delivery;
 * subscriptions come back by themselves after the broker drops the
 * connection; and disconnect is clean and can be called twice.
 */
export function connectorChecks(options: ConnectorSuiteOptions): Check[] {
  const collective = options.collective ?? "mcollective";
  const timeoutMs = options.timeoutMs ?? 10_000;
  const quietMs = options.quietMs ?? 250;
  const run = hex(3);

  /** A set of peers for one check, all disconnected and closed at its end whatever happens. */
  const session = async (
    body: (open: (peer: ConnectorPeer, how?: { joined?: boolean }) => Promise<Peer>) => Promise<void>,
  ) => {
    const opened: { peer?: Peer; close: () => void; connector: Connector }[] = [];
    let n = 0;
    const open = async ({ identity, mode }: ConnectorPeer, how: { joined?: boolean } = {}): Promise<Peer> => {
      const unique = `${identity}-${run}-${++n}`;
      let connector: Connector;
      let close = () => {};
      let logErrors = () => [] as string[];
      if (options.factory) {
        connector = await options.factory({ identity: unique, mode });
      } else {
        const plugin = await openPlugin(options, mode, unique);
        connector = plugin.instance;
        close = plugin.close;
        logErrors = () =>
          plugin.log.lines.filter((l) => l.level === "error" || l.level === "fatal").map((l) => l.message);
      }
      const slot: (typeof opened)[number] = { close, connector };
      opened.push(slot);
      const peer = new Peer(unique, connector, logErrors);
      slot.peer = peer;
      try {
        // `joined`: as mco does, connect first without a deadline, then again with one while
        // the first attempt is still under way.
        if (how.joined) await Promise.all([connector.connect(), connector.connect({ timeoutMs })]);
        else await connector.connect({ timeoutMs });
      } catch (err) {
        fail(`${unique}: connect() failed: ${errorText(err)}`, { cause: err });
      }
      return peer;
    };
    try {
      await body(open);
    } finally {
      await Promise.allSettled(opened.map((o) => o.connector.disconnect()));
      for (const o of opened) o.close();
    }
  };

  const request = (
    agent: string,
    payload: Uint8Array,
    extra: Partial<OutboundRequest> = {},
  ): OutboundRequest => ({
    kind: "request",
    agent,
    collective,
    body: payload,
    ttl: 60,
    requestSeq: 1,
    ...extra,
  });
  const directed = (nodes: Peer[], payload: Uint8Array, agent = "rpcutil"): OutboundRequest =>
    request(agent, payload, { kind: "direct_request", nodes: nodes.map((p) => p.identity) });
  const broadcastSub = (agent: string): Subscription => ({ kind: "broadcast", agent, collective });
  const directedSub: Subscription = { kind: "directed", collective };

  /**
   * Publishes probes until every receiver got one: a subscription is only
   * known to work once something arrives through it, and no broker
   * promises that a SUBSCRIBE is in place before another connection's SEND.
   */
  const routed = async (
    sender: Peer,
    make: (payload: Uint8Array) => OutboundRequest,
    receivers: Peer[],
    what: string,
  ) => {
    const tag = `probe-${hex(4)}|`;
    const deadline = Date.now() + timeoutMs;
    while (!receivers.every((r) => r.tagged(tag).length > 0)) {
      if (Date.now() > deadline) {
        const missing = receivers.filter((r) => r.tagged(tag).length === 0).map((r) => r.identity);
        fail(
          `${what}: nothing sent by ${sender.identity} reached ${missing.join(", ")} within ${timeoutMs} ms`,
        );
      }
      await sender.connector.publish(make(body(tag)));
      await Promise.race([
        Promise.all(receivers.map((r) => r.next(tag, 100).catch(() => undefined))),
        sleep(100),
      ]);
    }
  };

  /**
   * Makes sure nothing more is on its way to `peers`: a directed message to
   * each must arrive (so anything routed before it has had its chance),
   * then a short quiet period.
   */
  const barrier = async (sender: Peer, peers: Peer[]) => {
    const tag = `barrier-${hex(4)}|`;
    await sender.connector.publish(directed(peers, body(tag)));
    await Promise.all(peers.map((p) => p.next(tag, timeoutMs)));
    await sleep(quietMs);
  };

  const servers = (open: (peer: ConnectorPeer) => Promise<Peer>, ...names: string[]) =>
    Promise.all(names.map((identity) => open({ identity, mode: "server" })));
  const agentName = (base: string) => `${base}_${hex(3)}`;

  return [
    ...definitionChecks("connector", options, "server"),
    {
      name: "describe() names the broker it uses",
      run: () =>
        session(async (open) => {
          const peer = await open({ identity: "describe", mode: "client" });
          const text = peer.connector.describe();
          ensure(typeof text === "string" && text.trim() !== "", `describe() returned ${show(text)}`);
        }),
    },
    {
      name: "a broadcast request reaches every subscriber of its agent once, and no one else",
      run: () =>
        session(async (open) => {
          const [a, b, c] = await servers(open, "bcast-a", "bcast-b", "bcast-c");
          const client = await open({ identity: "bcast-client", mode: "client" });
          const alpha = agentName("alpha");
          const beta = agentName("beta");
          for (const p of [a!, b!]) await p.connector.subscribe(broadcastSub(alpha));
          await c!.connector.subscribe(broadcastSub(beta));
          for (const p of [a!, b!, c!]) await p.connector.subscribe(directedSub);
          await routed(client, (x) => request(alpha, x), [a!, b!], `broadcast to ${alpha}`);
          await routed(client, (x) => request(beta, x), [c!], `broadcast to ${beta}`);
          await routed(client, (x) => directed([a!, b!, c!], x), [a!, b!, c!], "directed requests");

          const tag = `bcast-${hex(4)}|`;
          await client.connector.publish(request(alpha, body(tag)));
          await Promise.all([a!.next(tag, timeoutMs), b!.next(tag, timeoutMs)]);
          await barrier(client, [a!, b!, c!]);
          ensureEqual(
            [a!, b!, c!].map((p) => p.tagged(tag).length),
            [1, 1, 0],
            `copies of a broadcast to '${alpha}' received by its two subscribers and by a daemon subscribed to '${beta}'`,
          );
        }),
    },
    {
      name: "a body with NULs and every byte value arrives byte-exact, in requests and in replies",
      run: () =>
        session(async (open) => {
          const [a] = await servers(open, "bytes-a");
          const client = await open({ identity: "bytes-client", mode: "client" });
          const alpha = agentName("bytes");
          await a!.connector.subscribe(broadcastSub(alpha));
          await a!.connector.subscribe(directedSub);
          await routed(client, (x) => request(alpha, x), [a!], `broadcast to ${alpha}`);
          await routed(client, (x) => directed([a!], x), [a!], "directed requests");

          const big = randomBytes(256 * 1024);
          big.fill(0, 1000, 3000);
          const cases: [string, Uint8Array][] = [
            ["awkward", awkwardBytes()],
            ["empty", new Uint8Array(0)],
            ["256 KiB", big],
          ];
          for (const [label, bytes] of cases) {
            const sent = {
              broadcast: body(`b-${label}-${hex(3)}|`, bytes),
              directed: body(`d-${label}-${hex(3)}|`, bytes),
            };
            await client.connector.publish(request(alpha, sent.broadcast));
            await client.connector.publish(directed([a!], sent.directed));
            for (const [how, payload] of Object.entries(sent)) {
              const tag = Buffer.from(payload).toString("latin1").split("|")[0] as string;
              const got = await a!.next(`${tag}|`, timeoutMs);
              ensure(
                Buffer.from(got.body).equals(Buffer.from(payload)),
                () =>
                  `${label} body of a ${how} request changed on the way: ${firstDifference(payload, got.body)}`,
              );
              const replyBody = body(`r-${tag}|`, bytes);
              const reply: OutboundReply = { kind: "reply", body: replyBody, ttl: 60, request: got };
              await a!.connector.publish(reply);
              const back = await client.next(`r-${tag}|`, timeoutMs);
              ensure(
                Buffer.from(back.body).equals(Buffer.from(replyBody)),
                () => `${label} body of a reply changed on the way: ${firstDifference(replyBody, back.body)}`,
              );
            }
          }
        }),
    },
    {
      name: "a directed request reaches only the named identities, once each",
      run: () =>
        session(async (open) => {
          const [a, b, c] = await servers(open, "direct-a", "direct-b", "direct-c");
          const client = await open({ identity: "direct-client", mode: "client" });
          for (const p of [a!, b!, c!]) await p.connector.subscribe(directedSub);
          await routed(client, (x) => directed([a!, b!, c!], x), [a!, b!, c!], "directed requests");

          const tag = `direct-${hex(4)}|`;
          await client.connector.publish(directed([a!, c!], body(tag)));
          await Promise.all([a!.next(tag, timeoutMs), c!.next(tag, timeoutMs)]);
          await barrier(client, [a!, b!, c!]);
          ensureEqual(
            [a!, b!, c!].map((p) => p.tagged(tag).length),
            [1, 0, 1],
            "copies of a request directed at the first and third daemon, as each received them",
          );
        }),
    },
    {
      name: "a reply reaches exactly the client whose request it answers",
      run: () =>
        session(async (open) => {
          const [a] = await servers(open, "reply-a");
          const clients = await Promise.all(
            ["reply-x", "reply-y", "reply-z"].map((identity) => open({ identity, mode: "client" })),
          );
          const alpha = agentName("reply");
          await a!.connector.subscribe(broadcastSub(alpha));
          for (const client of clients) await routed(client, (x) => request(alpha, x), [a!], `${alpha}`);

          const tags = clients.map((c) => `req-${c.identity}-${hex(3)}|`);
          for (const [i, client] of clients.entries()) {
            await client.connector.publish(request(alpha, body(tags[i] as string), { requestSeq: i + 1 }));
          }
          for (const tag of tags) {
            const got = await a!.next(tag, timeoutMs);
            await a!.connector.publish({ kind: "reply", body: body(`re-${tag}`), ttl: 60, request: got });
          }
          await Promise.all(clients.map((client, i) => client.next(`re-${tags[i]}`, timeoutMs)));
          await sleep(quietMs);
          ensureEqual(
            clients.map((client) => tags.map((tag) => client.tagged(`re-${tag}`).length)),
            clients.map((_, i) => tags.map((_, j) => (i === j ? 1 : 0))),
            "replies each client received (row) to each client's request (column)",
          );
          const sender = a!.identity;
          const onReplies = clients.flatMap((client, i) => client.tagged(`re-${tags[i]}`));
          for (const message of onReplies) {
            ensure(
              message.headers.mc_sender === sender,
              `a reply arrived with mc_sender ${show(message.headers.mc_sender)}, not ${sender}`,
            );
          }
        }),
    },
    {
      name: "reply subscriptions work or are a no-op: the client still gets each reply once",
      run: () =>
        session(async (open) => {
          const [a] = await servers(open, "replysub-a");
          const client = await open({ identity: "replysub-x", mode: "client" });
          const alpha = agentName("replysub");
          await a!.connector.subscribe(broadcastSub(alpha));
          await routed(client, (x) => request(alpha, x), [a!], alpha);
          for (const requestSeq of [1, 2]) {
            const sub: Subscription = { kind: "reply", agent: alpha, collective, requestSeq };
            await client.connector.subscribe(sub);
            const tag = `rs-${requestSeq}-${hex(3)}|`;
            await client.connector.publish(request(alpha, body(tag), { requestSeq }));
            const got = await a!.next(tag, timeoutMs);
            await a!.connector.publish({ kind: "reply", body: body(`re-${tag}`), ttl: 60, request: got });
            await client.next(`re-${tag}`, timeoutMs);
            await sleep(quietMs);
            ensureEqual(client.tagged(`re-${tag}`).length, 1, `replies to request ${requestSeq} received`);
            await client.connector.unsubscribe(sub);
          }
        }),
    },
    {
      name: "unsubscribe stops delivery of that agent's requests and nothing else",
      run: () =>
        session(async (open) => {
          const [a] = await servers(open, "unsub-a");
          const client = await open({ identity: "unsub-client", mode: "client" });
          const alpha = agentName("unsub");
          const beta = agentName("kept");
          await a!.connector.subscribe(broadcastSub(alpha));
          await a!.connector.subscribe(broadcastSub(beta));
          await a!.connector.subscribe(directedSub);
          await routed(client, (x) => request(alpha, x), [a!], alpha);
          await routed(client, (x) => request(beta, x), [a!], beta);
          await routed(client, (x) => directed([a!], x), [a!], "directed requests");

          await a!.connector.unsubscribe(broadcastSub(alpha));
          // Unsubscribing what was never subscribed is not an error.
          await a!.connector.unsubscribe(broadcastSub(agentName("never")));
          // A message the daemon sends itself on the same connection comes back only
          // after the broker has processed everything sent before it, the UNSUBSCRIBE too.
          const self = `self-${hex(4)}|`;
          await a!.connector.publish(directed([a!], body(self)));
          await a!.next(self, timeoutMs);

          const gone = `gone-${hex(4)}|`;
          const kept = `kept-${hex(4)}|`;
          await client.connector.publish(request(alpha, body(gone)));
          await client.connector.publish(request(beta, body(kept)));
          await a!.next(kept, timeoutMs);
          await barrier(client, [a!]);
          ensureEqual(
            a!.tagged(gone).length,
            0,
            `requests for '${alpha}' delivered after unsubscribing from it`,
          );
        }),
    },
    {
      name: "requests and replies carry mc_sender and expiry headers (ttl + 10 s)",
      run: () =>
        session(async (open) => {
          const [a] = await servers(open, "headers-a");
          const client = await open({ identity: "headers-client", mode: "client" });
          const alpha = agentName("headers");
          await a!.connector.subscribe(broadcastSub(alpha));
          await a!.connector.subscribe(directedSub);
          await routed(client, (x) => request(alpha, x), [a!], alpha);
          await routed(client, (x) => directed([a!], x), [a!], "directed requests");

          const problems: string[] = [];
          const check = (what: string, m: InboundMessage, sender: string, ttl: number, sentAt: number) => {
            if (m.headers.mc_sender !== sender) {
              problems.push(`${what}: mc_sender is ${show(m.headers.mc_sender)}, not ${sender}`);
            }
            problems.push(...expiryProblems(what, m.headers, ttl, sentAt));
          };
          const sentAt = Date.now();
          const b = `hb-${hex(3)}|`;
          const d = `hd-${hex(3)}|`;
          await client.connector.publish(request(alpha, body(b), { ttl: 42 }));
          await client.connector.publish({ ...directed([a!], body(d)), ttl: 43 });
          const gotB = await a!.next(b, timeoutMs);
          const gotD = await a!.next(d, timeoutMs);
          check("a broadcast request", gotB, client.identity, 42, sentAt);
          check("a directed request", gotD, client.identity, 43, sentAt);
          ensure(
            typeof gotB.headers["reply-to"] === "string" && gotB.headers["reply-to"] !== "",
            `a request arrived without a reply-to header: ${show(gotB.headers)}`,
          );
          await a!.connector.publish({ kind: "reply", body: body(`re-${b}`), ttl: 37, request: gotB });
          check("a reply", await client.next(`re-${b}`, timeoutMs), a!.identity, 37, sentAt);
          if (problems.length > 0) fail(problems.join("\n"));
        }),
    },
    {
      name: "subscriptions are restored after the broker drops the connection",
      run: () =>
        session(async (open) => {
          const [a] = await servers(open, "drop-a");
          const client = await open({ identity: "drop-client", mode: "client" });
          const alpha = agentName("drop");
          await a!.connector.subscribe(broadcastSub(alpha));
          await a!.connector.subscribe(directedSub);
          await routed(client, (x) => request(alpha, x), [a!], alpha);
          await routed(client, (x) => directed([a!], x), [a!], "directed requests");

          try {
            await options.dropConnections();
          } catch (err) {
            fail(`dropConnections() failed: ${errorText(err)}`, { cause: err });
          }
          await routed(client, (x) => request(alpha, x), [a!], `broadcast to ${alpha} after the drop`);
          await routed(client, (x) => directed([a!], x), [a!], "directed requests after the drop");
          const tag = `after-${hex(4)}|`;
          await client.connector.publish(request(alpha, body(tag)));
          const got = await a!.next(tag, timeoutMs);
          await a!.connector.publish({ kind: "reply", body: body(`re-${tag}`), ttl: 60, request: got });
          await client.next(`re-${tag}`, timeoutMs);
          for (const peer of [a!, client]) {
            if (!peer.connector.onStateChange) continue;
            const lost = peer.states.findIndex((s) => s !== "connected");
            ensure(
              lost >= 0 && peer.states.slice(lost).includes("connected"),
              `${peer.identity} reported states ${show(peer.states)}: expected the loss, then "connected"`,
            );
          }
        }),
    },
    {
      name: "connect() while a connection is being made joins it: one connection, replies arrive once",
      run: () =>
        session(async (open) => {
          const [a] = await servers(open, "join-a");
          const client = await open({ identity: "join-client", mode: "client" }, { joined: true });
          const alpha = agentName("join");
          await a!.connector.subscribe(broadcastSub(alpha));
          await routed(client, (x) => request(alpha, x), [a!], alpha);
          const tag = `join-${hex(4)}|`;
          await client.connector.publish(request(alpha, body(tag)));
          const got = await a!.next(tag, timeoutMs);
          await a!.connector.publish({ kind: "reply", body: body(`re-${tag}`), ttl: 60, request: got });
          await client.next(`re-${tag}`, timeoutMs);
          await sleep(quietMs);
          ensureEqual(
            client.tagged(`re-${tag}`).length,
            1,
            "replies received by the client that connected twice",
          );
          ensureEqual(a!.tagged(tag).length, 1, "copies of its request the daemon received");
          // A second connection would report itself: connectors that report states report one.
          if (client.connector.onStateChange) {
            ensureEqual(client.states, ["connected"], "connection states of the client that connected twice");
          }
        }),
    },
    {
      name: "disconnect is clean and idempotent, and ends delivery",
      run: () =>
        session(async (open) => {
          const [a] = await servers(open, "bye-a");
          const client = await open({ identity: "bye-client", mode: "client" });
          const alpha = agentName("bye");
          await a!.connector.subscribe(broadcastSub(alpha));
          await routed(client, (x) => request(alpha, x), [a!], alpha);

          const before = a!.logErrors().length;
          const disconnect = async (what: string, times: number) => {
            try {
              await Promise.all(Array.from({ length: times }, () => a!.connector.disconnect()));
            } catch (err) {
              fail(`${what} threw ${errorText(err)}: disconnect() must be safe to call again`, {
                cause: err,
              });
            }
          };
          await disconnect("disconnect() twice at once", 2);
          await disconnect("disconnect() once more, after that", 1);
          const tag = `after-bye-${hex(4)}|`;
          await client.connector.publish(request(alpha, body(tag)));
          await sleep(quietMs * 2);
          ensureEqual(a!.tagged(tag).length, 0, "requests delivered after disconnect()");
          const errors = a!.logErrors().slice(before);
          ensure(errors.length === 0, () => `disconnect() logged errors: ${errors.join("; ")}`);

          // Never connected: disconnect() has nothing to do and must still resolve.
          const never = options.factory
            ? {
                instance: await options.factory({ identity: `never-${run}`, mode: "client" }),
                close: () => {},
              }
            : await openPlugin(options, "client", `never-${run}`);
          try {
            await never.instance.disconnect();
          } catch (err) {
            fail(`disconnect() before connect() threw ${errorText(err)}`, { cause: err });
          } finally {
            never.close();
          }
        }),
    },
  ];
}

/** MCollective's expiry: RabbitMQ `expiration` (relative ms) or ActiveMQ `expires` (absolute epoch ms). */
function expiryProblems(
  what: string,
  headers: Readonly<Record<string, string>>,
  ttl: number,
  sentAt: number,
): string[] {
  const expected = (ttl + 10) * 1000;
  if (headers.expiration !== undefined) {
    return headers.expiration === String(expected)
      ? []
      : [`${what}: expiration is ${show(headers.expiration)}, not "${expected}" ((ttl ${ttl} + 10) * 1000)`];
  }
  if (headers.expires !== undefined) {
    const at = Number(headers.expires);
    // Whole seconds on the wire: allow a second either side, plus the time the check took.
    const ok = at >= sentAt + expected - 1000 && at <= Date.now() + expected + 1000;
    return ok ? [] : [`${what}: expires is ${show(headers.expires)}, not about now + ${expected} ms`];
  }
  return [`${what}: no expiration or expires header among ${show(Object.keys(headers))}`];
}

/** Registers the connector checks with vitest; each may take a few broker round trips. */
export function describeConnectorPlugin(options: ConnectorSuiteOptions): void {
  describeChecks(`connector plugin '${options.definition.name}' conformance`, connectorChecks(options), {
    timeout: (options.timeoutMs ?? 10_000) * 3,
  });
}

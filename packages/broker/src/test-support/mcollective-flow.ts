import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { Frame } from "../frame.js";
import { type HeaderInput, headerMap, headerNames, RawClient } from "./raw-client.js";

export interface FlowTarget {
  readonly port: number;
  readonly vhost: string;
  readonly login: string;
  readonly passcode: string;
  /** The collective's topic exchange (MCollective: `<collective>_broadcast`). */
  readonly broadcast: string;
  /** The collective's direct exchange (MCollective: `<collective>_directed`). */
  readonly directed: string;
}

const fixture = (name: string) => readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url));
/** Real bodies captured from MCollective 2.12.5 (Ruby Marshal, with NULs). */
export const BODIES = {
  discoveryRequest: fixture("psk-discovery-request.bin"),
  discoveryReply: fixture("psk-discovery-reply.bin"),
  rpcRequest: fixture("psk-rpc-ping-request.bin"),
  rpcReply: fixture("psk-rpc-ping-reply.bin"),
};

/** What the stomp gem adds to every frame (WIRE.md §1). */
const GEM_TAIL = (body: Uint8Array): Array<[string, string]> => [
  ["content-length", String(body.length)],
  ["content-type", "text/plain; charset=UTF-8"],
];

const MESSAGE_TO_DAEMON = [
  "destination",
  "message-id",
  "redelivered",
  "mc_sender",
  "expiration",
  "reply-to",
  "content-type",
  "content-length",
];
const REPLY_TO_CLIENT = [
  "subscription",
  "destination",
  "message-id",
  "redelivered",
  "mc_sender",
  "expiration",
  "content-type",
  "content-length",
];

/**
 * MCollective's RabbitMQ-connector traffic, frame for frame as Ruby
 * MCollective 2.12 sends it (WIRE.md §2, scenarios rabbitmq-psk/00–03):
 * two daemons, one client, a discovery broadcast with replies through a
 * temp queue, then directed requests. Asserts what both brokers must do
 * and returns a normalised transcript (session ids and generated names
 * replaced) so two brokers' runs can be compared line by line.
 */
export async function mcollectiveFlow(target: FlowTarget): Promise<string[]> {
  const transcript: string[] = [];
  const names = new Normaliser(target);
  const clients: RawClient[] = [];
  const open = async (who: string) => {
    const client = await RawClient.open(target.port);
    clients.push(client);
    const connected = await client.connect([
      ["accept-version", "1.0"],
      ["host", target.vhost],
      ["login", target.login],
      ["passcode", target.passcode],
      ...GEM_TAIL(Buffer.alloc(0)),
    ]);
    expect(headerNames(connected)).toEqual(["server", "session", "heart-beat", "version"]);
    const { session, version, "heart-beat": heartbeat } = headerMap(connected);
    expect(session).toMatch(/^session-[A-Za-z0-9_-]{22}$/);
    expect([version, heartbeat]).toEqual(["1.0", "0,0"]);
    names.session(session ?? "", who);
    return client;
  };
  const record = (who: string, frame: Frame) => {
    transcript.push(names.line(who, frame));
    return frame;
  };
  const gemFrame = (
    client: RawClient,
    command: string,
    headers: HeaderInput,
    body: Uint8Array = Buffer.alloc(0),
  ) => client.send(command, [...(headers as Array<[string, string]>), ...GEM_TAIL(body)], body);

  try {
    const node1 = await open("node1");
    const node2 = await open("node2");
    const client = await open("client");

    for (const [node, identity] of [
      [node1, "node1"],
      [node2, "node2"],
    ] as const) {
      gemFrame(node, "SUBSCRIBE", [["destination", `/exchange/${target.directed}/${identity}`]]);
      for (const agent of ["discovery", "rpcutil"]) {
        gemFrame(node, "SUBSCRIBE", [
          ["reply-to", `/temp-queue/mcollective_reply_${agent}`],
          ["destination", `/exchange/${target.broadcast}/${agent}`],
        ]);
      }
      // MCollective asks for no receipts; the test needs one to know the bindings exist.
      node.send(
        "SEND",
        [
          ["destination", "/exchange/amq.direct/phobos-sync"],
          ["receipt", `sync-${identity}`],
        ],
        "",
      );
      expect(record(identity, await node.next()).command).toBe("RECEIPT");
    }

    // --- discovery broadcast: `mco ping` / `mco find`
    const request = (agent: string, destination: string, body: Uint8Array) =>
      gemFrame(
        client,
        "SEND",
        [
          ["reply-to", `/temp-queue/mcollective_reply_${agent}`],
          ["expiration", "70000"],
          ["mc_sender", "refclient"],
          ["destination", destination],
        ],
        body,
      );
    request("discovery", `/exchange/${target.broadcast}/discovery`, BODIES.discoveryRequest);
    const delivered = [record("node1", await node1.next()), record("node2", await node2.next())];
    let discoveryReplyTo = "";
    for (const frame of delivered) {
      expect(frame.command).toBe("MESSAGE");
      expect(headerNames(frame)).toEqual(MESSAGE_TO_DAEMON);
      const h = headerMap(frame);
      expect(h.destination).toBe(`/exchange/${target.broadcast}/discovery`);
      expect(h["message-id"]).toMatch(
        new RegExp(`^Q_/exchange/${target.broadcast}/discovery@@session-[A-Za-z0-9_-]{22}@@1$`),
      );
      expect(h.redelivered).toBe("false");
      expect(h.mc_sender).toBe("refclient");
      expect(h.expiration).toBe("70000");
      expect(h["reply-to"]).toMatch(/^\/reply-queue\/amq\.gen-[A-Za-z0-9_-]{22}$/);
      expect(h["content-type"]).toBe("text/plain; charset=UTF-8");
      expect(h["content-length"]).toBe(String(BODIES.discoveryRequest.length));
      expect(frame.body).toEqual(BODIES.discoveryRequest);
      discoveryReplyTo = h["reply-to"] ?? "";
    }
    expect(headerMap(delivered[1] as Frame)["reply-to"]).toBe(discoveryReplyTo);

    // Daemons reply to the rewritten reply-to; the client gets them on its implicit subscription.
    const reply = (node: RawClient, identity: string, destination: string, body: Uint8Array) =>
      gemFrame(
        node,
        "SEND",
        [
          ["expiration", "70000"],
          ["mc_sender", identity],
          ["destination", destination],
        ],
        body,
      );
    const discoveryQueue = discoveryReplyTo.slice("/reply-queue/".length);
    let clientDeliveries = 0;
    for (const [node, identity] of [
      [node1, "node1"],
      [node2, "node2"],
    ] as const) {
      reply(node, identity, discoveryReplyTo, BODIES.discoveryReply);
      const frame = record("client", await client.next());
      clientDeliveries++;
      expect(frame.command).toBe("MESSAGE");
      expect(headerNames(frame)).toEqual(REPLY_TO_CLIENT);
      const h = headerMap(frame);
      expect(h.subscription).toBe("/temp-queue/mcollective_reply_discovery");
      expect(h.destination).toBe(`/queue/${discoveryQueue}`);
      expect(h["message-id"]).toMatch(
        new RegExp(
          `^T_/temp-queue/mcollective_reply_discovery@@session-[A-Za-z0-9_-]{22}@@${clientDeliveries}$`,
        ),
      );
      expect(h.mc_sender).toBe(identity);
      expect(frame.body).toEqual(BODIES.discoveryReply);
    }

    // --- directed requests: `mco rpc rpcutil ping` below direct_addressing_threshold
    request("rpcutil", `/exchange/${target.directed}/node2`, BODIES.rpcRequest);
    request("rpcutil", `/exchange/${target.directed}/node1`, BODIES.rpcRequest);
    let rpcReplyTo = "";
    for (const [node, identity] of [
      [node1, "node1"],
      [node2, "node2"],
    ] as const) {
      const frame = record(identity, await node.next());
      expect(headerNames(frame)).toEqual(MESSAGE_TO_DAEMON);
      const h = headerMap(frame);
      expect(h.destination).toBe(`/exchange/${target.directed}/${identity}`);
      expect(h["message-id"]).toMatch(
        new RegExp(`^Q_/exchange/${target.directed}/${identity}@@session-.{22}@@2$`),
      );
      expect(h["reply-to"]).not.toBe(discoveryReplyTo);
      rpcReplyTo ||= h["reply-to"] ?? "";
      expect(h["reply-to"]).toBe(rpcReplyTo);
      expect(frame.body).toEqual(BODIES.rpcRequest);
    }
    // Each directed message reached only its own identity.
    await node1.expectNothing(200);
    await node2.expectNothing(0);

    for (const [node, identity] of [
      [node1, "node1"],
      [node2, "node2"],
    ] as const) {
      reply(node, identity, rpcReplyTo, BODIES.rpcReply);
      const frame = record("client", await client.next());
      clientDeliveries++;
      const h = headerMap(frame);
      expect(headerNames(frame)).toEqual(REPLY_TO_CLIENT);
      expect(h.subscription).toBe("/temp-queue/mcollective_reply_rpcutil");
      expect(h.destination).toBe(`/queue/${rpcReplyTo.slice("/reply-queue/".length)}`);
      expect(h["message-id"]).toMatch(new RegExp(`@@${clientDeliveries}$`));
      expect(frame.body).toEqual(BODIES.rpcReply);
    }

    // --- a broadcast to rpcutil reaches only the rpcutil subscriptions; the temp queue is reused.
    request("rpcutil", `/exchange/${target.broadcast}/rpcutil`, BODIES.rpcRequest);
    for (const [node, identity] of [
      [node1, "node1"],
      [node2, "node2"],
    ] as const) {
      const frame = record(identity, await node.next());
      const h = headerMap(frame);
      expect(h.destination).toBe(`/exchange/${target.broadcast}/rpcutil`);
      expect(h["reply-to"]).toBe(rpcReplyTo);
    }
    await node1.expectNothing(200);

    // --- the client leaves: its temp queues go, late replies are dropped without bothering the daemon.
    gemFrame(client, "DISCONNECT", []);
    await client.closed;
    reply(node1, "node1", rpcReplyTo, BODIES.rpcReply);
    node1.send(
      "SEND",
      [
        ["destination", "/exchange/amq.direct/phobos-sync"],
        ["receipt", "after-late-reply"],
      ],
      "",
    );
    const after = record("node1", await node1.next());
    expect(after.command).toBe("RECEIPT");
    expect(node1.isOpen).toBe(true);

    gemFrame(node1, "DISCONNECT", []);
    gemFrame(node2, "DISCONNECT", []);
    await Promise.all([node1.closed, node2.closed]);
    return transcript;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

/** Replaces what differs between runs and brokers (ids, generated names, exchange names) with stable tokens. */
class Normaliser {
  private readonly sessions = new Map<string, string>();
  private readonly generated = new Map<string, string>();

  constructor(private readonly target: FlowTarget) {}

  session(id: string, who: string): void {
    this.sessions.set(id, `session-<${who}>`);
  }

  line(who: string, frame: Frame): string {
    const headers = frame.headers.map(([k, v]) => `${k}:${k === "server" ? "<server>" : this.text(v)}`);
    return `${who} <- ${frame.command} ${headers.join(" | ")} body=${frame.body.length}`;
  }

  private text(value: string): string {
    let out = value
      .replaceAll(this.target.broadcast, "<broadcast>")
      .replaceAll(this.target.directed, "<directed>")
      .replace(/session-[A-Za-z0-9_-]{22}/g, (id) => this.sessions.get(id) ?? "session-<?>");
    out = out.replace(/amq\.gen-[A-Za-z0-9_-]{22}/g, (name) => {
      let token = this.generated.get(name);
      if (!token) {
        token = `amq.gen-<${this.generated.size + 1}>`;
        this.generated.set(name, token);
      }
      return token;
    });
    return out;
  }
}

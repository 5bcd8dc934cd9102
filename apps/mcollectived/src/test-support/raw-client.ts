/**
 * A client for end-to-end tests that can send what no well-behaved mco
 * would: envelopes with a wrong hash, an invalid callerid or an old msgtime,
 * bodies that are not Marshal at all. It talks through the real rabbitmq
 * connector and signs with the real psk plugin, and collects the replies
 * that come back, verified and grouped by request id.
 */
import { createHash } from "node:crypto";
import { rabbitmqConnector as rabbitmq } from "@phobos/connector-rabbitmq";
import {
  type Connector,
  createRequestId,
  dump,
  emptyFilter,
  type Filter,
  type InboundMessage,
  type ReplyEnvelope,
  type RpcReplyPayload,
  type RubyValue,
  requestEnvelopeToRuby,
  rpcReplyFromRuby,
  rpcRequestToRuby,
  type SecurityProvider,
  sym,
} from "@phobos/core";
import { pskSecurity as psk } from "@phobos/security-psk";
import { type OpenPlugin, openPlugin } from "@phobos/testing";

export interface BrokerEndpoint {
  host: string;
  port: number;
  vhost: string;
  user: string;
  password: string;
}

export interface RawRequest {
  agent: string;
  body: RubyValue;
  filter?: Filter;
  /** Directed copies to these identities; a broadcast without. */
  nodes?: string[];
  ttl?: number;
  /** Epoch seconds; now by default. */
  msgtime?: number;
  callerid?: string;
  /** Sign with this secret instead of the fleet's (a wrong psk). */
  psk?: string;
  requestid?: string;
  collective?: string;
  /** Signed and sent instead of the Marshal of `body` (bytes that are not Marshal at all). */
  serializedBody?: Uint8Array;
  /** Put in the envelope as `:filter` instead of `filter`: any Ruby value, however wrong. */
  rubyFilter?: RubyValue;
}

export interface RawClient {
  readonly identity: string;
  readonly connector: Connector;
  readonly security: SecurityProvider;
  /** Every inbound message that was not a valid reply, with why. */
  readonly rejected: { message: InboundMessage; reason: string }[];
  /** Signs and sends a request; returns its request id. */
  send(request: RawRequest): Promise<string>;
  /** Sends bytes as they are, as a broadcast to `agent` or directed to `nodes`. */
  sendBytes(agent: string, bytes: Uint8Array, options?: { nodes?: string[]; ttl?: number }): Promise<void>;
  replies(requestid: string): ReplyEnvelope[];
  /** Waits for `count` replies to a request (rejects naming what arrived when time runs out). */
  waitReplies(requestid: string, count: number, timeoutMs?: number): Promise<ReplyEnvelope[]>;
  /** A directed SimpleRPC request to one node and its decoded reply. */
  rpc(node: string, agent: string, action: string, data?: Record<string, unknown>): Promise<RpcReplyPayload>;
  /** `rpcutil daemon_stats` of a node, as plain values. */
  daemonStats(node: string): Promise<Record<string, number>>;
  /** A discovery ping broadcast; resolves with the identities that answered within `timeoutMs`. */
  ping(timeoutMs?: number, filter?: Filter): Promise<string[]>;
  /**
   * A discovery ping broadcast that waits (however long the machine's load
   * makes it) for one reply from each of `expected`, then a short while for
   * any extra ones; resolves with every identity that answered, sorted.
   */
  pingAll(expected: readonly string[], filter?: Filter): Promise<string[]>;
  close(): Promise<void>;
}

const md5 = (bytes: Uint8Array, secret: string) =>
  createHash("md5").update(bytes).update(secret).digest("hex");

/** The psk envelope, built by hand so any field can be wrong on purpose. */
export function craftRequest(request: RawRequest & { senderid: string; psk: string }): Uint8Array {
  const body = request.serializedBody ?? dump(request.body);
  const envelope = requestEnvelopeToRuby(
    {
      senderid: request.senderid,
      requestid: request.requestid ?? createRequestId(),
      filter: request.filter ?? emptyFilter(),
      collective: request.collective ?? "mcollective",
      agent: request.agent,
      ttl: request.ttl ?? 60,
      msgtime: request.msgtime ?? Math.floor(Date.now() / 1000),
      body: request.body,
    },
    request.callerid ?? `uid=${process.getuid?.() ?? 0}`,
    body,
  );
  if (request.rubyFilter !== undefined) envelope.set(sym("filter"), request.rubyFilter);
  envelope.set(sym("hash"), md5(body, request.psk));
  return dump(envelope);
}

export function simpleRpc(agent: string, action: string, data: Record<string, unknown> = {}): RubyValue {
  return rpcRequestToRuby({ agent, action, caller: "uid=0", data: { ...data, process_results: true } });
}

export async function openRawClient(options: {
  broker: BrokerEndpoint;
  psk: string;
  identity?: string;
}): Promise<RawClient> {
  const identity = options.identity ?? `raw-client-${process.pid}`;
  const settings = {
    vhost: options.broker.vhost,
    "pool.size": "1",
    "pool.1.host": options.broker.host,
    "pool.1.port": String(options.broker.port),
    "pool.1.user": options.broker.user,
    "pool.1.password": options.broker.password,
    initial_reconnect_delay: "0.01",
    max_reconnect_delay: "0.5",
  };
  const connectorPlugin: OpenPlugin<"connector"> = await openPlugin(
    { definition: rabbitmq, settings },
    "client",
    identity,
  );
  const securityPlugin = await openPlugin(
    { definition: psk, settings: { "": options.psk } },
    "client",
    identity,
  );
  const connector = connectorPlugin.instance;
  const security = securityPlugin.instance;
  const byRequest = new Map<string, ReplyEnvelope[]>();
  const rejected: { message: InboundMessage; reason: string }[] = [];
  const wakers = new Set<() => void>();
  connector.onMessage((message) => {
    try {
      const reply = security.decodeReply(message.body);
      byRequest.set(reply.requestid, [...(byRequest.get(reply.requestid) ?? []), reply]);
    } catch (err) {
      rejected.push({ message, reason: (err as Error).message });
    }
    for (const wake of [...wakers]) wake();
  });
  await connector.connect({ timeoutMs: 10_000 });

  const publish = async (agent: string, bytes: Uint8Array, nodes: string[] | undefined, ttl: number) => {
    await connector.publish(
      nodes
        ? { kind: "direct_request", agent, collective: "mcollective", body: bytes, ttl, nodes, requestSeq: 1 }
        : { kind: "request", agent, collective: "mcollective", body: bytes, ttl, requestSeq: 1 },
    );
  };

  const client: RawClient = {
    identity,
    connector,
    security,
    rejected,
    async send(request) {
      const requestid = request.requestid ?? createRequestId();
      const bytes = craftRequest({
        ...request,
        requestid,
        senderid: identity,
        psk: request.psk ?? options.psk,
      });
      await publish(request.agent, bytes, request.nodes, request.ttl ?? 60);
      return requestid;
    },
    async sendBytes(agent, bytes, extra = {}) {
      await publish(agent, bytes, extra.nodes, extra.ttl ?? 60);
    },
    replies: (requestid) => byRequest.get(requestid) ?? [],
    waitReplies(requestid, count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const got = byRequest.get(requestid) ?? [];
          if (got.length < count) return false;
          finish();
          resolve(got);
          return true;
        };
        const timer = setTimeout(() => {
          finish();
          const got = (byRequest.get(requestid) ?? []).map((r) => r.senderid);
          reject(
            new Error(
              `request ${requestid}: ${got.length} of ${count} replies within ${timeoutMs} ms (from ${got.join(", ") || "no one"})`,
            ),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          wakers.delete(wake);
        };
        const wake = () => void check();
        if (!check()) wakers.add(wake);
      });
    },
    async rpc(node, agent, action, data = {}) {
      const filter = { ...emptyFilter(), agent: [agent] };
      const requestid = await client.send({
        agent,
        body: simpleRpc(agent, action, data),
        filter,
        nodes: [node],
      });
      const [reply] = await client.waitReplies(requestid, 1);
      return rpcReplyFromRuby((reply as ReplyEnvelope).body);
    },
    async daemonStats(node) {
      const reply = await client.rpc(node, "rpcutil", "daemon_stats");
      if (reply.statuscode !== 0) throw new Error(`daemon_stats on ${node}: ${reply.statusmsg}`);
      const keys = ["total", "validated", "unvalidated", "passed", "filtered", "replies", "ttlexpired"];
      return Object.fromEntries(keys.map((k) => [k, Number(reply.data[k])]));
    },
    async pingAll(expected, filter = emptyFilter()) {
      const requestid = await client.send({ agent: "discovery", body: "ping", filter });
      await client.waitReplies(requestid, expected.length, 30_000);
      await new Promise((r) => setTimeout(r, 200));
      return client
        .replies(requestid)
        .map((r) => r.senderid)
        .sort();
    },
    async ping(timeoutMs = 1_000, filter = emptyFilter()) {
      const requestid = await client.send({ agent: "discovery", body: "ping", filter });
      await new Promise((r) => setTimeout(r, timeoutMs));
      return client
        .replies(requestid)
        .map((r) => r.senderid)
        .sort();
    },
    async close() {
      await connector.disconnect().catch(() => {});
      connectorPlugin.close();
      securityPlugin.close();
    },
  };
  return client;
}

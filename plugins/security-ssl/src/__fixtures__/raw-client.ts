/**
 * A client that sends exactly the bytes a test wants — signed by the ssl
 * plugin, then tampered with, replayed, or dated wrong — to a fleet's
 * broker through the real RabbitMQ connector, and collects the replies that
 * come back on its connection.
 */
import { randomBytes } from "node:crypto";
import { rabbitmqConnector } from "@phobos/connector-rabbitmq";
import {
  buildPluginContext,
  type Connector,
  createLogger,
  createPlugin,
  emptyFilter,
  type InboundMessage,
  memorySink,
  type ReplyEnvelope,
  type RequestEnvelope,
  type RubyValue,
  type SecurityProvider,
  sym,
} from "@phobos/core";
import type { RubyFleet } from "@phobos/interop";
import ssl from "../security.js";
import { rubySignedRequest } from "./ruby-signed.js";

export interface RawClient {
  readonly security: SecurityProvider;
  /** A signed SimpleRPC request; `overrides` change the envelope before signing. */
  request(
    agent: string,
    action: string,
    overrides?: Partial<RequestEnvelope>,
  ): { requestid: string; bytes: Uint8Array };
  /** The same request signed as Ruby MCollective's client signs it (ttl and msgtime only). */
  rubyRequest(
    agent: string,
    action: string,
    overrides?: Partial<RequestEnvelope>,
  ): { requestid: string; bytes: Uint8Array };
  send(bytes: Uint8Array, to: { agent: string; node: string }): Promise<void>;
  /** Replies to `requestid` received so far (verified with the servers' key). */
  replies(requestid: string): ReplyEnvelope[];
  /** Waits for a reply to `requestid`; rejects after `timeoutMs`. */
  reply(requestid: string, timeoutMs?: number): Promise<ReplyEnvelope>;
  close(): Promise<void>;
}

export async function rawClient(
  fleet: RubyFleet,
  user: string,
  extra: Record<string, string> = {},
): Promise<RawClient> {
  const site = fleet.ssl;
  if (site === undefined) throw new Error("rawClient needs an ssl fleet");
  const keys = site.user(user);
  const log = createLogger(memorySink("warn"));
  const host = fleet.broker.pool[0];
  if (host === undefined) throw new Error("the fleet has no broker");
  const connector: Connector = await createPlugin(
    rabbitmqConnector,
    buildPluginContext({
      type: "connector",
      name: "rabbitmq",
      pluginSettings: new Map([
        ["plugin.rabbitmq.vhost", fleet.broker.vhost ?? "/"],
        ["plugin.rabbitmq.pool.size", "1"],
        ["plugin.rabbitmq.pool.1.host", host.host],
        ["plugin.rabbitmq.pool.1.port", String(host.port)],
        ["plugin.rabbitmq.pool.1.user", host.user],
        ["plugin.rabbitmq.pool.1.password", host.password],
      ]),
      log,
      identity: "raw-client",
      mode: "client",
    }),
  );
  const security: SecurityProvider = await createPlugin(
    ssl,
    buildPluginContext({
      type: "security",
      name: "ssl",
      pluginSettings: new Map(
        Object.entries({
          "plugin.ssl_server_public": site.serverPublic,
          "plugin.ssl_client_private": keys.privatePath,
          "plugin.ssl_client_public": keys.publicPath,
          ...extra,
        }),
      ),
      log,
      identity: "raw-client",
      mode: "client",
    }),
  );
  const received: ReplyEnvelope[] = [];
  const waiters: (() => void)[] = [];
  connector.onMessage((message: InboundMessage) => {
    try {
      received.push(security.decodeReply(message.body));
    } catch {
      // Not for this client's key: not a reply it can count.
    }
    for (const wake of waiters.splice(0)) wake();
  });
  await connector.connect({ timeoutMs: 10_000 });
  let sequence = 0;

  const replies = (requestid: string) => received.filter((r) => r.requestid === requestid);
  const envelope = (agent: string, action: string, overrides: Partial<RequestEnvelope>): RequestEnvelope => ({
    senderid: "raw-client",
    requestid: randomBytes(16).toString("hex"),
    filter: { ...emptyFilter(), agent: [agent] },
    collective: fleet.mainCollective,
    agent,
    ttl: 60,
    msgtime: Math.floor(Date.now() / 1000),
    body: new Map<RubyValue, RubyValue>([
      [sym("agent"), agent],
      [sym("action"), action],
      [sym("caller"), security.callerId()],
      [sym("data"), new Map<RubyValue, RubyValue>([[sym("process_results"), true]])],
    ]),
    ...overrides,
  });
  return {
    security,
    request(agent, action, overrides = {}) {
      const request = envelope(agent, action, overrides);
      return { requestid: request.requestid, bytes: security.encodeRequest(request) };
    },
    rubyRequest(agent, action, overrides = {}) {
      const request = envelope(agent, action, overrides);
      return {
        requestid: request.requestid,
        bytes: rubySignedRequest(request, security.callerId(), keys.privatePath),
      };
    },
    async send(bytes, to) {
      await connector.publish({
        kind: "direct_request",
        agent: to.agent,
        collective: fleet.mainCollective,
        body: bytes,
        ttl: 60,
        nodes: [to.node],
        requestSeq: ++sequence,
      });
    },
    replies,
    reply(requestid, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const deadline = setTimeout(
          () => reject(new Error(`no reply to ${requestid} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        const check = () => {
          const found = replies(requestid)[0];
          if (found) {
            clearTimeout(deadline);
            resolve(found);
          } else waiters.push(check);
        };
        check();
      });
    },
    async close() {
      await connector.disconnect();
    },
  };
}

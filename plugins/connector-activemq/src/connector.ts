import {
  ConfigError,
  type Connector,
  ConnectorError,
  type ConnectorState,
  defineConnector,
  type InboundMessage,
  type OutboundReply,
  type OutboundRequest,
  type PluginContext,
  type PluginSettings,
  type Subscription,
} from "@phobos/core";
import {
  readHeartbeat,
  readMaxMessageSize,
  readPool,
  readReconnectPolicy,
  StompTransport,
} from "@phobos/stomp-client";
import {
  type ActiveMqNaming,
  broadcastDestination,
  decode64,
  directedDestination,
  directedSelector,
  encode64,
  messageHeaders,
  replyDestination,
} from "./destinations.js";

/** Reply queues subscribed on the fly (a request sent without subscribing first) kept at most. */
const IMPLICIT_REPLY_SUBSCRIPTIONS = 32;

function subscriptionTarget(
  naming: ActiveMqNaming,
  sub: Subscription,
): { destination: string; headers: Record<string, string> } {
  switch (sub.kind) {
    case "broadcast":
      return { destination: broadcastDestination(naming, sub.collective, sub.agent), headers: {} };
    case "directed":
      return {
        destination: directedDestination(sub.collective),
        headers: { selector: directedSelector(naming.identity) },
      };
    case "reply":
      return { destination: replyDestination(naming, sub.collective, sub.requestSeq), headers: {} };
  }
}

/** ActiveMQ's refusals an MCollective operator meets, with what to do about them. */
export function explainActiveMqError(reason: string): string | undefined {
  if (/password is invalid|User name \[[^\]]*\] or password/i.test(reason)) {
    return "check plugin.activemq.pool.N.user/password (or STOMP_USER/STOMP_PASSWORD) against the broker's authentication plugin";
  }
  const denied = /not authorized to (read|write|create)[^:]*: (\S+)/i.exec(reason);
  if (denied) {
    return `the broker's authorizationPlugin does not let this user ${denied[1]} ${denied[2]}: MCollective needs read, write and admin on topic <collective>.> and queue <collective>.> for every collective (see the connector's README)`;
  }
  return undefined;
}

/**
 * The stomp gem's two timeouts: `timeout` (TCP connect, -1 = none) and
 * `connect_timeout` (the STOMP handshake, 30 s). One attempt here is bounded
 * by the smaller of the two that are set.
 */
function attemptTimeoutMs(settings: PluginSettings): number {
  const limits = [settings.integer("timeout", -1), settings.integer("connect_timeout", 30)].filter(
    (s) => s > 0,
  );
  return limits.length === 0 ? 0 : Math.min(...limits) * 1000;
}

function createActivemqConnector(ctx: PluginContext): Connector {
  const { settings, log } = ctx;
  for (const key of ["prompt_user", "prompt_password"]) {
    if (settings.boolean(key, false)) {
      throw new ConfigError(
        "is not supported: Phobos never prompts; give the login in STOMP_USER / STOMP_PASSWORD or plugin.activemq.pool.N.user / password",
        { key: settings.fullKey(key) },
      );
    }
  }
  const base64 = settings.boolean("base64", false);
  const priority = settings.integer("priority", 0);
  if (priority < 0 || priority > 9) {
    throw new ConfigError(`must be a JMS priority from 0 to 9, not ${priority}`, {
      key: settings.fullKey("priority"),
    });
  }
  const naming: ActiveMqNaming = {
    agentsMultiplex: settings.boolean("agents_multiplex", false),
    identity: ctx.identity,
    pid: process.pid,
  };
  const { heartbeatMs, acceptVersion } = readHeartbeat(settings, log);
  const maxMessage = readMaxMessageSize(settings);
  const transport = new StompTransport({
    hosts: readPool(settings, process.env, log, "ACTIVEMQ"),
    vhost: settings.string("vhost", "mcollective"),
    acceptVersion,
    heartbeatMs,
    randomize: settings.boolean("randomize", false),
    reconnect: readReconnectPolicy(settings),
    connectTimeoutMs: attemptTimeoutMs(settings),
    log,
    brokerName: "ActiveMQ",
    explainError: explainActiveMqError,
    maxMessageBytes: maxMessage.bytes,
    maxMessageSetting: maxMessage.setting,
  });
  /** Subscriptions asked for, by their destination: the transport's id for each. */
  const subscriptions = new Map<string, string>();
  /** Reply queues subscribed because a request was sent without subscribing first, oldest first. */
  const implicit: string[] = [];
  const encode = (body: Uint8Array) => (base64 ? encode64(body) : body);

  const subscribeTo = (destination: string, headers: Record<string, string>) => {
    if (subscriptions.has(destination)) return;
    log.debug(`Subscribing to ${destination}${headers.selector ? ` with selector ${headers.selector}` : ""}`);
    subscriptions.set(destination, transport.subscribe(destination, headers));
  };
  const unsubscribeFrom = (destination: string) => {
    const id = subscriptions.get(destination);
    if (id === undefined) return;
    log.debug(`Unsubscribing from ${destination}`);
    subscriptions.delete(destination);
    transport.unsubscribe(id);
  };

  ctx.signal.addEventListener("abort", () => void transport.disconnect(), { once: true });

  return {
    describe: () => transport.describe(),
    connect: (options) => transport.connect(options?.timeoutMs),
    disconnect: () => transport.disconnect(),
    onMessage(handler: (message: InboundMessage) => void) {
      transport.onMessage(({ headers, body }) => {
        handler({ headers, body: base64 ? decode64(body) : body });
      });
    },
    onStateChange(handler: (state: ConnectorState, detail: string) => void) {
      transport.onState(handler);
    },
    async subscribe(sub: Subscription) {
      const target = subscriptionTarget(naming, sub);
      const wasImplicit = implicit.indexOf(target.destination);
      if (wasImplicit >= 0) implicit.splice(wasImplicit, 1);
      subscribeTo(target.destination, target.headers);
    },
    async unsubscribe(sub: Subscription) {
      const { destination } = subscriptionTarget(naming, sub);
      const wasImplicit = implicit.indexOf(destination);
      if (wasImplicit >= 0) implicit.splice(wasImplicit, 1);
      unsubscribeFrom(destination);
    },
    async publish(message: OutboundRequest | OutboundReply) {
      if (message.kind === "reply") {
        const to = message.request.headers["reply-to"];
        if (!to) throw new ConnectorError("cannot reply: the request carried no reply-to header");
        const headers = messageHeaders({ priority, ttl: message.ttl, sender: ctx.identity });
        transport.send(to, headers, encode(message.body), message.ttl);
        return;
      }
      let replyTo = message.replyTo;
      if (replyTo === undefined) {
        replyTo = replyDestination(naming, message.collective, message.requestSeq);
        // MCollective's client subscribes to the reply queue before sending; one that
        // did not still gets its replies (the oldest such queues are let go).
        if (!subscriptions.has(replyTo)) {
          subscribeTo(replyTo, {});
          implicit.push(replyTo);
          while (implicit.length > IMPLICIT_REPLY_SUBSCRIPTIONS) unsubscribeFrom(implicit.shift() as string);
        }
      }
      const body = encode(message.body);
      if (message.kind === "direct_request") {
        const nodes = message.nodes ?? [];
        if (nodes.length === 0) throw new ConnectorError("a direct request needs at least one node");
        const destination = directedDestination(message.collective);
        for (const node of nodes) {
          const headers = messageHeaders({ priority, ttl: message.ttl, sender: ctx.identity, replyTo, node });
          transport.send(destination, headers, body, message.ttl);
        }
      } else {
        const headers = messageHeaders({ priority, ttl: message.ttl, sender: ctx.identity, replyTo });
        transport.send(
          broadcastDestination(naming, message.collective, message.agent),
          headers,
          body,
          message.ttl,
        );
      }
    },
  };
}

export default defineConnector({
  name: "activemq",
  description:
    "ActiveMQ over STOMP with MCollective 2.12's topics, selector-routed directed queue and per-request reply queues",
  create: createActivemqConnector,
});

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
  type Subscription,
} from "@phobos/core";
import { createAmqpTransport } from "./amqp-transport.js";
import {
  broadcastDestination,
  directedDestination,
  expiration,
  type RabbitNaming,
  replyDestination,
} from "./destinations.js";
import { createStompTransport } from "./stomp-transport.js";
import { type MessageTransport, TRANSPORTS, type TransportName } from "./transport.js";

function subscriptionDestination(
  naming: RabbitNaming,
  sub: Subscription,
): { destination: string; headers: Record<string, string> } | undefined {
  switch (sub.kind) {
    case "broadcast":
      return {
        destination: broadcastDestination(naming, sub.collective, sub.agent),
        // Ruby sends this on the daemon's SUBSCRIBE too; RabbitMQ ignores it.
        headers: { "reply-to": replyDestination(naming, sub.agent, 0) },
      };
    case "directed":
      return { destination: directedDestination(sub.collective, naming.identity), headers: {} };
    case "reply":
      // RabbitMQ creates and subscribes temp queues itself; subscribing to one breaks it.
      if (!naming.useReplyExchange) return undefined;
      return { destination: replyDestination(naming, sub.agent, sub.requestSeq), headers: {} };
  }
}

/** RabbitMQ's refusals an MCollective operator meets, with what to do about them. */
function explainRabbitError(reason: string): string | undefined {
  const exchange = /no exchange '([^']+)'/.exec(reason)?.[1];
  if (exchange) {
    return `the exchange ${exchange} does not exist: every collective needs its <collective>_broadcast (topic) and <collective>_directed (direct) exchanges; phobos-rabbitmq-setup --config <this config> creates them`;
  }
  if (/access_refused|ACCESS_REFUSED|login was refused/i.test(reason)) {
    return "check plugin.rabbitmq.pool.N.user/password (or STOMP_USER/STOMP_PASSWORD) and the user's permissions on the vhost";
  }
  return undefined;
}

/** `plugin.rabbitmq.transport`: `stomp` (the default, as Ruby MCollective) or `amqp` (AMQP 0-9-1). */
function readTransport(settings: PluginContext["settings"]): TransportName {
  const value = settings.string("transport", "stomp").trim().toLowerCase();
  if ((TRANSPORTS as readonly string[]).includes(value)) return value as TransportName;
  throw new ConfigError(
    `is ${JSON.stringify(value)}: the rabbitmq connector speaks ${TRANSPORTS.join(" or ")}`,
    { key: settings.fullKey("transport") },
  );
}

function createRabbitmqConnector(ctx: PluginContext): Connector {
  const { settings, log } = ctx;
  const base64 = settings.boolean("base64", false);
  const naming: RabbitNaming = {
    agentsMultiplex: settings.boolean("agents_multiplex", false),
    useReplyExchange: settings.boolean("use_reply_exchange", false),
    identity: ctx.identity,
    pid: process.pid,
  };
  const setup = { settings, log, identity: ctx.identity, mode: ctx.mode, explainError: explainRabbitError };
  const transport: MessageTransport =
    readTransport(settings) === "amqp" ? createAmqpTransport(setup) : createStompTransport(setup);
  const subscriptions = new Map<string, string>();
  const key = (s: Subscription) => JSON.stringify(s);
  const encode = (body: Uint8Array) => (base64 ? Buffer.from(Buffer.from(body).toString("base64")) : body);
  const common = (ttl: number) => ({ expiration: expiration(ttl), mc_sender: ctx.identity });

  ctx.signal.addEventListener("abort", () => void transport.disconnect(), { once: true });

  return {
    describe: () => transport.describe(),
    connect: (options) => transport.connect(options?.timeoutMs),
    disconnect: () => transport.disconnect(),
    onMessage(handler: (message: InboundMessage) => void) {
      transport.onMessage(({ headers, body }) => {
        handler({
          headers,
          body: base64 ? Buffer.from(Buffer.from(body).toString("latin1"), "base64") : body,
        });
      });
    },
    onStateChange(handler: (state: ConnectorState, detail: string) => void) {
      transport.onState(handler);
    },
    async subscribe(sub: Subscription) {
      const target = subscriptionDestination(naming, sub);
      if (!target || subscriptions.has(key(sub))) return;
      log.debug(`Subscribing to ${target.destination}`);
      subscriptions.set(key(sub), await transport.subscribe(target.destination, target.headers));
    },
    async unsubscribe(sub: Subscription) {
      const id = subscriptions.get(key(sub));
      if (id === undefined) return;
      subscriptions.delete(key(sub));
      await transport.unsubscribe(id);
    },
    async publish(message: OutboundRequest | OutboundReply) {
      if (message.kind === "reply") {
        const to = message.request.headers["reply-to"];
        if (!to) throw new ConnectorError("cannot reply: the request carried no reply-to header");
        await transport.send(to, common(message.ttl), encode(message.body), message.ttl);
        return;
      }
      const headers = {
        "reply-to": message.replyTo ?? replyDestination(naming, message.agent, message.requestSeq),
        ...common(message.ttl),
      };
      const body = encode(message.body);
      if (message.kind === "direct_request") {
        const nodes = message.nodes ?? [];
        if (nodes.length === 0) throw new ConnectorError("a direct request needs at least one node");
        // One copy per node, all in flight at once: each send waits for RabbitMQ's confirm over AMQP.
        await Promise.all(
          nodes.map((node) =>
            transport.send(directedDestination(message.collective, node), headers, body, message.ttl),
          ),
        );
      } else {
        await transport.send(
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
  name: "rabbitmq",
  description:
    "RabbitMQ over STOMP (or AMQP 0-9-1 with transport = amqp) with MCollective 2.12's exchanges, headers and temp-queue replies",
  create: createRabbitmqConnector,
});

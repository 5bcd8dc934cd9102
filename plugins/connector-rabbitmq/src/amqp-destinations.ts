/**
 * RabbitMQ's STOMP destinations in AMQP 0-9-1 terms, as its STOMP adapter
 * maps them (https://www.rabbitmq.com/docs/stomp#d), so an AMQP peer routes
 * exactly like a STOMP peer on the same broker, and STOMP frame headers as the
 * adapter maps them to message properties and back.
 */
import { ConnectorError } from "@phobos/core";
import type { MessagePropertyHeaders, Options } from "amqplib";

/** Where a message published to a destination goes. */
export type PublishTarget =
  | { kind: "route"; exchange: string; routingKey: string }
  /** A `/temp-queue/<name>`: the connection's own reply queue of that name. */
  | { kind: "temp-queue"; name: string };

/** What a subscription to a destination binds or consumes. */
export type SubscribeTarget =
  | { kind: "bind"; exchange: string; bindingKey: string }
  | { kind: "queue"; queue: string; declare: boolean };

function rest(destination: string, prefix: string): string {
  const value = destination.slice(prefix.length);
  if (value === "") throw new ConnectorError(`destination ${destination} names no ${prefix.split("/")[1]}`);
  return value;
}

/** `/exchange/x[/key]` → exchange x with routing key `key` (or ""). */
function exchangeAndKey(destination: string): { exchange: string; key: string } {
  const tail = rest(destination, "/exchange/");
  const slash = tail.indexOf("/");
  return slash < 0
    ? { exchange: tail, key: "" }
    : { exchange: tail.slice(0, slash), key: tail.slice(slash + 1) };
}

/**
 * Where a SEND to `destination` goes. A `reply-to` that an AMQP peer set is a
 * bare queue name: that goes to the default exchange, keyed by the name.
 */
export function publishTarget(destination: string): PublishTarget {
  if (destination.startsWith("/exchange/")) {
    const { exchange, key } = exchangeAndKey(destination);
    return { kind: "route", exchange, routingKey: key };
  }
  if (destination.startsWith("/topic/")) {
    return { kind: "route", exchange: "amq.topic", routingKey: rest(destination, "/topic/") };
  }
  for (const prefix of ["/queue/", "/amq/queue/", "/reply-queue/"]) {
    if (destination.startsWith(prefix)) {
      return { kind: "route", exchange: "", routingKey: rest(destination, prefix) };
    }
  }
  if (destination.startsWith("/temp-queue/")) {
    return { kind: "temp-queue", name: rest(destination, "/temp-queue/") };
  }
  if (destination === "" || destination.startsWith("/")) {
    throw new ConnectorError(
      `cannot send to ${JSON.stringify(destination)}: not a RabbitMQ destination (/exchange/…, /queue/…, /amq/queue/…, /reply-queue/…, /topic/… or /temp-queue/…)`,
    );
  }
  return { kind: "route", exchange: "", routingKey: destination };
}

/** What a SUBSCRIBE to `destination` means; `/queue/<q>` declares a durable queue as the adapter does. */
export function subscribeTarget(destination: string): SubscribeTarget {
  if (destination.startsWith("/exchange/")) {
    const { exchange, key } = exchangeAndKey(destination);
    return { kind: "bind", exchange, bindingKey: key };
  }
  if (destination.startsWith("/topic/")) {
    return { kind: "bind", exchange: "amq.topic", bindingKey: rest(destination, "/topic/") };
  }
  if (destination.startsWith("/queue/")) {
    return { kind: "queue", queue: rest(destination, "/queue/"), declare: true };
  }
  if (destination.startsWith("/amq/queue/")) {
    return { kind: "queue", queue: rest(destination, "/amq/queue/"), declare: false };
  }
  throw new ConnectorError(
    `cannot subscribe to ${JSON.stringify(destination)}: the AMQP transport subscribes to /exchange/…, /topic/…, /queue/… and /amq/queue/… (RabbitMQ makes temp queues itself)`,
  );
}

/** STOMP headers the adapter carries as AMQP properties; every other header goes in the headers table. */
const PROPERTY_HEADERS = new Set([
  "reply-to",
  "expiration",
  "content-type",
  "content-encoding",
  "correlation-id",
  "message-id",
  "type",
  "app-id",
  "user-id",
  "priority",
  "persistent",
  "timestamp",
]);

/**
 * A STOMP SEND's headers as AMQP publish options. `reply-to` must already be
 * resolved (a temp queue's real name); `destination` and `content-length` are
 * frame matters and are left out.
 */
export function publishOptions(headers: Readonly<Record<string, string>>): Options.Publish {
  const options: Options.Publish = {};
  const table: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === "destination" || name === "content-length") continue;
    if (!PROPERTY_HEADERS.has(name)) {
      table[name] = value;
      continue;
    }
    switch (name) {
      case "reply-to":
        options.replyTo = value;
        break;
      case "expiration":
        if (!/^\d+$/.test(value)) {
          throw new ConnectorError(`expiration ${JSON.stringify(value)} is not a whole number of ms`);
        }
        options.expiration = value;
        break;
      case "content-type":
        options.contentType = value;
        break;
      case "content-encoding":
        options.contentEncoding = value;
        break;
      case "correlation-id":
        options.correlationId = value;
        break;
      case "message-id":
        options.messageId = value;
        break;
      case "type":
        options.type = value;
        break;
      case "app-id":
        options.appId = value;
        break;
      case "user-id":
        options.userId = value;
        break;
      case "priority":
        options.priority = Number(value);
        break;
      case "persistent":
        options.persistent = value === "true";
        break;
      case "timestamp":
        options.timestamp = Number(value);
        break;
    }
  }
  if (Object.keys(table).length > 0) options.headers = table;
  return options;
}

/** Message properties as amqplib hands them over (the subset the adapter maps). */
export interface DeliveredProperties {
  headers?: MessagePropertyHeaders | undefined;
  replyTo?: string | undefined;
  expiration?: string | number | undefined;
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  correlationId?: string | undefined;
  messageId?: string | undefined;
  type?: string | undefined;
  appId?: string | undefined;
  userId?: string | undefined;
  priority?: number | undefined;
  deliveryMode?: number | undefined;
  timestamp?: number | undefined;
}

function headerValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return JSON.stringify(value);
}

/**
 * A delivered message's properties as the headers of the STOMP MESSAGE the
 * adapter would make of it: the headers table first, then the properties; a
 * bare `reply_to` queue name becomes `/reply-queue/<name>`, which a STOMP
 * peer can SEND to and publishTarget() maps back.
 */
export function deliveredHeaders(
  properties: DeliveredProperties,
  frame: { destination: string; subscription?: string; redelivered: boolean },
): Record<string, string> {
  const headers: Record<string, string> = {
    ...(frame.subscription === undefined ? {} : { subscription: frame.subscription }),
    destination: frame.destination,
  };
  if (properties.messageId !== undefined) headers["message-id"] = properties.messageId;
  headers.redelivered = String(frame.redelivered);
  for (const [name, value] of Object.entries(properties.headers ?? {})) {
    const text = headerValue(value);
    if (text !== undefined) headers[name] = text;
  }
  const set = (name: string, value: unknown) => {
    const text = headerValue(value);
    if (text !== undefined) headers[name] = text;
  };
  set("expiration", properties.expiration);
  set("content-type", properties.contentType);
  set("content-encoding", properties.contentEncoding);
  set("correlation-id", properties.correlationId);
  set("type", properties.type);
  set("app-id", properties.appId);
  set("user-id", properties.userId);
  set("priority", properties.priority);
  set("timestamp", properties.timestamp);
  if (properties.deliveryMode === 2) headers.persistent = "true";
  if (properties.replyTo !== undefined && properties.replyTo !== "") {
    headers["reply-to"] = properties.replyTo.startsWith("/")
      ? properties.replyTo
      : `/reply-queue/${properties.replyTo}`;
  }
  return headers;
}

import { StompError } from "./errors.js";

/**
 * The destination forms of RabbitMQ's STOMP plugin. Names are taken
 * literally (RabbitMQ does not percent-decode them) and may not contain `/`.
 */
export type Destination =
  /** `/exchange/<name>[/<routing key or binding pattern>]` */
  | { readonly kind: "exchange"; readonly exchange: string; readonly routingKey: string }
  /** `/queue/<name>`: a shared queue, declared on first use */
  | { readonly kind: "queue"; readonly queue: string }
  /** `/amq/queue/<name>`: a queue that must already exist */
  | { readonly kind: "amq-queue"; readonly queue: string }
  /** `/topic/<key>`: the `amq.topic` exchange */
  | { readonly kind: "topic"; readonly routingKey: string }
  /** `/temp-queue/<name>`: only valid as a SEND's `reply-to` */
  | { readonly kind: "temp-queue"; readonly name: string }
  /** `/reply-queue/<generated name>`: where replies to a temp queue are sent */
  | { readonly kind: "reply-queue"; readonly queue: string };

const VALID_TYPES =
  "Valid destination types are: /temp-queue, /exchange, /topic, /queue, /amq/queue, /reply-queue/.";

export function parseDestination(raw: string): Destination {
  const rest = (prefix: string) => raw.slice(prefix.length);
  if (raw.startsWith("/exchange/")) {
    const path = rest("/exchange/");
    const parts = path.split("/");
    const [exchange, routingKey = ""] = parts;
    if (!exchange || parts.length > 2) {
      throw new StompError("Invalid destination", `'/${path}' is not a valid exchange destination\n`);
    }
    return { kind: "exchange", exchange, routingKey };
  }
  if (raw.startsWith("/queue/")) return { kind: "queue", queue: name(raw, rest("/queue/"), "queue") };
  if (raw.startsWith("/amq/queue/")) {
    return { kind: "amq-queue", queue: name(raw, rest("/amq/queue/"), "queue") };
  }
  if (raw.startsWith("/topic/"))
    return { kind: "topic", routingKey: name(raw, rest("/topic/"), "topic", true) };
  if (raw.startsWith("/temp-queue/")) {
    return { kind: "temp-queue", name: name(raw, rest("/temp-queue/"), "temp-queue") };
  }
  if (raw.startsWith("/reply-queue/")) {
    return { kind: "reply-queue", queue: name(raw, rest("/reply-queue/"), "reply-queue") };
  }
  throw new StompError("Unknown destination", `'${raw}' is not a valid destination.\n${VALID_TYPES}\n`);
}

function name(raw: string, value: string, type: string, emptyOk = false): string {
  if ((!emptyOk && value === "") || value.includes("/")) {
    throw new StompError("Invalid destination", `'${raw}' is not a valid ${type} destination\n`);
  }
  return value;
}

/**
 * The `destination` header of a delivered MESSAGE, derived like RabbitMQ
 * from where the message was published, not from the subscription: the
 * default exchange reads back as `/queue/<key>` (so replies to a temp queue
 * show `/queue/amq.gen-…`), `amq.topic` as `/topic/<key>`.
 */
export function deliveredDestination(exchange: string, routingKey: string): string {
  if (exchange === "") return `/queue/${routingKey}`;
  if (exchange === "amq.topic") return `/topic/${routingKey}`;
  return routingKey === "" ? `/exchange/${exchange}` : `/exchange/${exchange}/${routingKey}`;
}

import { deliveredDestination } from "./destination.js";
import { StompError } from "./errors.js";
import type { Header } from "./frame.js";
import { encodeHeaderLines } from "./frame-encoder.js";
import type { EscapeMode } from "./header-escape.js";

/**
 * Headers RabbitMQ maps onto AMQP message properties. It writes them back
 * after the sender's other headers, in this fixed order, whatever order the
 * sender used (see WIRE.md §2 and the captures: the gem sends `reply-to,
 * expiration, mc_sender` and daemons receive `mc_sender, expiration, reply-to`).
 */
const PROPERTY_ORDER = [
  "app-id",
  "user-id",
  "type",
  "timestamp",
  "amqp-message-id",
  "expiration",
  "reply-to",
  "correlation-id",
  "priority",
  "persistent",
  "content-encoding",
  "content-type",
] as const;
const PROPERTIES = new Set<string>(PROPERTY_ORDER);

/**
 * Frame-level headers meant for the broker, not the receiver. RabbitMQ
 * forwards `receipt` and `transaction` as if they were the sender's own;
 * this broker does not, since a MESSAGE carrying another client's receipt
 * id only confuses clients.
 */
const NOT_FORWARDED = new Set(["destination", "content-length", "receipt", "transaction"]);

const EXPIRATION = /^[0-9]+$/;

/** A published message, shared (never copied) by every queue it is routed to. */
export interface Message {
  readonly exchange: string;
  readonly routingKey: string;
  /** `destination` of the delivered MESSAGE. */
  readonly destination: string;
  /** Everything after the broker's own headers, in RabbitMQ's order; `content-length` is added on the wire. */
  readonly headers: readonly Header[];
  readonly body: Buffer;
  /** Monotonic ms after which the message is dropped instead of delivered (from `expiration`). */
  readonly expiresAt: number | undefined;
  /** Bytes it holds, for queue and memory caps. */
  readonly size: number;
  /** Encoded header lines per escape mode, see `encodedHeaders`. */
  readonly encoded: Partial<Record<EscapeMode, Buffer>>;
}

export interface NewMessage {
  readonly exchange: string;
  readonly routingKey: string;
  /** The SEND frame's headers, repeats included (the first wins). */
  readonly headers: readonly Header[];
  readonly body: Buffer;
  /** `reply-to` as delivered, after the `/temp-queue/` rewrite. */
  readonly replyTo?: string | undefined;
  readonly now: number;
}

export function createMessage(input: NewMessage): Message {
  const custom: Header[] = [];
  const properties = new Map<string, string>();
  const seen = new Set<string>();
  for (const [name, value] of input.headers) {
    if (seen.has(name)) continue;
    seen.add(name);
    if (NOT_FORWARDED.has(name)) continue;
    if (PROPERTIES.has(name)) properties.set(name, value);
    else custom.push([name, value]);
  }
  if (input.replyTo !== undefined) properties.set("reply-to", input.replyTo);

  let expiresAt: number | undefined;
  const expiration = properties.get("expiration");
  if (expiration !== undefined) {
    if (!EXPIRATION.test(expiration)) {
      throw new StompError(
        "precondition_failed",
        `PRECONDITION_FAILED - invalid expiration '${expiration}': must be a non-negative integer (milliseconds)`,
      );
    }
    expiresAt = input.now + Number(expiration);
  }

  // RabbitMQ returns the sender's own headers last-sent-first.
  const headers: Header[] = custom.reverse();
  for (const name of PROPERTY_ORDER) {
    const value = properties.get(name);
    if (value !== undefined) headers.push([name, value]);
  }
  let size = input.body.length + 128;
  for (const [name, value] of headers) size += name.length + value.length + 2;
  return {
    exchange: input.exchange,
    routingKey: input.routingKey,
    destination: deliveredDestination(input.exchange, input.routingKey),
    headers,
    body: input.body,
    expiresAt,
    size,
    encoded: {},
  };
}

/**
 * The message's header lines, `content-length` and the blank line, encoded
 * once per escape mode and shared by all deliveries. The body is written
 * after it as is, never copied per delivery.
 */
export function encodedHeaders(message: Message, mode: EscapeMode): Buffer {
  const cached = message.encoded[mode];
  if (cached) return cached;
  const lines = encodeHeaderLines(
    [...message.headers, ["content-length", String(message.body.length)]],
    mode,
  );
  const encoded = Buffer.from(`${lines}\n`, "utf8");
  message.encoded[mode] = encoded;
  return encoded;
}

export function isExpired(message: Message, now: number): boolean {
  return message.expiresAt !== undefined && message.expiresAt <= now;
}

import type { Channel } from "amqplib";

/**
 * AMQP 0-9-1 frame ids as amqplib's decoder gives them: methods are
 * `class << 16 | method` (basic = 60: deliver 60, return 50); a content
 * header carries its class id; a body frame has none.
 */
const BASIC_DELIVER = (60 << 16) | 60;
const BASIC_RETURN = (60 << 16) | 50;
const CONTENT_HEADER = 60;

interface Frame {
  id?: number;
  /** Content header: the body's size. */
  size?: number;
  /** Body frame: a piece of the body. */
  content?: Buffer;
  /** Deliver and return methods: where the message was published. */
  fields?: { exchange?: string; routingKey?: string };
}

/** A delivery skipped for its size: where it was published, and its body's bytes. */
export interface DroppedDelivery {
  exchange: string;
  routingKey: string;
  size: number;
}

/**
 * Bounds the body of every message delivered on `channel`. amqplib keeps
 * every body frame of a message and joins them before the consumer sees
 * anything, so a 40 MiB message costs at least twice that however early it
 * is refused. A message's content header states its size before the first
 * body frame arrives: when that is over `maxBodyBytes` the message is not
 * handed to amqplib at all (its deliver method, header and body frames are
 * skipped as they arrive, and `dropped` told once) and the channel carries on.
 *
 * amqplib has no public hook for this; it dispatches every frame of a
 * channel to the channel's `accept(frame)`, which is wrapped here. The
 * connector's tests check a dropped message and the ones after it against a
 * real RabbitMQ, so an amqplib that changes this fails them.
 */
export function limitDeliverySize(
  channel: Channel,
  maxBodyBytes: number,
  dropped: (delivery: DroppedDelivery) => void,
): void {
  const target = channel as unknown as { accept(frame: Frame): unknown };
  if (typeof target.accept !== "function") {
    throw new Error("this amqplib has no Channel#accept: the message size limit cannot be installed");
  }
  const accept = target.accept.bind(target);
  /** A deliver (or return) method whose content header has not come yet. */
  let announced: Frame | undefined;
  let skipping: (DroppedDelivery & { remaining: number }) | undefined;

  target.accept = (frame: Frame) => {
    if (skipping) {
      if (frame.id === undefined && frame.content) {
        skipping.remaining -= frame.content.length;
        if (skipping.remaining <= 0) {
          const { exchange, routingKey, size } = skipping;
          skipping = undefined;
          dropped({ exchange, routingKey, size });
        }
        return;
      }
      // A message cut short is the broker's protocol error: amqplib reports what follows.
      skipping = undefined;
    }
    if (frame.id === BASIC_DELIVER || frame.id === BASIC_RETURN) {
      if (announced) accept(announced);
      announced = frame;
      return;
    }
    const method = announced;
    announced = undefined;
    if (method && frame.id === CONTENT_HEADER && (frame.size ?? 0) > maxBodyBytes) {
      skipping = {
        exchange: method.fields?.exchange ?? "",
        routingKey: method.fields?.routingKey ?? "",
        size: frame.size ?? 0,
        remaining: frame.size ?? 0,
      };
      return;
    }
    if (method) accept(method);
    return accept(frame);
  };
}

import type { Message } from "./message.js";
import type { Consumer, MessageQueue, QueuedMessage } from "./queue.js";

export type AckMode = "auto" | "client" | "client-individual";
export const ACK_MODES: readonly AckMode[] = ["auto", "client", "client-individual"];

/** The connection side of a subscription: whether it can write, and how a MESSAGE is written. */
export interface SubscriptionSink {
  canWrite(): boolean;
  deliver(subscription: Subscription, entry: QueuedMessage): void;
}

export interface SubscriptionSpec {
  /** Key in the connection's subscription table: the `id` header, else the destination. */
  readonly id: string;
  /** The consumer tag that starts every message-id: `T_<id>` or `Q_<destination>` (RabbitMQ's). */
  readonly tag: string;
  /** The MESSAGE `subscription` header, when RabbitMQ sends one (an `id` was given, or a temp queue). */
  readonly subscriptionHeader: string | undefined;
  readonly ackMode: AckMode;
  /** Unacknowledged messages allowed at once (client ack modes). */
  readonly prefetch: number;
  readonly queue: MessageQueue;
  /** The queue exists only for this subscription and goes with it. */
  readonly ownsQueue: boolean;
}

/** One consumer of one queue on behalf of one connection. */
export class Subscription implements Consumer {
  /** Delivery tag → message, in delivery order (client and client-individual modes). */
  private readonly unacked = new Map<number, Message>();

  constructor(
    readonly spec: SubscriptionSpec,
    private readonly sink: SubscriptionSink,
  ) {}

  get queue(): MessageQueue {
    return this.spec.queue;
  }

  get unackedCount(): number {
    return this.unacked.size;
  }

  isReady(): boolean {
    return this.sink.canWrite() && (this.spec.ackMode === "auto" || this.unacked.size < this.spec.prefetch);
  }

  deliver(entry: QueuedMessage): void {
    this.sink.deliver(this, entry);
  }

  track(deliveryTag: number, message: Message): void {
    this.unacked.set(deliveryTag, message);
  }

  /**
   * Settles one delivery, or in `client` mode every delivery up to and
   * including it (STOMP's cumulative ack, RabbitMQ's `multiple`).
   */
  settle(deliveryTag: number): Array<[number, Message]> {
    if (this.spec.ackMode !== "client") {
      const message = this.unacked.get(deliveryTag);
      if (!message) return [];
      this.unacked.delete(deliveryTag);
      return [[deliveryTag, message]];
    }
    const settled: Array<[number, Message]> = [];
    for (const [tag, message] of this.unacked) {
      if (tag > deliveryTag) break;
      settled.push([tag, message]);
    }
    for (const [tag] of settled) this.unacked.delete(tag);
    return settled;
  }

  /** Everything still unacknowledged, for requeueing when the subscription ends. */
  takeUnacked(): Array<[number, Message]> {
    const all = [...this.unacked];
    this.unacked.clear();
    return all;
  }
}

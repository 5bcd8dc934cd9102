import type { BufferBudget } from "./buffer-budget.js";
import { Deque } from "./deque.js";
import { isExpired, type Message } from "./message.js";
import type { BrokerCounters } from "./stats.js";

/** A message on its way to a consumer; `redelivered` once it was handed out and came back. */
export interface QueuedMessage {
  readonly message: Message;
  readonly redelivered: boolean;
}

/** What a queue delivers to: a subscription (or a temp queue's implicit one). */
export interface Consumer {
  /** Can it take a message now? False while its connection is backed up or its prefetch is used. */
  isReady(): boolean;
  deliver(entry: QueuedMessage, queue: MessageQueue): void;
}

export interface QueueSettings {
  readonly name: string;
  /** Session id of the only connection that may consume (subscription and temp queues). */
  readonly owner?: string | undefined;
  /** Deleted when its last consumer goes (subscription queues). */
  readonly autoDelete: boolean;
  readonly maxMessages: number;
  readonly maxBytes: number;
}

export interface QueueContext {
  readonly budget: BufferBudget;
  readonly counters: BrokerCounters;
  readonly now: () => number;
}

/**
 * A queue in RabbitMQ's sense: messages wait here until a consumer is ready;
 * several consumers share it round-robin. The buffer is bounded by count and
 * bytes (oldest dropped first, RabbitMQ's default `drop-head` overflow) and
 * by the broker-wide budget (newest dropped).
 */
export class MessageQueue {
  readonly name: string;
  readonly owner: string | undefined;
  readonly autoDelete: boolean;
  private readonly consumers: Consumer[] = [];
  private nextConsumer = 0;
  private readonly buffer = new Deque<QueuedMessage>();
  private bytes = 0;
  private dispatching = false;
  private deleted = false;

  constructor(
    private readonly settings: QueueSettings,
    private readonly context: QueueContext,
  ) {
    this.name = settings.name;
    this.owner = settings.owner;
    this.autoDelete = settings.autoDelete;
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  get depth(): number {
    return this.buffer.size;
  }

  get bufferedBytes(): number {
    return this.bytes;
  }

  get consumerCount(): number {
    return this.consumers.length;
  }

  enqueue(message: Message): void {
    if (this.deleted) return;
    if (this.buffer.size === 0) {
      const consumer = this.readyConsumer();
      if (consumer) {
        consumer.deliver({ message, redelivered: false }, this);
        return;
      }
    }
    // RabbitMQ semantics: `expiration:0` means "now or never".
    if (isExpired(message, this.context.now())) {
      this.context.counters.messagesExpired++;
      return;
    }
    this.store({ message, redelivered: false });
    this.dispatch();
  }

  /** Deliveries that came back (NACK, cancelled subscription, closed connection), ahead of the rest. */
  requeue(messages: readonly Message[]): void {
    if (this.deleted || messages.length === 0) return;
    const entries = messages.map((message) => ({ message, redelivered: true }));
    for (const entry of entries) this.account(entry.message);
    this.buffer.unshiftAll(entries);
    this.context.counters.messagesRequeued += entries.length;
    this.trim();
    this.dispatch();
  }

  /** Hands buffered messages to ready consumers; called whenever one may have become ready. */
  dispatch(): void {
    if (this.dispatching || this.deleted) return;
    this.dispatching = true;
    try {
      const now = this.context.now();
      for (let entry = this.buffer.peek(); entry; entry = this.buffer.peek()) {
        if (isExpired(entry.message, now)) {
          this.take();
          this.context.counters.messagesExpired++;
          continue;
        }
        const consumer = this.readyConsumer();
        if (!consumer) break;
        this.take();
        consumer.deliver(entry, this);
      }
    } finally {
      this.dispatching = false;
    }
  }

  addConsumer(consumer: Consumer): void {
    this.consumers.push(consumer);
  }

  /** Returns how many consumers remain. */
  removeConsumer(consumer: Consumer): number {
    const index = this.consumers.indexOf(consumer);
    if (index >= 0) {
      this.consumers.splice(index, 1);
      if (this.nextConsumer > index) this.nextConsumer--;
    }
    return this.consumers.length;
  }

  /** Drops buffered messages whose expiration passed, even if no consumer looks at the queue. */
  sweepExpired(now: number): void {
    if (this.buffer.size === 0) return;
    const removed = this.buffer.retain((entry) => !isExpired(entry.message, now));
    for (const entry of removed) this.release(entry.message);
    this.context.counters.messagesExpired += removed.length;
  }

  /** Empties the queue and stops it taking messages; its memory goes back to the budget. */
  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    for (const entry of this.buffer.clear()) this.release(entry.message);
    this.consumers.length = 0;
  }

  private readyConsumer(): Consumer | undefined {
    const count = this.consumers.length;
    for (let i = 0; i < count; i++) {
      const index = (this.nextConsumer + i) % count;
      const consumer = this.consumers[index];
      if (consumer?.isReady()) {
        this.nextConsumer = (index + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  private store(entry: QueuedMessage): void {
    const { size } = entry.message;
    if (size > this.settings.maxBytes || !this.context.budget.reserve(size)) {
      this.context.counters.messagesDropped++;
      return;
    }
    this.bytes += size;
    this.buffer.push(entry);
    this.trim();
  }

  private account(message: Message): void {
    // Requeued messages were accepted once already; they may overdraw the budget until trimmed.
    this.context.budget.forceReserve(message.size);
    this.bytes += message.size;
  }

  /** Enforces the queue caps by dropping from the head, as RabbitMQ's default overflow does. */
  private trim(): void {
    while (
      this.buffer.size > 0 &&
      (this.buffer.size > this.settings.maxMessages || this.bytes > this.settings.maxBytes)
    ) {
      this.take();
      this.context.counters.messagesDropped++;
    }
  }

  private take(): QueuedMessage | undefined {
    const entry = this.buffer.shift();
    if (entry) this.release(entry.message);
    return entry;
  }

  private release(message: Message): void {
    this.bytes -= message.size;
    this.context.budget.release(message.size);
  }
}

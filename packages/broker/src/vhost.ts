import type { BufferBudget } from "./buffer-budget.js";
import { StompError } from "./errors.js";
import { defaultExchangeType, Exchange, type ExchangeType } from "./exchange.js";
import type { BrokerLimits } from "./limits.js";
import type { BrokerLogger } from "./logger.js";
import type { Message } from "./message.js";
import { MessageQueue } from "./queue.js";
import type { BrokerCounters } from "./stats.js";

/** An exchange that exists before any client uses it. */
export interface ExchangeDeclaration {
  readonly name: string;
  readonly type: ExchangeType;
  /** Only in this vhost; every vhost when omitted. */
  readonly vhost?: string | undefined;
}

export interface VhostContext {
  readonly limits: BrokerLimits;
  readonly budget: BufferBudget;
  readonly counters: BrokerCounters;
  readonly logger: BrokerLogger;
  readonly now: () => number;
  /** Unknown exchanges are NOT_FOUND (as on RabbitMQ) instead of declared on first use. */
  readonly strictExchanges: boolean;
  readonly exchanges: readonly ExchangeDeclaration[];
}

const BUILT_IN: readonly ExchangeDeclaration[] = [
  { name: "amq.topic", type: "topic" },
  { name: "amq.direct", type: "direct" },
  { name: "amq.fanout", type: "fanout" },
];

/** One virtual host: its own exchanges and queues, nothing shared with other vhosts. */
export class VirtualHost {
  private readonly exchanges = new Map<string, Exchange>();
  private readonly queues = new Map<string, MessageQueue>();

  constructor(
    readonly name: string,
    private readonly context: VhostContext,
  ) {
    for (const declaration of [...BUILT_IN, ...context.exchanges]) {
      if (declaration.vhost === undefined || declaration.vhost === name) {
        this.declareExchange(declaration.name, declaration.type);
      }
    }
  }

  get exchangeCount(): number {
    return this.exchanges.size;
  }

  get queueList(): Iterable<MessageQueue> {
    return this.queues.values();
  }

  get queueCount(): number {
    return this.queues.size;
  }

  declareExchange(name: string, type: ExchangeType): Exchange {
    const existing = this.exchanges.get(name);
    if (existing) {
      if (existing.type !== type) {
        throw new StompError(
          "precondition_failed",
          `PRECONDITION_FAILED - exchange '${name}' in vhost '${this.name}' is ${existing.type}, not ${type}`,
        );
      }
      return existing;
    }
    if (this.exchanges.size >= this.context.limits.maxExchanges) {
      throw new StompError(
        "resource_limit",
        `vhost '${this.name}' already has ${this.exchanges.size} exchanges (broker limit maxExchanges)`,
      );
    }
    const exchange = new Exchange(name, type);
    this.exchanges.set(name, exchange);
    this.context.logger.debug(`vhost ${this.name}: declared ${type} exchange ${name}`);
    return exchange;
  }

  /** The exchange a destination names, declared on first use unless exchanges are strict. */
  exchange(name: string): Exchange {
    const existing = this.exchanges.get(name);
    if (existing) return existing;
    if (this.context.strictExchanges) {
      throw new StompError("not_found", `NOT_FOUND - no exchange '${name}' in vhost '${this.name}'`);
    }
    return this.declareExchange(name, defaultExchangeType(name));
  }

  queue(name: string): MessageQueue | undefined {
    return this.queues.get(name);
  }

  declareQueue(name: string, options: { owner?: string; autoDelete: boolean }): MessageQueue {
    const existing = this.queues.get(name);
    if (existing) return existing;
    if (this.queues.size >= this.context.limits.maxQueues) {
      throw new StompError(
        "resource_limit",
        `vhost '${this.name}' already has ${this.queues.size} queues (broker limit maxQueues)`,
      );
    }
    const queue = new MessageQueue(
      {
        name,
        owner: options.owner,
        autoDelete: options.autoDelete,
        maxMessages: this.context.limits.maxQueueMessages,
        maxBytes: this.context.limits.maxQueueBytes,
      },
      this.context,
    );
    this.queues.set(name, queue);
    return queue;
  }

  deleteQueue(queue: MessageQueue): void {
    if (this.queues.get(queue.name) !== queue) return;
    this.queues.delete(queue.name);
    for (const exchange of this.exchanges.values()) exchange.unbind(queue);
    queue.delete();
  }

  /**
   * Routes a message; `undefined` exchange is AMQP's default exchange, which
   * routes to the queue named by the routing key.
   */
  publish(exchange: Exchange | undefined, routingKey: string, message: Message): void {
    this.context.counters.messagesPublished++;
    if (!exchange) {
      const queue = this.queues.get(routingKey);
      if (queue) queue.enqueue(message);
      else this.unroutable(`no queue '${routingKey}'`);
      return;
    }
    const queues = exchange.route(routingKey);
    if (queues.length === 0) this.unroutable(`nothing bound to '${exchange.name}' for '${routingKey}'`);
    for (const queue of queues) queue.enqueue(message);
  }

  sweepExpired(now: number): void {
    for (const queue of this.queues.values()) queue.sweepExpired(now);
  }

  private unroutable(why: string): void {
    this.context.counters.messagesUnroutable++;
    this.context.logger.debug(`vhost ${this.name}: dropped unroutable message: ${why}`);
  }
}

/** The vhosts clients name in CONNECT `host`; any name unless a list is configured. */
export class VhostRegistry {
  private readonly vhosts = new Map<string, VirtualHost>();

  constructor(
    private readonly context: VhostContext,
    private readonly allowed: readonly string[] | undefined,
  ) {
    for (const name of allowed ?? []) this.vhosts.set(name, new VirtualHost(name, context));
  }

  get(name: string): VirtualHost {
    const existing = this.vhosts.get(name);
    if (existing) return existing;
    if (this.allowed || this.vhosts.size >= this.context.limits.maxVhosts) {
      throw new StompError("Bad CONNECT", `Virtual host '${name}' access denied`);
    }
    const vhost = new VirtualHost(name, this.context);
    this.vhosts.set(name, vhost);
    return vhost;
  }

  all(): Iterable<VirtualHost> {
    return this.vhosts.values();
  }

  get size(): number {
    return this.vhosts.size;
  }
}

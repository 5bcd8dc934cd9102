import type { MessageQueue } from "./queue.js";
import { compileTopicPattern } from "./topic-matcher.js";

export type ExchangeType = "direct" | "topic" | "fanout";

export const EXCHANGE_TYPES: readonly ExchangeType[] = ["direct", "topic", "fanout"];

/** Routing results kept per routing key; MCollective uses a handful of keys per exchange. */
const ROUTE_CACHE_SIZE = 1024;

interface Binding {
  readonly matches: (routingKey: string) => boolean;
  readonly queues: Set<MessageQueue>;
}

/**
 * An AMQP exchange: routes a message to the queues whose binding key
 * matches its routing key. Direct compares keys, topic applies `*`/`#`
 * patterns, fanout ignores keys.
 */
export class Exchange {
  private readonly bindings = new Map<string, Binding>();
  private readonly routeCache = new Map<string, readonly MessageQueue[]>();

  constructor(
    readonly name: string,
    readonly type: ExchangeType,
  ) {}

  bind(queue: MessageQueue, bindingKey: string): void {
    let binding = this.bindings.get(bindingKey);
    if (!binding) {
      binding = { matches: this.matcher(bindingKey), queues: new Set() };
      this.bindings.set(bindingKey, binding);
    }
    binding.queues.add(queue);
    this.routeCache.clear();
  }

  unbind(queue: MessageQueue): void {
    for (const [key, binding] of this.bindings) {
      if (binding.queues.delete(queue) && binding.queues.size === 0) this.bindings.delete(key);
    }
    this.routeCache.clear();
  }

  route(routingKey: string): readonly MessageQueue[] {
    const cached = this.routeCache.get(routingKey);
    if (cached) return cached;
    const queues = new Set<MessageQueue>();
    if (this.type === "direct") {
      for (const queue of this.bindings.get(routingKey)?.queues ?? []) queues.add(queue);
    } else {
      for (const binding of this.bindings.values()) {
        if (binding.matches(routingKey)) for (const queue of binding.queues) queues.add(queue);
      }
    }
    const result = [...queues];
    if (this.routeCache.size >= ROUTE_CACHE_SIZE) this.routeCache.clear();
    this.routeCache.set(routingKey, result);
    return result;
  }

  private matcher(bindingKey: string): (routingKey: string) => boolean {
    if (this.type === "fanout") return () => true;
    if (this.type === "direct") return (key) => key === bindingKey;
    return compileTopicPattern(bindingKey);
  }
}

/**
 * The type an exchange gets when a client uses it before anyone declared
 * it: MCollective's layout has `<collective>_directed` direct and
 * `<collective>_broadcast` topic; the `amq.*` names are RabbitMQ's.
 */
export function defaultExchangeType(name: string): ExchangeType {
  if (name === "amq.fanout") return "fanout";
  if (name === "amq.direct" || name.endsWith("_directed")) return "direct";
  return "topic";
}

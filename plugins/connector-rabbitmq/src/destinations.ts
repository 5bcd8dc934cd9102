/**
 * MCollective 2.12's RabbitMQ naming (connector/rabbitmq.rb make_target):
 * per collective a topic exchange `<c>_broadcast` routed by agent name, and a
 * direct exchange `<c>_directed` routed by identity. Replies use RabbitMQ's
 * temp queues unless `use_reply_exchange` is set.
 */
export interface RabbitNaming {
  agentsMultiplex: boolean;
  useReplyExchange: boolean;
  identity: string;
  pid: number;
}

export function broadcastDestination(naming: RabbitNaming, collective: string, agent: string): string {
  return naming.agentsMultiplex
    ? `/exchange/${collective}_broadcast`
    : `/exchange/${collective}_broadcast/${agent}`;
}

export function directedDestination(collective: string, identity: string): string {
  return `/exchange/${collective}_directed/${identity}`;
}

/** Where a request asks its replies to go. */
export function replyDestination(naming: RabbitNaming, agent: string, requestSeq: number): string {
  return naming.useReplyExchange
    ? `/exchange/mcollective_reply/${naming.identity}_${naming.pid}_${requestSeq}`
    : `/temp-queue/mcollective_reply_${agent}`;
}

/** RabbitMQ's per-message ttl: MCollective allows ten seconds of slack past the message ttl. */
export function expiration(ttlSeconds: number): string {
  return String((ttlSeconds + 10) * 1000);
}

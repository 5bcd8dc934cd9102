import { randomBytes } from "node:crypto";

/** 22 URL-safe characters from 16 random bytes, the shape of RabbitMQ's generated names. */
function token(): string {
  return randomBytes(16).toString("base64url");
}

/** The `session` header of CONNECTED, also part of every message-id. */
export function newSessionId(): string {
  return `session-${token()}`;
}

/** The private queue behind a `/temp-queue/` reply-to (RabbitMQ: `amq.gen-…`). */
export function newTempQueueName(): string {
  return `amq.gen-${token()}`;
}

/** The exclusive queue behind an `/exchange/` or `/topic/` subscription. */
export function newSubscriptionQueueName(): string {
  return `stomp-subscription-${token()}`;
}

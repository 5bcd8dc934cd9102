import type { ConnectorState } from "@phobos/core";

/** A delivery, with STOMP-style headers whatever protocol brought it (`reply-to`, `mc_sender`, …). */
export interface TransportMessage {
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * What the rabbitmq connector needs from a wire protocol. Destinations are
 * RabbitMQ's STOMP destinations (`/exchange/<x>/<key>`, `/temp-queue/<name>`,
 * `/reply-queue/<queue>`) whatever the protocol, so that the connector names
 * things once and a STOMP peer and an AMQP peer understand each other's
 * `reply-to`. Both transports connect with failover and MCollective's
 * back-off, restore their subscriptions after a reconnect, and hold messages
 * sent while disconnected until their ttl passes.
 */
export interface MessageTransport {
  /** `stomp://user@host:port`, `amqp://user@host:port`: the broker in use. */
  describe(): string;
  connect(timeoutMs?: number): Promise<void>;
  disconnect(): Promise<void>;
  /** Subscribes now if connected, and again after every reconnect; the id unsubscribes. */
  subscribe(destination: string, headers: Record<string, string>): Promise<string>;
  unsubscribe(id: string): Promise<void>;
  /** Resolves once the broker has the message (AMQP: confirmed), or once it is held for a reconnect. */
  send(
    destination: string,
    headers: Record<string, string>,
    body: Uint8Array,
    ttlSeconds: number,
  ): Promise<void>;
  onMessage(handler: (message: TransportMessage) => void): void;
  onState(handler: (state: ConnectorState, detail: string) => void): void;
}

/** `plugin.rabbitmq.transport`: the protocol the connector speaks to RabbitMQ. */
export const TRANSPORTS = ["stomp", "amqp"] as const;
export type TransportName = (typeof TRANSPORTS)[number];

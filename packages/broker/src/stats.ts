/** Monotonic counters the broker's parts bump; `stats()` adds live gauges to a copy. */
export interface BrokerCounters {
  connectionsTotal: number;
  /** CONNECTs refused because `maxConnections` logged-in connections were open. */
  connectionsRejected: number;
  /** Connections that had not logged in, closed to make room (`maxPreauthConnections`, `maxPreauthPerAddress`). */
  preauthEvicted: number;
  /** New connections closed at once because their address exceeded `connectRatePerAddress`. */
  preauthRateLimited: number;
  /** Connections closed for not completing CONNECT within `connectTimeoutMs`. */
  preauthTimeouts: number;
  /** Connections the OS handed over past the listener's hard cap, closed before any work. */
  connectionsDropped: number;
  authFailures: number;
  /** Connections closed with an ERROR frame (malformed frame, bad header, limit hit…). */
  errorsSent: number;
  /** Connections closed because the peer's heart-beats stopped. */
  heartbeatTimeouts: number;
  /** SEND frames accepted (inside a transaction: at COMMIT). */
  messagesPublished: number;
  /** Published messages no queue was bound for (includes sends to a deleted temp queue). */
  messagesUnroutable: number;
  /** MESSAGE frames written. */
  messagesDelivered: number;
  messagesAcked: number;
  messagesRequeued: number;
  /** Dropped because their `expiration` passed while buffered. */
  messagesExpired: number;
  /** Dropped because a queue or the broker-wide buffer was full (absent or slow consumers). */
  messagesDropped: number;
}

export function newCounters(): BrokerCounters {
  return {
    connectionsTotal: 0,
    connectionsRejected: 0,
    preauthEvicted: 0,
    preauthRateLimited: 0,
    preauthTimeouts: 0,
    connectionsDropped: 0,
    authFailures: 0,
    errorsSent: 0,
    heartbeatTimeouts: 0,
    messagesPublished: 0,
    messagesUnroutable: 0,
    messagesDelivered: 0,
    messagesAcked: 0,
    messagesRequeued: 0,
    messagesExpired: 0,
    messagesDropped: 0,
  };
}

export interface BrokerStats extends Readonly<BrokerCounters> {
  /** Open client connections, logged in or not (TLS handshakes in progress excluded). */
  readonly connections: number;
  /** Connections that completed CONNECT (bounded by `maxConnections`). */
  readonly authenticatedConnections: number;
  /** Connections waiting to log in, TLS handshakes included (bounded by `maxPreauthConnections`). */
  readonly preauthConnections: number;
  /** The most connections that ever waited to log in at once. */
  readonly preauthPeak: number;
  readonly vhosts: number;
  readonly exchanges: number;
  readonly queues: number;
  readonly subscriptions: number;
  /** Messages waiting in queues. */
  readonly bufferedMessages: number;
  /** Bytes of messages waiting in queues (bounded by `maxBufferedBytes`). */
  readonly bufferedBytes: number;
  /** Outbound bytes written but not yet taken by peers, all connections. */
  readonly pendingBytes: number;
  /** The largest per-connection outbound backlog (bounded by about `maxPendingBytes`). */
  readonly maxConnectionPendingBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Every resource a client can make the broker hold is capped, so no client,
 * however broken or hostile, can exhaust the host. Per-connection memory is
 * at most `maxPendingBytes` (+ one frame) of unsent output plus one inbound
 * frame; buffered messages across all queues at most `maxBufferedBytes`.
 */
export interface BrokerLimits {
  /** Largest inbound frame (command, headers and body) in bytes; more is an ERROR and a close. */
  readonly maxFrameSize: number;
  /** Most header lines in one inbound frame. */
  readonly maxHeaders: number;
  /** Largest inbound header block (command line + header lines) in bytes. */
  readonly maxHeaderBytes: number;
  /**
   * Outbound bytes a connection may have waiting for its peer to read. Past
   * it the connection is a slow consumer: nothing more is written to it (its
   * messages wait in their queues, where the queue caps apply) and its
   * input is not read until it catches up.
   */
  readonly maxPendingBytes: number;
  /** Messages one queue buffers for consumers that are absent or slow; the oldest go first. */
  readonly maxQueueMessages: number;
  /** Bytes one queue buffers; the oldest messages go first. */
  readonly maxQueueBytes: number;
  /** Bytes all queues of all vhosts buffer together; new messages are dropped beyond it. */
  readonly maxBufferedBytes: number;
  /** Unacknowledged messages per client-ack subscription that has no `prefetch-count`. */
  readonly maxUnacked: number;
  /**
   * Concurrent logged-in connections; a CONNECT beyond it gets an ERROR and
   * a close. Connections that have not logged in do not count here (see
   * `maxPreauthConnections`), so they cannot lock clients out.
   */
  readonly maxConnections: number;
  /**
   * Connections that have not completed CONNECT yet (TLS handshake
   * included). When full, the one waiting longest is closed to make room.
   */
  readonly maxPreauthConnections: number;
  /** The same, per remote address (an IPv6 /64 counts as one address). */
  readonly maxPreauthPerAddress: number;
  /** New connections one address may open per second, sustained; more are closed at once. 0: no limit. */
  readonly connectRatePerAddress: number;
  /** New connections one address may open in a burst, after which `connectRatePerAddress` applies. */
  readonly connectBurstPerAddress: number;
  /** Subscriptions per connection. */
  readonly maxSubscriptions: number;
  /** Distinct `/temp-queue/` reply queues per connection. */
  readonly maxTempQueues: number;
  /** Open transactions per connection. */
  readonly maxTransactions: number;
  /** Frame bytes buffered in the open transactions of one connection. */
  readonly maxTransactionBytes: number;
  /** Queues per virtual host (subscription, temp and named queues). */
  readonly maxQueues: number;
  /** Exchanges per virtual host. */
  readonly maxExchanges: number;
  /** Virtual hosts created on demand when no vhost list is configured. */
  readonly maxVhosts: number;
  /** Shortest heart-beat interval the broker agrees to, in ms, either way. */
  readonly heartbeatMinMs: number;
  /** A peer is dead after this many of its heart-beat intervals without a byte. */
  readonly heartbeatGrace: number;
  /** A connection must complete its TLS handshake and send CONNECT within this many ms. */
  readonly connectTimeoutMs: number;
}

export const DEFAULT_LIMITS: BrokerLimits = {
  maxFrameSize: 4 * MiB,
  maxHeaders: 128,
  maxHeaderBytes: 64 * KiB,
  maxPendingBytes: 4 * MiB,
  maxQueueMessages: 10_000,
  maxQueueBytes: 16 * MiB,
  maxBufferedBytes: 256 * MiB,
  maxUnacked: 10_000,
  maxConnections: 4096,
  maxPreauthConnections: 1024,
  maxPreauthPerAddress: 128,
  connectRatePerAddress: 100,
  connectBurstPerAddress: 200,
  maxSubscriptions: 1024,
  maxTempQueues: 1024,
  maxTransactions: 64,
  maxTransactionBytes: 16 * MiB,
  maxQueues: 10_000,
  maxExchanges: 1000,
  maxVhosts: 100,
  heartbeatMinMs: 1000,
  heartbeatGrace: 2,
  connectTimeoutMs: 10_000,
};

/** Lower bounds below which the broker would not work (e.g. a frame smaller than its headers). */
const MINIMUMS: Partial<Record<keyof BrokerLimits, number>> = {
  maxFrameSize: 1024,
  maxHeaderBytes: 256,
  maxHeaders: 8,
  maxPendingBytes: 64 * KiB,
  heartbeatGrace: 1,
  maxPreauthConnections: 1,
  maxPreauthPerAddress: 1,
  connectBurstPerAddress: 1,
};

export function resolveLimits(overrides: Partial<BrokerLimits> | undefined): BrokerLimits {
  const limits: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (!(key in DEFAULT_LIMITS)) {
      throw new TypeError(`unknown broker limit '${key}' (known: ${Object.keys(DEFAULT_LIMITS).join(", ")})`);
    }
    if (value === undefined) continue;
    const min = MINIMUMS[key as keyof BrokerLimits] ?? 0;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
      throw new TypeError(`broker limit ${key} must be a number >= ${min}, got ${String(value)}`);
    }
    limits[key] = value;
  }
  return limits as unknown as BrokerLimits;
}

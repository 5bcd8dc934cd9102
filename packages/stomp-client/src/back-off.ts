export interface ReconnectPolicy {
  /** First delay between attempts (MCollective's `initial_reconnect_delay`, 0.01 s). */
  initialDelayMs: number;
  /** `back_off_multiplier` (2). */
  multiplier: number;
  /** `max_reconnect_delay` (30 s). */
  maxDelayMs: number;
  /** `max_reconnect_attempts`; 0 retries forever. */
  maxAttempts: number;
  /** `use_exponential_back_off` (true). */
  exponential: boolean;
}

/** How long a connection must last before a later reconnect starts again from the initial delay. */
export const STABLE_CONNECTION_MS = 5_000;

/**
 * The stomp gem's reconnect back-off, shared by every transport: the first
 * retry after `initial_reconnect_delay`, each next one `back_off_multiplier`
 * times longer up to `max_reconnect_delay` (or always the initial delay
 * without `use_exponential_back_off`), at most `max_reconnect_attempts`
 * attempts in a row. Only a connection that lasted restarts the delays: one
 * the broker closes right after it opened (a refused subscription) must not,
 * or the process reconnects in a tight loop.
 */
export class ReconnectBackOff {
  readonly #policy: ReconnectPolicy;
  readonly #stableMs: number;
  #nextDelayMs: number;
  #attempts = 0;
  #connectedAt: number | undefined;

  constructor(policy: ReconnectPolicy, stableMs = STABLE_CONNECTION_MS) {
    this.#policy = policy;
    this.#stableMs = stableMs;
    this.#nextDelayMs = policy.initialDelayMs;
  }

  /** Attempts made since the last connection (the one under way included). */
  get attempts(): number {
    return this.#attempts;
  }

  /** True once `max_reconnect_attempts` attempts have failed in a row. */
  get exhausted(): boolean {
    return this.#policy.maxAttempts > 0 && this.#attempts >= this.#policy.maxAttempts;
  }

  /** Counts a connection attempt; returns its number. */
  attempt(): number {
    return ++this.#attempts;
  }

  /** The wait before the next attempt; the one after it is longer. */
  nextDelay(): number {
    const delay = this.#nextDelayMs;
    if (this.#policy.exponential) {
      this.#nextDelayMs = Math.min(this.#nextDelayMs * this.#policy.multiplier, this.#policy.maxDelayMs);
    }
    return delay;
  }

  /** A connection is up: the attempts count starts again. */
  connected(now = Date.now()): void {
    this.#connectedAt = now;
    this.#attempts = 0;
  }

  /** The connection went: the delays start again if it had lasted. */
  disconnected(now = Date.now()): void {
    if (this.#connectedAt !== undefined && now - this.#connectedAt >= this.#stableMs) {
      this.#nextDelayMs = this.#policy.initialDelayMs;
    }
    this.#connectedAt = undefined;
  }
}

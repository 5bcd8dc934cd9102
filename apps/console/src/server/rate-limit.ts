/**
 * Failed sign-ins counted per key (the client address, and the login tried)
 * in a fixed window: past the limit a key is refused with 429 and the
 * seconds to wait, whether or not the next password would be right, so a
 * guesser learns nothing. A success clears its login's count.
 */
export class FailureLimiter {
  readonly #failures = new Map<string, { count: number; since: number }>();

  constructor(
    readonly limit: number,
    readonly windowSeconds: number,
    readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `key` may try again, or 0. */
  blockedFor(key: string): number {
    const entry = this.#failures.get(key);
    if (!entry) return 0;
    const left = entry.since + this.windowSeconds * 1000 - this.now();
    if (left <= 0) {
      this.#failures.delete(key);
      return 0;
    }
    return entry.count >= this.limit ? Math.ceil(left / 1000) : 0;
  }

  fail(key: string): void {
    const entry = this.#failures.get(key);
    if (!entry || entry.since + this.windowSeconds * 1000 <= this.now()) {
      this.#failures.set(key, { count: 1, since: this.now() });
    } else {
      entry.count++;
    }
  }

  clear(key: string): void {
    this.#failures.delete(key);
  }
}

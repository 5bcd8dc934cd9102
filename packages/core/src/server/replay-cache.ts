/**
 * Request ids a daemon has accepted recently, so the same signed request
 * sent again (a replay) is refused. An id is kept until its request would
 * be refused as expired anyway (msgtime + ttl), so the cache holds about one
 * ttl window of traffic; beyond `capacity` the oldest entries go first and
 * the daemon says so, since a replay of an evicted id would then pass.
 */
export interface ReplaySighting {
  /** Epoch seconds when the id was first accepted. */
  firstSeen: number;
}

export class ReplayCache {
  readonly capacity: number;
  /** Insertion order is arrival order: eviction takes from the front. */
  readonly #seen = new Map<string, { firstSeen: number; expiresAt: number }>();
  #evictedLive = 0;

  constructor(capacity = 100_000) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`replay cache capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Ids dropped while still inside their window (capacity too small for the traffic). */
  get evictedLive(): number {
    return this.#evictedLive;
  }

  /**
   * Records `id` as accepted at `now` and valid until `expiresAt` (epoch
   * seconds). Returns the earlier sighting when `id` is already known.
   */
  check(id: string, expiresAt: number, now: number): ReplaySighting | undefined {
    const earlier = this.#seen.get(id);
    if (earlier !== undefined && earlier.expiresAt >= now) return { firstSeen: earlier.firstSeen };
    if (earlier !== undefined) this.#seen.delete(id);
    if (this.#seen.size >= this.capacity) this.#makeRoom(now);
    this.#seen.set(id, { firstSeen: now, expiresAt });
    return undefined;
  }

  #makeRoom(now: number): void {
    for (const [id, entry] of this.#seen) {
      if (entry.expiresAt < now) this.#seen.delete(id);
    }
    while (this.#seen.size >= this.capacity) {
      const oldest = this.#seen.keys().next();
      if (oldest.done) break;
      this.#seen.delete(oldest.value);
      this.#evictedLive++;
    }
  }
}

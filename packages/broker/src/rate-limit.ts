export interface RateLimitOptions {
  /** Sustained admissions per second per key; 0 turns the limit off. */
  readonly perSecond: number;
  /** Admissions a key may make at once after being quiet (the bucket's size). */
  readonly burst: number;
  /**
   * Keys remembered at most, so a flood from many addresses cannot grow the
   * table without bound; past it the key unused longest is forgotten.
   */
  readonly maxKeys: number;
  /** Monotonic milliseconds. */
  readonly now: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key (a remote address): each admission takes a token,
 * tokens come back at `perSecond` up to `burst`. Time is read only through
 * `now`, so its behaviour can be tested step by step without waiting.
 */
export class RateLimiter {
  /** Insertion order is last-use order: a key is moved to the end whenever it is used. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: RateLimitOptions) {
    if (!(options.burst >= 1)) throw new RangeError(`rate limit burst must be >= 1, got ${options.burst}`);
    if (!(options.perSecond >= 0)) {
      throw new RangeError(`rate limit perSecond must be >= 0, got ${options.perSecond}`);
    }
    if (!(options.maxKeys >= 1))
      throw new RangeError(`rate limit maxKeys must be >= 1, got ${options.maxKeys}`);
  }

  /** Keys currently remembered. */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes a token for `key`; false when its bucket is empty (the caller refuses). */
  take(key: string): boolean {
    if (this.options.perSecond === 0) return true;
    const at = this.options.now();
    const known = this.buckets.get(key);
    const bucket = known ? this.refill(known, at) : { tokens: this.options.burst, at };
    this.buckets.delete(key);
    if (!known && this.buckets.size >= this.options.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private refill(bucket: Bucket, at: number): Bucket {
    const elapsed = Math.max(0, at - bucket.at);
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + (elapsed * this.options.perSecond) / 1000);
    bucket.at = Math.max(bucket.at, at);
    return bucket;
  }
}

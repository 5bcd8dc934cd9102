import { createHash } from "node:crypto";
import type { JournalEntry, ReplayJournal } from "./replay-journal.js";

/**
 * Requests a daemon has accepted recently, so the same signed request sent
 * again (a replay) is refused. A key is what the security plugin signed
 * that tells one request from another (or, where it signs none, the request
 * id); it is kept until its request would be refused as expired anyway
 * (msgtime + ttl), so the cache holds about one ttl window of traffic;
 * beyond `capacity` the oldest entries go first and the daemon says so,
 * since a replay of an evicted key would then pass. With a journal, every
 * accepted key is on disk before the request runs, and a restarted daemon
 * starts from the journal's live entries.
 */
export interface ReplaySighting {
  /** Epoch seconds when the key was first accepted. */
  firstSeen: number;
}

export interface ReplayCacheOptions {
  journal?: ReplayJournal;
  /** A journal write failed: the cache goes on in memory only (told once). */
  onJournalError?: (err: Error) => void;
}

/** Keys are digested: a request id is whatever the sender wrote, the journal holds none of it. */
export function replayDigest(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("base64url");
}

export class ReplayCache {
  readonly capacity: number;
  /** Insertion order is arrival order: eviction takes from the front. */
  readonly #seen = new Map<string, { firstSeen: number; expiresAt: number }>();
  #evictedLive = 0;
  #journal: ReplayJournal | undefined;
  readonly #onJournalError: ((err: Error) => void) | undefined;
  #compactAt: number;

  constructor(capacity = 100_000, options: ReplayCacheOptions = {}) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`replay cache capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.#journal = options.journal;
    this.#onJournalError = options.onJournalError;
    this.#compactAt = 2 * (options.journal?.lines ?? 0) + 1024;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** Keys dropped while still inside their window (capacity too small for the traffic). */
  get evictedLive(): number {
    return this.#evictedLive;
  }

  /** Where accepted keys are kept across restarts; undefined when only in memory. */
  get journalPath(): string | undefined {
    return this.#journal?.path;
  }

  /** Takes in what a journal held (oldest first), as if each had been accepted then. */
  restore(entries: readonly JournalEntry[]): void {
    for (const e of entries) {
      this.#seen.delete(e.digest);
      this.#seen.set(e.digest, { firstSeen: e.firstSeen, expiresAt: e.expiresAt });
    }
    while (this.#seen.size > this.capacity) {
      const oldest = this.#seen.keys().next();
      if (oldest.done) break;
      this.#seen.delete(oldest.value);
    }
  }

  /**
   * Records `key` as accepted at `now` and valid until `expiresAt` (epoch
   * seconds). Returns the earlier sighting when `key` is already known.
   */
  check(key: string, expiresAt: number, now: number): ReplaySighting | undefined {
    const digest = replayDigest(key);
    const earlier = this.#seen.get(digest);
    if (earlier !== undefined && earlier.expiresAt >= now) return { firstSeen: earlier.firstSeen };
    if (earlier !== undefined) this.#seen.delete(digest);
    if (this.#seen.size >= this.capacity) this.#makeRoom(now);
    this.#seen.set(digest, { firstSeen: now, expiresAt });
    this.#persist({ digest, firstSeen: now, expiresAt }, now);
    return undefined;
  }

  /** Stops writing the journal (the daemon is stopping). */
  close(): void {
    const journal = this.#journal;
    this.#journal = undefined;
    try {
      journal?.close();
    } catch {
      // Every line was written as it came: nothing is lost by a failed close.
    }
  }

  #persist(entry: JournalEntry, now: number): void {
    const journal = this.#journal;
    if (journal === undefined) return;
    try {
      journal.append(entry);
      // Rewritten after at least as many appends as it had lines: the file
      // stays about one ttl window long, at a constant cost per request.
      if (journal.lines >= this.#compactAt) {
        for (const [digest, e] of this.#seen) if (e.expiresAt < now) this.#seen.delete(digest);
        journal.compact(
          [...this.#seen].map(([digest, e]) => ({ digest, firstSeen: e.firstSeen, expiresAt: e.expiresAt })),
        );
        this.#compactAt = 2 * journal.lines + 1024;
      }
    } catch (err) {
      this.close();
      this.#onJournalError?.(err as Error);
    }
  }

  #makeRoom(now: number): void {
    for (const [key, entry] of this.#seen) {
      if (entry.expiresAt < now) this.#seen.delete(key);
    }
    while (this.#seen.size >= this.capacity) {
      const oldest = this.#seen.keys().next();
      if (oldest.done) break;
      this.#seen.delete(oldest.value);
      this.#evictedLive++;
    }
  }
}

import type { Facts, FactsSource, Logger } from "@phobos/core";
import { normalizeFacts } from "@phobos/core";

// Moved to core so discovery over recorded facts (the registry) looks facts up as daemons do.
export { lookupFact, normalizeFacts } from "@phobos/core";

/**
 * Core's facts policy (Facts::Base in MCollective): cache for
 * `fact_cache_time` seconds or until the source says it changed; on a failed
 * load log why and keep serving the last good facts.
 */
export class FactsCache {
  readonly #source: FactsSource;
  readonly #cacheTime: number;
  readonly #log: Logger;
  #facts: Facts = {};
  #loadedAt = Number.NEGATIVE_INFINITY;
  #loading: Promise<Facts> | undefined;

  constructor(source: FactsSource, options: { cacheTimeSeconds: number; log: Logger }) {
    this.#source = source;
    this.#cacheTime = options.cacheTimeSeconds * 1000;
    this.#log = options.log;
  }

  /** The facts as last loaded, without waiting (empty before the first load). */
  get current(): Facts {
    return this.#facts;
  }

  async get(): Promise<Facts> {
    if (this.#loading) return this.#loading;
    const stale = Date.now() - this.#loadedAt > this.#cacheTime;
    let changed = false;
    if (!stale && this.#source.changed) {
      try {
        changed = await this.#source.changed();
      } catch (err) {
        this.#log.debug(`could not tell whether facts changed: ${(err as Error).message}`);
      }
    }
    if (!stale && !changed) return this.#facts;
    this.#loading = this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<Facts> {
    try {
      const loaded = await this.#source.load();
      if (!loaded || typeof loaded !== "object" || Object.keys(loaded).length === 0)
        throw new Error("Got empty facts");
      this.#facts = normalizeFacts(loaded) as Facts;
    } catch (err) {
      this.#log.error(
        `Failed to load facts: ${(err as Error).message}; ${Object.keys(this.#facts).length > 0 ? "keeping the last good facts" : "no facts known yet"}`,
      );
    }
    this.#loadedAt = Date.now();
    return this.#facts;
  }
}

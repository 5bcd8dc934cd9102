import type { Facts, FactsSource, FactValue, Logger } from "@phobos/core";
import { rubyToS } from "@phobos/core";

/** MCollective's normalize_facts: keys and leaf values become Strings, structure stays. */
export function normalizeFacts(value: unknown): FactValue {
  if (Array.isArray(value)) return value.map(normalizeFacts);
  if (value instanceof Map || isPlainObject(value)) {
    const out: Record<string, FactValue> = {};
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    for (const [k, v] of entries) out[rubyToS(k)] = normalizeFacts(v);
    return out;
  }
  return rubyToS(value);
}

/** A Hash from YAML or JSON; a Ruby value object (a Float, a binary String) is a leaf. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A fact by name: the exact key first (MCollective's flat lookup), then a
 * dotted path into structured facts (`networking.ip`, `disks.0.size`).
 */
export function lookupFact(facts: Facts, name: string): FactValue | undefined {
  if (Object.hasOwn(facts, name)) return facts[name];
  if (!name.includes(".")) return undefined;
  let node: FactValue | undefined = facts;
  for (const part of name.split(".")) {
    if (Array.isArray(node) && /^\d+$/.test(part)) node = node[Number(part)];
    else if (node !== null && typeof node === "object" && !Array.isArray(node) && Object.hasOwn(node, part)) {
      node = node[part];
    } else return undefined;
  }
  return node;
}

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

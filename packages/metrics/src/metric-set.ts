import type * as PromClient from "prom-client";

/** The prom-client module, as the endpoint loaded it: a set never imports it itself. */
export type Prom = typeof PromClient;
export type PromRegistry = PromClient.Registry;

/**
 * A group of metrics one part of Phobos owns (the daemon's requests, the
 * broker's connections, the registry's nodes). `register` creates them in
 * the endpoint's registry with the prom-client the endpoint loaded, so a
 * set costs nothing while metrics are off: the package that defines it
 * imports only types from prom-client. It may return a function that
 * undoes what it hooked (a listener on a stats object); the metrics
 * themselves are removed from the registry by the endpoint.
 */
export interface MetricSet {
  /** Names the set in log lines and errors: `mcollectived`, `broker`, `registry`. */
  readonly name: string;
  register(prom: Prom, registry: PromRegistry): undefined | (() => void);
}

/** A metric set, frozen, with its type checked where it is written. */
export function defineMetricSet(set: MetricSet): MetricSet {
  return Object.freeze({ ...set });
}

/**
 * A counter whose value is read from `read()` at each scrape: the number is
 * kept once, where it is counted (a stats object), never counted twice.
 */
export function counterReadAtScrape(
  prom: Prom,
  registry: PromRegistry,
  name: string,
  help: string,
  read: () => number,
): void {
  new prom.Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

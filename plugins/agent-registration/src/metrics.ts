import { defineMetricSet, type MetricSet, type Prom, type PromRegistry } from "@phobos/metrics";
import type { ReceiverCounters, RegistrationReceiver } from "./receiver.js";

/** The receiver's counters as they are kept: `phobos_registry_<name>_total`, read at each scrape. */
const COUNTERS: ReadonlyArray<[name: string, help: string, read: (c: ReceiverCounters) => number]> = [
  ["registrations", "Registration messages handled (the ingest rate is its rate())", (c) => c.messages],
  [
    "refused",
    "Registration messages refused: a body of the wrong shape or a sender that is no identity",
    (c) => c.refused,
  ],
  [
    "facts_dropped",
    "Registrations stored without their facts, which were over max_facts_size",
    (c) => c.factsDropped,
  ],
  [
    "dropped",
    "Registrations not stored: the write queue was full, or the database was not open",
    (c) => (c.store?.dropped ?? 0) + c.notOpen,
  ],
  ["written", "Node rows written to the database", (c) => c.store?.written ?? 0],
  [
    "failed_flushes",
    "Batches the database refused (kept queued and retried)",
    (c) => c.store?.failedFlushes ?? 0,
  ],
  ["expired", "Nodes deleted after expire_after", (c) => c.store?.expired ?? 0],
];

function readCounter(prom: Prom, registry: PromRegistry, name: string, help: string, read: () => number) {
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

/**
 * The registry's metrics, on the endpoint of the daemon that runs the
 * receiver: registrations handled, refused and dropped (the ingest rate is
 * `rate(phobos_registry_registrations_total[5m])`), rows written, the
 * write queue, and the nodes the registry holds, live and stale — read
 * from the database at each scrape (identities and times only, no facts);
 * a database that cannot be read leaves the node gauge out of that scrape.
 */
export function registrationMetricSet(receiver: RegistrationReceiver): MetricSet {
  return defineMetricSet({
    name: "registry",
    register(prom, registry) {
      for (const [name, help, read] of COUNTERS) {
        readCounter(prom, registry, `phobos_registry_${name}_total`, help, () => read(receiver.counters()));
      }
      new prom.Gauge({
        name: "phobos_registry_queued",
        help: "Nodes waiting in the write queue",
        registers: [registry],
        collect() {
          this.set(receiver.counters().store?.queued ?? 0);
        },
      });
      new prom.Gauge({
        name: "phobos_registry_nodes",
        help: "Nodes in the registry, by state (stale: not heard from for longer than stale_after)",
        labelNames: ["state"],
        registers: [registry],
        async collect() {
          this.reset();
          const store = receiver.store;
          if (store === undefined) return;
          try {
            const nodes = await store.nodes({ facts: [] });
            const stale = nodes.filter((node) => node.stale).length;
            this.set({ state: "live" }, nodes.length - stale);
            this.set({ state: "stale" }, stale);
          } catch {
            // The receiver logs a database that is down; a scrape only goes without the count.
          }
        },
      });
      return undefined;
    },
  });
}

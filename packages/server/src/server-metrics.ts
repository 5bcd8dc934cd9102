import { counterReadAtScrape, defineMetricSet, type MetricSet } from "@phobos/metrics";
import type { ServerStats } from "./stats.js";

/** Seconds: rpcutil answers in a millisecond, a puppet run takes minutes. */
const DURATION_BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.5, 1, 2.5, 10, 30, 60, 300];

/** The counters exposed as they are kept: `mcollectived_<name>_total`, with what each counts. */
const COUNTERS: ReadonlyArray<[name: string, help: string, read: (s: ServerStats) => number]> = [
  ["requests", "Messages received (daemon_stats total)", (s) => s.total],
  ["validated", "Messages the security plugin verified", (s) => s.validated],
  ["unvalidated", "Messages the security plugin refused", (s) => s.unvalidated],
  ["passed", "Requests whose filter matched this node", (s) => s.passed],
  ["filtered", "Requests whose filter did not match this node", (s) => s.filtered],
  ["replies", "Replies sent", (s) => s.replies],
  ["ttl_expired", "Requests refused as too old, too long-lived or dated in the future", (s) => s.ttlexpired],
  ["malformed", "Messages that could not be decoded or had no usable shape", (s) => s.malformed],
  ["unknown_agent", "Requests for an agent this node does not run", (s) => s.unknownAgent],
  ["denied", "Requests the authorization plugin refused", (s) => s.denied],
  ["failed", "Actions that threw or timed out", (s) => s.failed],
  ["replayed", "Requests refused as replays", (s) => s.replayed],
];

/**
 * mcollectived's metrics: its ServerStats counters, requests per agent
 * action and how long actions took. `mcollectived_` because that is the
 * process an MCollective operator knows; the names follow daemon_stats.
 */
export function serverMetricSet(stats: ServerStats): MetricSet {
  return defineMetricSet({
    name: "mcollectived",
    register(prom, registry) {
      for (const [name, help, read] of COUNTERS) {
        counterReadAtScrape(prom, registry, `mcollectived_${name}_total`, help, () => read(stats));
      }
      new prom.Gauge({
        name: "mcollectived_start_time_seconds",
        help: "When the daemon started (daemon_stats starttime), in seconds since the epoch",
        registers: [registry],
      }).set(stats.starttime);
      new prom.Counter({
        name: "mcollectived_action_requests_total",
        help: "Requests run per agent and action (`unknown` for an action the agent's DDL does not declare)",
        labelNames: ["agent", "action"],
        registers: [registry],
        collect() {
          this.reset();
          for (const { agent, action, count } of stats.actions.values()) this.inc({ agent, action }, count);
        },
      });
      const durations = new prom.Histogram({
        name: "mcollectived_action_duration_seconds",
        help: "How long agent actions took, from the start of authorization to the reply being ready",
        labelNames: ["agent", "action"],
        buckets: DURATION_BUCKETS,
        registers: [registry],
      });
      return stats.onAction((agent, action, seconds) => durations.observe({ agent, action }, seconds));
    },
  });
}

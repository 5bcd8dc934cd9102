import { counterReadAtScrape, defineMetricSet, type MetricSet } from "@phobos/metrics";
import type { RunningBroker } from "./broker.js";
import type { BrokerCounters, BrokerStats } from "./stats.js";

type Counter = keyof BrokerCounters;
type Gauge = Exclude<keyof BrokerStats, Counter>;

/** `phobos_broker_<name>_total`: the broker's own counters, read at each scrape. */
const COUNTERS: ReadonlyArray<[name: string, counter: Counter, help: string]> = [
  ["connections", "connectionsTotal", "Connections accepted"],
  ["connections_rejected", "connectionsRejected", "Logins refused because max_connections were open"],
  ["connections_dropped", "connectionsDropped", "Connections closed at once, past the listener's hard cap"],
  ["preauth_evicted", "preauthEvicted", "Connections not yet logged in, closed to make room"],
  ["preauth_rate_limited", "preauthRateLimited", "Connections refused by connect_rate_per_address"],
  ["preauth_timeouts", "preauthTimeouts", "Connections that did not log in within connect_timeout"],
  ["auth_failures", "authFailures", "Logins refused for a wrong user or password"],
  ["errors_sent", "errorsSent", "Connections closed with an ERROR frame"],
  ["heartbeat_timeouts", "heartbeatTimeouts", "Connections closed because heart-beats stopped"],
  ["messages_published", "messagesPublished", "Messages in: SEND frames accepted"],
  ["messages_delivered", "messagesDelivered", "Messages out: MESSAGE frames written"],
  ["messages_unroutable", "messagesUnroutable", "Messages published where no queue was bound"],
  ["messages_acked", "messagesAcked", "Messages acknowledged by consumers"],
  ["messages_requeued", "messagesRequeued", "Messages put back in their queue (consumer gone before ACK)"],
  ["messages_expired", "messagesExpired", "Messages dropped because their expiration passed in a queue"],
  ["messages_dropped", "messagesDropped", "Messages dropped because a queue or the broker's buffer was full"],
];

/** `phobos_broker_<name>`: what the broker holds now. */
const GAUGES: ReadonlyArray<[name: string, gauge: Gauge, help: string]> = [
  ["open_connections", "connections", "Open connections, logged in or not"],
  ["authenticated_connections", "authenticatedConnections", "Connections that logged in"],
  ["preauth_connections", "preauthConnections", "Connections waiting to log in"],
  ["subscriptions", "subscriptions", "Subscriptions of all connections"],
  ["vhosts", "vhosts", "Virtual hosts"],
  ["exchanges", "exchanges", "Exchanges of all virtual hosts"],
  ["queues", "queues", "Queues of all virtual hosts"],
  ["queued_messages", "bufferedMessages", "Messages waiting in queues, all queues"],
  ["queued_bytes", "bufferedBytes", "Bytes of messages waiting in queues (bounded by max_buffered_bytes)"],
  ["pending_bytes", "pendingBytes", "Bytes written to connections and not yet taken by the peers"],
];

/**
 * The embedded broker's metrics (@phobos/broker): connections,
 * subscriptions, messages in and out, dropped, and queue depths. A queue
 * gets its own `phobos_broker_queue_depth` series only while it holds
 * messages: a site has a queue per node and per client, and the backlog is
 * what an operator looks for.
 */
export function brokerMetricSet(broker: RunningBroker): MetricSet {
  return defineMetricSet({
    name: "broker",
    register(prom, registry) {
      for (const [name, counter, help] of COUNTERS) {
        counterReadAtScrape(
          prom,
          registry,
          `phobos_broker_${name}_total`,
          help,
          () => broker.stats()[counter],
        );
      }
      for (const [name, gauge, help] of GAUGES) {
        new prom.Gauge({
          name: `phobos_broker_${name}`,
          help,
          registers: [registry],
          collect() {
            this.set(broker.stats()[gauge]);
          },
        });
      }
      new prom.Gauge({
        name: "phobos_broker_queue_depth",
        help: "Messages waiting in one queue, for each queue that holds any",
        labelNames: ["vhost", "queue"],
        registers: [registry],
        collect() {
          this.reset();
          for (const { vhost, queue, depth } of broker.queues()) {
            if (depth > 0) this.set({ vhost, queue }, depth);
          }
        },
      });
      new prom.Gauge({
        name: "phobos_broker_queue_depth_max",
        help: "The deepest queue's depth",
        registers: [registry],
        collect() {
          this.set(Math.max(0, ...broker.queues().map((q) => q.depth)));
        },
      });
      return undefined;
    },
  });
}

/**
 * Two Debian ActiveMQ brokers in a network, as MCollective's middleware guide
 * draws one link of its star: the second broker holds a duplex pair of network
 * connectors (topics with conduit subscriptions, queues without) to the first
 * one's OpenWire port; the first needs no connector of its own.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PrivateActiveMq, startPrivateActiveMq } from "@phobos/interop";
import type { NetworkPorts } from "./ports.js";

export interface BrokerNetwork {
  /** The broker the daemons connect to first; it accepts the bridge. */
  readonly first: PrivateActiveMq;
  /** The client's broker; it opens the bridge to `first`. */
  readonly second: PrivateActiveMq;
  /** Stops both brokers and removes their directories. Idempotent. */
  dispose(): Promise<void>;
}

export interface BrokerNetworkOptions {
  readonly ports: NetworkPorts;
  /** The collectives whose topics and queues cross the bridge. */
  readonly collectives: readonly string[];
  /** The bridge's longest wait between attempts to reach a restarted peer, ms. */
  readonly maxReconnectMs?: number;
  /** How long a broker may take to listen, at the start and at a restart. */
  readonly startTimeoutMs: number;
}

export async function startBrokerNetwork(options: BrokerNetworkOptions): Promise<BrokerNetwork> {
  const { ports } = options;
  const dirPrefix = (n: number) => join(tmpdir(), `amq-network-b${n}-`);
  const { startTimeoutMs } = options;
  // Both at once: the second's connector retries until the first listens.
  const started = await Promise.allSettled([
    startPrivateActiveMq({
      port: ports.stomp[0],
      openwirePort: ports.openwire[0],
      dirPrefix: dirPrefix(1),
      startTimeoutMs,
    }),
    startPrivateActiveMq({
      port: ports.stomp[1],
      openwirePort: ports.openwire[1],
      network: [{ host: "127.0.0.1", port: ports.openwire[0] }],
      networkCollectives: options.collectives,
      ...(options.maxReconnectMs === undefined ? {} : { networkMaxReconnectMs: options.maxReconnectMs }),
      dirPrefix: dirPrefix(2),
      startTimeoutMs,
    }),
  ]);
  const brokers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed !== undefined) {
    await Promise.allSettled(brokers.map((b) => b.dispose()));
    throw failed.reason;
  }
  const [first, second] = brokers as [PrivateActiveMq, PrivateActiveMq];
  return {
    first,
    second,
    async dispose() {
      await Promise.all([first.dispose(), second.dispose()]);
    },
  };
}

/**
 * Whether a broker can route requests to daemons it may not host: what its
 * consumer advisories must show. Across the bridge a daemon on the peer shows
 * up as network consumers: one per topic (conduit subscriptions merge the
 * daemons), one per daemon on `<collective>.nodes` with that daemon's
 * `mc_identity` selector (the queue connector keeps them apart).
 */
import { type ActiveMqConsumer, type ActiveMqEndpoint, watchConsumers } from "@phobos/interop";

export interface DaemonDemand {
  readonly identity: string;
  readonly collectives: readonly string[];
  readonly agents: readonly string[];
}

/** What `consumers` lacks for each daemon to be reachable, e.g. `net-ruby1: queue://mcollective.nodes [mc_identity = 'net-ruby1']`. */
export function missingDemand(
  consumers: readonly ActiveMqConsumer[],
  daemons: readonly DaemonDemand[],
): string[] {
  const missing: string[] = [];
  const has = (destination: string, selector?: string) =>
    consumers.some(
      (c) => c.destination === destination && (selector === undefined || c.selector === selector),
    );
  for (const d of daemons) {
    const selector = `mc_identity = '${d.identity}'`;
    for (const collective of d.collectives) {
      const nodes = `queue://${collective}.nodes`;
      if (!has(nodes, selector)) missing.push(`${d.identity}: ${nodes} [${selector}]`);
      for (const agent of d.agents) {
        const topic = `topic://${collective}.${agent}.agent`;
        if (!has(topic)) missing.push(`${d.identity}: ${topic}`);
      }
    }
  }
  return missing;
}

/**
 * Waits until `endpoint`'s consumer advisories show every daemon reachable
 * from there (locally or across the bridge); the error lists what is missing.
 */
export async function waitForDemand(
  endpoint: ActiveMqEndpoint,
  daemons: readonly DaemonDemand[],
  timeoutMs: number,
): Promise<void> {
  const watch = await watchConsumers(endpoint, timeoutMs);
  try {
    await watch.until(
      (consumers) => (missingDemand(consumers, daemons).length === 0 ? true : undefined),
      "the daemons' subscriptions did not all show",
      timeoutMs,
    );
  } catch (error) {
    const missing = missingDemand(watch.consumers(), daemons);
    throw new Error(
      `${(error as Error).message}; ${endpoint.host}:${endpoint.port} still lacks:\n  ${missing.join("\n  ")}`,
      { cause: error },
    );
  } finally {
    await watch.close();
  }
}

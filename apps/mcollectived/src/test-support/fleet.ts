import type { RubyFleet } from "@phobos/interop";
import { eventually } from "./daemon.js";
import { type BrokerEndpoint, openRawClient, type RawClient } from "./raw-client.js";

/** Where the fleet's peers connect, for a raw client of the same site. */
export function fleetBroker(fleet: RubyFleet): BrokerEndpoint {
  const [pool] = fleet.broker.pool;
  if (!pool) throw new Error(`fleet ${fleet.vhost} has no broker`);
  return { host: pool.host, port: pool.port, vhost: fleet.vhost, user: pool.user, password: pool.password };
}

export function fleetPsk(fleet: RubyFleet): string {
  if (fleet.security.provider !== "psk") throw new Error("these tests run the fleet with psk");
  return fleet.security.psk;
}

export function openFleetClient(fleet: RubyFleet, identity?: string): Promise<RawClient> {
  return openRawClient({
    broker: fleetBroker(fleet),
    psk: fleetPsk(fleet),
    ...(identity === undefined ? {} : { identity }),
  });
}

export type Counters = Record<string, number>;
const COUNTERS = [
  "total",
  "validated",
  "unvalidated",
  "passed",
  "filtered",
  "replies",
  "ttlexpired",
] as const;

/**
 * The daemon_stats counters a node moved by since `before`, less what the
 * daemon_stats requests themselves moved (each counts once in total,
 * validated and passed, and its reply once in replies): polls until
 * `settled` accepts them, so a message still being handled is waited for.
 */
export async function countersSince(
  client: RawClient,
  node: string,
  before: Counters,
  settled: (delta: Counters) => boolean,
  timeoutMs = 10_000,
): Promise<Counters> {
  let polls = 0;
  let last: Counters = {};
  try {
    return await eventually(
      async () => {
        const now = await client.daemonStats(node);
        polls++;
        const overhead: Record<string, number> = {
          total: polls,
          validated: polls,
          passed: polls,
          replies: polls,
        };
        last = Object.fromEntries(
          COUNTERS.map((k) => [k, (now[k] ?? 0) - (before[k] ?? 0) - (overhead[k] ?? 0)]),
        );
        return settled(last) ? last : undefined;
      },
      `daemon_stats of ${node}`,
      timeoutMs,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}; counters moved by ${JSON.stringify(last)}`);
  }
}

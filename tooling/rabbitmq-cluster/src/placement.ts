/**
 * Where each daemon is subscribed, read from the cluster's own tables: the
 * bindings of `<collective>_directed` (routing key = identity) and
 * `<collective>_broadcast` (routing key = agent), joined with the node that
 * hosts each bound queue. The STOMP adapter makes one exclusive, transient
 * queue per subscription on the node the connection is on, so the queue's
 * node is the daemon's node. Queues of a dead or paused node are not counted
 * even while their records linger on the survivors.
 */
import type { RabbitMqAdmin } from "@phobos/connector-rabbitmq/setup";

export interface Placement {
  /** identity -> the node hosting its directed queue (only live nodes). */
  readonly directed: ReadonlyMap<string, string>;
  /** Identities with more than one live directed queue. */
  readonly doubled: readonly string[];
  /** agent -> live broadcast queues bound with it, per node. */
  readonly broadcast: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

interface QueueRow {
  readonly name: string;
  readonly node: string;
}

const segment = (s: string) => encodeURIComponent(s);

async function getJson(admin: RabbitMqAdmin, path: string): Promise<unknown> {
  const res = await fetch(`${admin.url}${path}`, {
    headers: {
      authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}`,
    },
    signal: AbortSignal.timeout(60_000),
  });
  if (!res.ok) throw new Error(`GET ${admin.url}${path}: HTTP ${res.status}`);
  return res.json();
}

/** The placement of every subscription in `vhost`, counting queues on `liveNodes` only. */
export async function readPlacement(
  admin: RabbitMqAdmin,
  vhost: string,
  collective: string,
  liveNodes: readonly string[],
): Promise<Placement> {
  const [queues, bindings] = await Promise.all([
    getJson(admin, `/api/queues/${segment(vhost)}?columns=name,node&disable_stats=true`) as Promise<
      QueueRow[]
    >,
    admin.listBindings(vhost),
  ]);
  const live = new Set(liveNodes);
  const nodeOf = new Map(queues.filter((q) => live.has(q.node)).map((q) => [q.name, q.node]));
  const directed = new Map<string, string>();
  const doubled: string[] = [];
  const broadcast = new Map<string, Map<string, number>>();
  for (const b of bindings) {
    if (b.destination_type !== "queue") continue;
    const node = nodeOf.get(b.destination);
    if (node === undefined) continue;
    if (b.source === `${collective}_directed`) {
      if (directed.has(b.routing_key)) doubled.push(b.routing_key);
      directed.set(b.routing_key, node);
    } else if (b.source === `${collective}_broadcast`) {
      const perNode = broadcast.get(b.routing_key) ?? new Map<string, number>();
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
      broadcast.set(b.routing_key, perNode);
    }
  }
  return { directed, doubled, broadcast };
}

/** What is still missing for every one of `identities` to be subscribed for `agents` on a live node. */
export function missingSubscriptions(
  placement: Placement,
  identities: readonly string[],
  agents: readonly string[],
): string[] {
  const missing: string[] = [];
  const absent = identities.filter((id) => !placement.directed.has(id));
  if (absent.length > 0) {
    missing.push(
      `${absent.length} directed queue(s) (${absent.slice(0, 5).join(", ")}${absent.length > 5 ? ", …" : ""})`,
    );
  }
  for (const agent of agents) {
    const n = [...(placement.broadcast.get(agent)?.values() ?? [])].reduce((a, b) => a + b, 0);
    if (n < identities.length) missing.push(`${identities.length - n} broadcast queue(s) for ${agent}`);
  }
  return missing;
}

/** Daemons per node (from their directed queues), e.g. { "phobos-c1@…": 340, … }. */
export function daemonsPerNode(placement: Placement, identities: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of identities) {
    const node = placement.directed.get(id);
    if (node !== undefined) counts[node] = (counts[node] ?? 0) + 1;
  }
  return counts;
}

/**
 * Polls until every identity is subscribed (directed + each agent) on live
 * nodes, or throws after `timeoutMs` naming what is missing.
 */
export async function waitForSubscriptions(options: {
  readonly admin: () => RabbitMqAdmin;
  readonly vhost: string;
  readonly collective: string;
  readonly liveNodes: readonly string[];
  readonly identities: readonly string[];
  readonly agents: readonly string[];
  readonly timeoutMs: number;
  readonly intervalMs?: number;
}): Promise<Placement> {
  const deadline = Date.now() + options.timeoutMs;
  let last = "no answer from the management API yet";
  for (;;) {
    try {
      const p = await readPlacement(options.admin(), options.vhost, options.collective, options.liveNodes);
      const missing = missingSubscriptions(p, options.identities, options.agents);
      if (missing.length === 0) return p;
      last = `missing ${missing.join("; ")}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `after ${options.timeoutMs} ms the daemons are not all subscribed on ${options.liveNodes.join(", ")}: ${last}`,
      );
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
}

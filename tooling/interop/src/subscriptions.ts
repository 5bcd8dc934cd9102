/**
 * When is a daemon on the rabbitmq connector ready? When RabbitMQ has bound its
 * queues: one to `<collective>_directed` with its identity as routing key, and one to
 * `<collective>_broadcast` per agent, for every collective (WIRE.md §2). Bindings are
 * read from the broker's tables, not its statistics, so they show the moment the
 * SUBSCRIBE is processed: a readiness signal with no sleeps. A Phobos daemon makes the
 * same subscriptions, so the same wait applies to it.
 *
 * A broadcast binding cannot be traced to its daemon (the STOMP adapter names each
 * queue `stomp-subscription-<random>` and records no owner until its statistics
 * arrive, seconds later). So readiness is counted: N daemons expecting
 * `mcollective_broadcast/rpcutil` are ready when N queues bound with that key exist that
 * were not there before they started. Starts in one vhost therefore go through
 * {@link withSubscriptionGate}, one batch at a time; start many daemons in one batch.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Binding, RabbitMqAdmin } from "@phobos/connector-rabbitmq/setup";

export interface ExpectedBinding {
  readonly exchange: string;
  readonly routingKey: string;
}

export function mcollectiveNodeBindings(node: {
  readonly identity: string;
  readonly collectives: readonly string[];
  readonly agents: readonly string[];
  /** Default true: the directed subscription exists only with `direct_addressing = 1`. */
  readonly directAddressing?: boolean;
}): ExpectedBinding[] {
  return node.collectives.flatMap((c) => [
    ...(node.directAddressing === false ? [] : [{ exchange: `${c}_directed`, routingKey: node.identity }]),
    ...node.agents.map((agent) => ({ exchange: `${c}_broadcast`, routingKey: agent })),
  ]);
}

export interface WaitForBindingsOptions {
  /** Default 30 s. */
  readonly timeoutMs?: number;
  /** Default 50 ms. */
  readonly intervalMs?: number;
  /** Aborting rejects at once with the signal's reason (e.g. "the daemon exited"). */
  readonly signal?: AbortSignal;
  /**
   * Bindings seen before (before the daemons started, or before their connections were
   * closed): their queues do not count, so this waits for new subscriptions.
   */
  readonly exclude?: readonly Binding[];
}

export class BindingsTimeoutError extends Error {
  readonly missing: readonly ExpectedBinding[];

  constructor(vhost: string, missing: readonly ExpectedBinding[], timeoutMs: number) {
    super(
      `vhost "${vhost}": after ${timeoutMs} ms still missing ${missing.length} binding(s): ${missing
        .map((b) => `${b.exchange}/${b.routingKey}`)
        .join(", ")}`,
    );
    this.name = "BindingsTimeoutError";
    this.missing = missing;
  }
}

const keyOf = (exchange: string, routingKey: string): string => `${exchange}\u0000${routingKey}`;

/**
 * Polls until every expected binding exists, counting repeats: an entry listed twice
 * needs two distinct queues. Resolves with the bindings that satisfied it.
 */
export async function waitForBindings(
  admin: RabbitMqAdmin,
  vhost: string,
  expected: readonly ExpectedBinding[],
  options: WaitForBindingsOptions = {},
): Promise<Binding[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const excluded = new Set((options.exclude ?? []).map((b) => b.destination));
  for (;;) {
    options.signal?.throwIfAborted();
    const available = new Map<string, Binding[]>();
    for (const b of await admin.listBindings(vhost)) {
      if (b.destination_type !== "queue" || excluded.has(b.destination)) continue;
      const key = keyOf(b.source, b.routing_key);
      available.set(key, [...(available.get(key) ?? []), b]);
    }
    const found: Binding[] = [];
    const missing: ExpectedBinding[] = [];
    for (const e of expected) {
      const hit = available.get(keyOf(e.exchange, e.routingKey))?.shift();
      if (hit === undefined) missing.push(e);
      else found.push(hit);
    }
    if (missing.length === 0) return found;
    if (Date.now() >= deadline) throw new BindingsTimeoutError(vhost, missing, timeoutMs);
    try {
      await sleep(options.intervalMs ?? 50, undefined, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      options.signal?.throwIfAborted();
      throw error;
    }
  }
}

// Each entry settles (never rejects) when the last start queued for that vhost is done.
const gates = new Map<string, Promise<void>>();

/**
 * Runs `start` alone among the starts in this vhost (in this process), handing it the
 * bindings that existed before: the baseline {@link waitForBindings} must exclude.
 */
export async function withSubscriptionGate<T>(
  admin: RabbitMqAdmin,
  vhost: string,
  start: (baseline: readonly Binding[]) => Promise<T>,
): Promise<T> {
  const key = `${admin.url} ${vhost}`;
  const previous = gates.get(key) ?? Promise.resolve();
  const run = previous.then(async () => start(await admin.listBindings(vhost)));
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  gates.set(key, settled);
  try {
    return await run;
  } finally {
    if (gates.get(key) === settled) gates.delete(key);
  }
}

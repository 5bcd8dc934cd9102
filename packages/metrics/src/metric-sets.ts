import type { MetricSet } from "./metric-set.js";

/** What a running endpoint offers the board: it registers sets added after it started. */
export interface MetricSetHost {
  attach(set: MetricSet): void;
  detach(set: MetricSet): void;
}

interface Board {
  readonly sets: Set<MetricSet>;
  readonly hosts: Set<MetricSetHost>;
}

// On globalThis under a registered symbol: a plugin from a libdir may carry
// its own copy of this package, and its sets must still reach the endpoint.
const BOARD = Symbol.for("phobos.metrics.board");

function board(): Board {
  const holder = globalThis as { [BOARD]?: Board };
  holder[BOARD] ??= { sets: new Set(), hosts: new Set() };
  return holder[BOARD];
}

/**
 * Adds a metric set to this process's endpoint: at once if it runs, when it
 * starts otherwise, never if metrics are off (the set is then only kept).
 * Returns the function that takes it away again (a plugin being unloaded).
 */
export function addMetricSet(set: MetricSet): () => void {
  const { sets, hosts } = board();
  sets.add(set);
  for (const host of hosts) host.attach(set);
  return () => {
    if (!sets.delete(set)) return;
    for (const host of hosts) host.detach(set);
  };
}

/** The sets added so far, and the hook for those added later; the endpoint's side of the board. */
export function joinMetricSetBoard(host: MetricSetHost): { sets: MetricSet[]; leave(): void } {
  const { sets, hosts } = board();
  hosts.add(host);
  return { sets: [...sets], leave: () => hosts.delete(host) };
}

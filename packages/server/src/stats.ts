import type { DaemonStats } from "@phobos/core";

/** Called when an agent action has finished, whatever its outcome. */
export type ActionListener = (agent: string, action: string, seconds: number) => void;

/** Requests one agent action has run: a key of {@link ServerStats.actions}. */
export interface ActionCount {
  readonly agent: string;
  readonly action: string;
  count: number;
}

/**
 * The counters `rpcutil#daemon_stats` and `mco inventory` report (Ruby's
 * RunnerStats), plus Phobos's own for failures MCollective only logged.
 * They are the one count of each thing: the log lines, daemon_stats and
 * the Prometheus endpoint all read them here.
 */
export class ServerStats implements DaemonStats {
  readonly starttime = Math.floor(Date.now() / 1000);
  total = 0;
  validated = 0;
  unvalidated = 0;
  filtered = 0;
  passed = 0;
  replies = 0;
  ttlexpired = 0;
  /** Not in MCollective's daemon_stats: messages that failed to decode or had no usable shape. */
  malformed = 0;
  /** Requests for an agent this node does not run. */
  unknownAgent = 0;
  /** Requests the authorization plugin refused. */
  denied = 0;
  /** Actions that threw or timed out (status 5). */
  failed = 0;
  /** Requests whose id was seen recently (replays). */
  replayed = 0;
  /** Requests run per agent action, keyed `agent#action`. */
  readonly actions = new Map<string, ActionCount>();
  readonly #actionListeners = new Set<ActionListener>();

  /**
   * Counts a request for `agent#action` and returns the function to call
   * when it has finished, which tells the listeners how long it took.
   */
  startAction(agent: string, action: string): () => void {
    const key = `${agent}#${action}`;
    let entry = this.actions.get(key);
    if (!entry) {
      entry = { agent, action, count: 0 };
      this.actions.set(key, entry);
    }
    entry.count++;
    const started = performance.now();
    return () => {
      const seconds = (performance.now() - started) / 1000;
      for (const listener of this.#actionListeners) listener(agent, action, seconds);
    };
  }

  /** Hears of every finished action from now on; returns the function that stops it. */
  onAction(listener: ActionListener): () => void {
    this.#actionListeners.add(listener);
    return () => this.#actionListeners.delete(listener);
  }

  /** Phobos's own counters, as the daemon logs them (`denied=1 replayed=2 …`). */
  phobosCounters(): Record<string, number> {
    return {
      malformed: this.malformed,
      unknown_agent: this.unknownAgent,
      denied: this.denied,
      failed: this.failed,
      replayed: this.replayed,
    };
  }

  snapshot(): DaemonStats {
    return {
      starttime: this.starttime,
      total: this.total,
      validated: this.validated,
      unvalidated: this.unvalidated,
      filtered: this.filtered,
      passed: this.passed,
      replies: this.replies,
      ttlexpired: this.ttlexpired,
    };
  }
}

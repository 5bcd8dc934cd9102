import type { DaemonStats } from "@phobos/core";

/**
 * The counters `rpcutil#daemon_stats` and `mco inventory` report (Ruby's
 * RunnerStats), plus Phobos's own for failures MCollective only logged.
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

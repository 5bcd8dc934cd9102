import type { Logger, LogLevel } from "@phobos/core";

export interface ThrottledLog {
  /**
   * Logs `message` the first time `cause` happens in a window, counts it
   * after that; the next message of that cause once the window has passed
   * says how many were not logged.
   */
  log(level: Exclude<LogLevel, "fatal">, cause: string, message: string): void;
}

/**
 * A flood of one problem (10,000 bad registrations a second, a database
 * that refuses every batch) is one log line per cause per window, not a
 * full disk.
 */
export function createThrottledLog(
  log: Logger,
  options: { windowMs?: number; now?: () => number } = {},
): ThrottledLog {
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const seen = new Map<string, { at: number; suppressed: number }>();
  return {
    log(level, cause, message) {
      const t = now();
      const last = seen.get(cause);
      if (last !== undefined && t - last.at < windowMs) {
        last.suppressed += 1;
        return;
      }
      const more = last?.suppressed ? ` (${last.suppressed} more since the last report of this)` : "";
      seen.set(cause, { at: t, suppressed: 0 });
      log[level](`${message}${more}`);
    },
  };
}

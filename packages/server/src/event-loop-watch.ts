/**
 * Notices an action that blocks the event loop. The daemon runs every
 * request on one loop, so an action that waits synchronously (a busy loop,
 * `execSync`, a read from a hung mount) stops everything else: other
 * requests, broker heart-beats, even the timer of its own DDL timeout. It
 * cannot be interrupted, but it must not go unnoticed: one WARN names the
 * action once the loop is free again.
 *
 * Two measures, both free while no action runs: the synchronous slice of
 * each action call, which names the action exactly, and a timer that checks
 * how late it fires (a blocked loop delays it), which catches a block after
 * an `await` and names the actions running at the time.
 */
import { performance } from "node:perf_hooks";
import type { Logger } from "@phobos/core";

export interface EventLoopWatchOptions {
  log: Logger;
  /** A stall at least this long is reported. Default 1000. */
  thresholdMs?: number;
  /** How often the timer checks while actions run. Default 250. */
  intervalMs?: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

const ADVICE =
  "nothing else ran meanwhile (other requests, broker heart-beats, timeouts). Agents must not block: use async I/O, and runCommand for tools";

export class EventLoopWatch {
  readonly #log: Logger;
  readonly #thresholdMs: number;
  readonly #intervalMs: number;
  readonly #running = new Map<symbol, string>();
  #timer: NodeJS.Timeout | undefined;
  #lastTick = 0;

  constructor(options: EventLoopWatchOptions) {
    this.#log = options.log;
    this.#thresholdMs = options.thresholdMs ?? 1000;
    this.#intervalMs = options.intervalMs ?? 250;
  }

  /**
   * Marks `label` (agent#action) as running; call the returned function when
   * it ends. `call` runs the action's synchronous slice, measured.
   */
  track<T>(label: string, call: () => T): { result: T; end: () => void } {
    const id = Symbol(label);
    if (this.#running.size === 0) {
      this.#lastTick = performance.now();
      this.#timer = setInterval(() => this.#check(), this.#intervalMs);
      this.#timer.unref();
    }
    this.#running.set(id, label);
    const started = performance.now();
    const end = () => {
      // Before forgetting it: an action that blocked after an await and then
      // finished would otherwise be gone before the late timer could name it.
      this.#check();
      this.#running.delete(id);
      if (this.#running.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
    let result: T;
    try {
      try {
        result = call();
      } finally {
        const took = performance.now() - started;
        if (took >= this.#thresholdMs) {
          this.#log.warn(`${label} blocked the event loop for ${seconds(took)}: ${ADVICE}`);
          // Reported: the late timer must not report the same stall again.
          this.#lastTick = performance.now();
        }
      }
    } catch (err) {
      end();
      throw err;
    }
    return { result, end };
  }

  #check(): void {
    const now = performance.now();
    const stalled = now - this.#lastTick - this.#intervalMs;
    this.#lastTick = now;
    if (stalled < this.#thresholdMs) return;
    const labels = [...new Set(this.#running.values())];
    this.#log.warn(
      labels.length === 1
        ? `${labels[0]} blocked the event loop for ${seconds(stalled)}: ${ADVICE}`
        : `The event loop was blocked for ${seconds(stalled)} while ${labels.join(", ")} ran (one of them blocks): ${ADVICE}`,
    );
  }
}

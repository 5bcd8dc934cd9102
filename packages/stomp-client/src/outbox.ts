import type { Logger } from "@phobos/core";

/** A message sent while disconnected, kept until the next connection or until its ttl passes. */
export interface HeldMessage {
  destination: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** Epoch ms after which the message is dropped rather than sent. */
  expiresAt: number;
}

export interface OutboxOptions {
  /** At most this many bytes of bodies wait; more is dropped with an error (16 MiB). */
  limitBytes?: number | undefined;
  log: Logger;
  /** What the log lines call the middleware: "RabbitMQ", "ActiveMQ". */
  brokerName: string;
}

export const DEFAULT_OUTBOX_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * The replies and requests a transport holds while its broker is unreachable:
 * bounded in bytes, each dropped (with a warning) once its ttl passes, even
 * while no connection comes back, and sent again in order on reconnect.
 */
export class Outbox {
  readonly #opts: OutboxOptions;
  readonly #held: HeldMessage[] = [];
  #bytes = 0;
  #expiryTimer: NodeJS.Timeout | undefined;

  constructor(options: OutboxOptions) {
    this.#opts = options;
  }

  /** Messages waiting. */
  get length(): number {
    return this.#held.length;
  }

  /** Bytes of bodies waiting. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Keeps a message until flush(), unless the connection is `closing` or the
   * limit would be passed: then it is dropped with a log line.
   */
  hold(message: HeldMessage, closing = false): void {
    const { log, brokerName } = this.#opts;
    const limit = this.#opts.limitBytes ?? DEFAULT_OUTBOX_LIMIT_BYTES;
    this.#expire();
    if (closing) {
      log.warn(`dropped a message to ${message.destination}: the connection was closed`);
      return;
    }
    if (this.#bytes + message.body.byteLength > limit) {
      log.error(
        `dropping a message to ${message.destination}: ${this.#held.length} messages (${this.#bytes} bytes) already wait for the connection to ${brokerName}`,
      );
      return;
    }
    this.#held.push(message);
    this.#bytes += message.body.byteLength;
    log.info(
      `holding a message to ${message.destination} until ${brokerName} is reachable again (for at most ${Math.max(0, Math.round((message.expiresAt - Date.now()) / 1000))}s, its ttl)`,
    );
    this.#armExpiry();
  }

  /**
   * Empties the outbox after a reconnect: hands each unexpired message, oldest
   * first, to `send` with the ttl it has left (at least 1 s).
   */
  flush(send: (message: HeldMessage, ttlSeconds: number) => void): void {
    this.#expire();
    this.#disarm();
    const pending = this.#held.splice(0);
    this.#bytes = 0;
    if (pending.length > 0) {
      this.#opts.log.info(
        `sending ${pending.length} message(s) held while ${this.#opts.brokerName} was unreachable`,
      );
    }
    for (const p of pending) send(p, Math.max(1, (p.expiresAt - Date.now()) / 1000));
  }

  /** Drops every waiting message (the connection was closed for good), saying why. */
  drop(why: string): void {
    this.#disarm();
    if (this.#held.length === 0) return;
    this.#opts.log.warn(
      `dropped ${this.#held.length} message(s) (${this.#bytes} bytes) that waited for ${this.#opts.brokerName}: ${why}`,
    );
    this.#held.splice(0);
    this.#bytes = 0;
  }

  /** Drops each waiting message when its ttl passes, even while no connection comes back. */
  #armExpiry(): void {
    if (this.#expiryTimer !== undefined || this.#held.length === 0) return;
    const next = Math.min(...this.#held.map((p) => p.expiresAt));
    this.#expiryTimer = setTimeout(
      () => {
        this.#expiryTimer = undefined;
        this.#expire();
        this.#armExpiry();
      },
      Math.max(0, next - Date.now()),
    );
    // Waiting messages alone must not keep a process alive.
    this.#expiryTimer.unref();
  }

  #disarm(): void {
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
  }

  #expire(): void {
    const now = Date.now();
    for (let i = this.#held.length - 1; i >= 0; i--) {
      const p = this.#held[i] as HeldMessage;
      if (p.expiresAt <= now) {
        this.#held.splice(i, 1);
        this.#bytes -= p.body.byteLength;
        this.#opts.log.warn(
          `dropped a message to ${p.destination}: its ttl passed while ${this.#opts.brokerName} was unreachable`,
        );
      }
    }
  }
}

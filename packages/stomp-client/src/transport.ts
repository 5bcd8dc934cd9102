import { ConnectorError, type ConnectorState, type Logger } from "@phobos/core";
import { Client, Versions } from "@stomp/stompjs";
import { ReconnectBackOff, type ReconnectPolicy } from "./back-off.js";
import { connectWithin } from "./connect-deadline.js";
import type { DroppedFrame } from "./frame-reader.js";
import { Outbox } from "./outbox.js";
import { DEFAULT_MAX_MESSAGE_BYTES, type StompPoolHost } from "./pool.js";
import { sendFrame } from "./send-frame.js";
import { TcpStompSocket } from "./socket-adapter.js";

export type { StompPoolHost } from "./pool.js";

export interface StompTransportOptions {
  /** Broker pool, tried in order (or shuffled with `randomize`), failing over on error. */
  hosts: StompPoolHost[];
  /** CONNECT's `host` header: RabbitMQ's vhost, ActiveMQ's broker name. */
  vhost: string;
  /** `["1.0"]`, or `["1.1", "1.0"]` when heart-beats are on. */
  acceptVersion: string[];
  /** STOMP 1.1 heart-beat interval in ms; 0 for none. */
  heartbeatMs: number;
  randomize: boolean;
  reconnect: ReconnectPolicy;
  /** Per attempt: give up on a TCP/STOMP handshake after this long. */
  connectTimeoutMs: number;
  log: Logger;
  /** What the log lines call the middleware: "RabbitMQ", "ActiveMQ". */
  brokerName: string;
  /** Replies and requests queued while disconnected, at most this many bytes. */
  outboxLimitBytes?: number;
  /** What to tell an operator about a broker ERROR (a missing exchange, a refused login), if anything. */
  explainError?: (reason: string) => string | undefined;
  /** Frames with a larger body are skipped as they arrive. Default {@link DEFAULT_MAX_MESSAGE_BYTES}. */
  maxMessageBytes?: number;
  /** The config key that sets it, for the log line of a dropped frame. */
  maxMessageSetting?: string;
}

export interface StompMessage {
  headers: Record<string, string>;
  body: Uint8Array;
}

interface Subscribed {
  destination: string;
  headers: Record<string, string>;
}

const EMPTY = new Uint8Array(0);

/**
 * One logical STOMP connection to a broker pool: connects with failover and
 * exponential back-off as MCollective's stomp gem did, restores every
 * subscription after a reconnect, and holds messages sent while disconnected
 * (bounded, until their ttl passes) instead of losing them.
 */
export class StompTransport {
  readonly #opts: StompTransportOptions;
  readonly #client: Client;
  readonly #subscriptions = new Map<string, Subscribed>();
  readonly #outbox: Outbox;
  #onMessage: (message: StompMessage) => void = () => {};
  #onState: (state: ConnectorState, detail: string) => void = () => {};
  #hostIndex = -1;
  #current: StompPoolHost | undefined;
  #failures: string[] = [];
  /** The ERROR frame last logged since the last successful connection. */
  #lastErrorFrame: string | undefined;
  #socket: TcpStompSocket | undefined;
  #connected = false;
  #everConnected = false;
  #closing = false;
  #waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  readonly #backOff: ReconnectBackOff;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: StompTransportOptions) {
    if (options.hosts.length === 0)
      throw new ConnectorError(`No hosts found for the ${options.brokerName} connection pool`);
    this.#opts = options;
    const hosts = [...options.hosts];
    if (options.randomize) hosts.sort(() => Math.random() - 0.5);
    this.#opts = { ...options, hosts };
    this.#backOff = new ReconnectBackOff(options.reconnect);
    this.#outbox = new Outbox({
      limitBytes: options.outboxLimitBytes,
      log: options.log,
      brokerName: options.brokerName,
    });
    const hb = options.heartbeatMs;
    this.#client = new Client({
      stompVersions: new Versions(options.acceptVersion),
      // MCollective asks for `heart-beat:<ms+500>,<ms-500>`.
      heartbeatOutgoing: hb > 0 ? hb + 500 : 0,
      heartbeatIncoming: hb > 0 ? hb - 500 : 0,
      // Reconnects are scheduled here, not by stompjs: it only knows how to double the
      // delay, and MCollective's back_off_multiplier must be honoured.
      reconnectDelay: 0,
      connectionTimeout: options.connectTimeoutMs,
      forceBinaryWSFrames: true,
      appendMissingNULLonIncoming: false,
      splitLargeFrames: false,
      discardWebsocketOnCommFailure: true,
      debug: () => {},
      webSocketFactory: () => this.#openSocket(),
      beforeConnect: () => this.#beforeConnect(),
      onConnect: () => this.#connectedNow(),
      onWebSocketClose: () => this.#closed(),
      onStompError: (frame) => {
        // RabbitMQ puts the gist in `message` (not_found) and the detail in the body.
        const detail = (frame.body ?? "").trim().split("\n")[0] ?? "";
        // ActiveMQ repeats the message as the body's first line: say it once.
        const reason =
          [frame.headers.message, detail].filter((p, i, all) => p && all.indexOf(p) === i).join(": ") ||
          "unknown error";
        const hint = this.#opts.explainError?.(reason);
        this.#noteFailure(`${this.describe()}: ${reason}`);
        const line = `${this.#opts.brokerName} sent an ERROR frame on ${this.describe()}: ${reason}${hint ? ` (${hint})` : ""}`;
        // A wrong password is refused on every retry: say it once, not once per attempt.
        if (line === this.#lastErrorFrame) {
          this.#opts.log.debug(`${line} (again, attempt ${this.#backOff.attempts})`);
        } else {
          this.#lastErrorFrame = line;
          this.#opts.log.error(line);
        }
      },
      // MESSAGE frames reach #deliver from the socket's frame reader, not through stompjs.
      onUnhandledMessage: (message) => this.#deliver(message.headers, message.binaryBody ?? EMPTY),
      onWebSocketError: () => {},
    });
  }

  /** Where deliveries go; includes broker-created subscriptions such as RabbitMQ's temp queues. */
  onMessage(handler: (message: StompMessage) => void): void {
    this.#onMessage = handler;
  }

  onState(handler: (state: ConnectorState, detail: string) => void): void {
    this.#onState = handler;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** `stomp://user@host:port` of the broker in use (or about to be tried). */
  describe(): string {
    const h = this.#current ?? this.#opts.hosts[0];
    if (!h) return "stomp://(none)";
    return `${h.tls ? "stomp+ssl" : "stomp"}://${h.login}@${h.host}:${h.port}`;
  }

  /**
   * Resolves once connected. Rejects with a ConnectorError naming every
   * host:port tried when `max_reconnect_attempts` runs out or `timeoutMs` passes.
   */
  connect(timeoutMs?: number): Promise<void> {
    if (this.#connected) return Promise.resolve();
    this.#closing = false;
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (!this.#client.active) this.#client.activate();
    return connectWithin(
      done,
      timeoutMs,
      (reason) => this.#giveUpError(reason),
      () => this.disconnect(),
    );
  }

  /** Subscribes now if connected, and again after every reconnect. Returns the subscription id. */
  subscribe(destination: string, headers: Record<string, string> = {}): string {
    for (const [id, s] of this.#subscriptions) if (s.destination === destination) return id;
    const id = `${destination}`;
    this.#subscriptions.set(id, { destination, headers });
    if (this.#connected) this.#sendSubscribe(id);
    return id;
  }

  unsubscribe(id: string): void {
    if (!this.#subscriptions.delete(id)) return;
    if (this.#connected) {
      try {
        this.#client.unsubscribe(id);
      } catch (err) {
        this.#opts.log.debug(`UNSUBSCRIBE ${id} failed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Sends now, or — while disconnected — keeps the frame until the next
   * connection or until `ttlSeconds` passes, whichever is first.
   */
  send(destination: string, headers: Record<string, string>, body: Uint8Array, ttlSeconds: number): void {
    if (this.#connected) {
      try {
        this.#publish(destination, headers, body);
        return;
      } catch (err) {
        this.#opts.log.warn(
          `send to ${destination} failed, will retry after reconnecting: ${(err as Error).message}`,
        );
      }
    }
    this.#outbox.hold(
      { destination, headers, body, expiresAt: Date.now() + ttlSeconds * 1000 },
      this.#closing,
    );
  }

  async disconnect(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#rejectWaiters(
      new ConnectorError(`connection to ${this.#opts.brokerName} closed before it was established`),
    );
    const socket = this.#connected ? this.#socket : undefined;
    this.#connected = false;
    if (socket) {
      // The stomp gem's disconnect, which MCollective's connectors used: DISCONNECT without a
      // receipt, then close. A broker handles the frames of one connection in order (RabbitMQ
      // and ActiveMQ both do), so everything sent before the DISCONNECT is handled before it,
      // and TCP delivers it all before our FIN. stompjs would ask for a RECEIPT and wait for it
      // and for the broker's FIN: a round trip that proves nothing more and that every short
      // mco run paid before it could exit. stompjs finds the socket closing and sends nothing
      // more; its state settles once the broker closes its side.
      const flushed = socket.closeWith("DISCONNECT\n\n\0");
      void this.#client.deactivate();
      await flushed;
    } else {
      await this.#client.deactivate();
    }
    this.#outbox.drop("the connection was closed");
  }

  #openSocket(): TcpStompSocket {
    const host = this.#current as StompPoolHost;
    const socket = new TcpStompSocket({
      host: host.host,
      port: host.port,
      ...(host.tls ? { tls: host.tls } : {}),
      frames: {
        maxBodyBytes: this.#opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
        dropped: (frame) => this.#dropped(frame),
        message: (headers, body) => this.#deliver(headers, body),
      },
    });
    this.#socket = socket;
    return socket;
  }

  #beforeConnect(): void {
    const { hosts } = this.#opts;
    if (this.#backOff.exhausted) {
      const err = this.#giveUpError(`gave up after ${this.#backOff.attempts} attempts`);
      this.#opts.log.error(err.message);
      this.#rejectWaiters(err);
      void this.#client.deactivate();
      return;
    }
    const attempt = this.#backOff.attempt();
    this.#hostIndex = (this.#hostIndex + 1) % hosts.length;
    this.#current = hosts[this.#hostIndex];
    const h = this.#current as StompPoolHost;
    this.#client.connectHeaders = { login: h.login, passcode: h.passcode, host: this.#opts.vhost };
    this.#opts.log.info(`TCP Connection attempt ${attempt} to ${this.describe()}`);
  }

  #connectedNow(): void {
    this.#connected = true;
    this.#backOff.connected();
    this.#failures = [];
    this.#lastErrorFrame = undefined;
    const again = this.#everConnected;
    this.#everConnected = true;
    this.#opts.log.info(`Connected to ${this.describe()}`);
    for (const id of this.#subscriptions.keys()) this.#sendSubscribe(id);
    this.#outbox.flush((p, ttlSeconds) => this.send(p.destination, p.headers, p.body, ttlSeconds));
    this.#onState(
      "connected",
      again ? `reconnected to ${this.describe()}` : `connected to ${this.describe()}`,
    );
    const waiters = this.#waiters.splice(0);
    for (const w of waiters) w.resolve();
  }

  #closed(): void {
    const wasConnected = this.#connected;
    this.#connected = false;
    // Only a connection that lasted counts as recovered: one the broker closes right
    // after CONNECTED (a refused SUBSCRIBE) must not restart the back-off, or the
    // daemon reconnects in a tight loop.
    if (wasConnected) this.#backOff.disconnected();
    const reason = this.#socket?.lastError?.message ?? "connection closed";
    // disconnect() marks the connection gone before the broker closes its side: that is no failure.
    if (!wasConnected && !this.#closing) this.#noteFailure(`${this.describe()}: ${reason}`);
    if (this.#closing || !this.#client.active) return;
    const delay = this.#scheduleReconnect();
    const retry = `; retrying in ${(delay / 1000).toFixed(2)}s`;
    if (wasConnected) {
      this.#opts.log.warn(`Disconnected from ${this.describe()}: ${reason}${retry}`);
      this.#onState("reconnecting", `lost ${this.describe()}: ${reason}`);
    } else {
      this.#opts.log.info(
        `TCP Connection to ${this.describe()} failed on attempt ${this.#backOff.attempts}: ${reason}${retry}`,
      );
      this.#onState("disconnected", `${this.describe()}: ${reason}`);
    }
  }

  /** The next attempt, after the back-off's delay; returns the delay. */
  #scheduleReconnect(): number {
    const delay = this.#backOff.nextDelay();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#restart();
    }, delay);
    return delay;
  }

  /** A fresh connection attempt: stompjs starts one on activation. */
  async #restart(): Promise<void> {
    if (this.#closing) return;
    await this.#client.deactivate();
    if (this.#closing) return;
    this.#client.activate();
  }

  #sendSubscribe(id: string): void {
    const s = this.#subscriptions.get(id);
    if (!s) return;
    this.#client.subscribe(s.destination, (m) => this.#deliver(m.headers, m.binaryBody ?? EMPTY), {
      ...s.headers,
      id,
    });
  }

  #dropped({ command, destination, size }: DroppedFrame): void {
    const limit = this.#opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const what =
      command === "MESSAGE"
        ? `a message of ${size} bytes to ${destination || "(no destination)"}`
        : `a ${command} frame of ${size} bytes from ${this.describe()}`;
    const setting = this.#opts.maxMessageSetting ? ` (${this.#opts.maxMessageSetting})` : "";
    this.#opts.log.warn(`Dropped ${what}: over the limit of ${limit} bytes${setting}`);
  }

  #deliver(headers: Record<string, string>, body: Uint8Array): void {
    try {
      this.#onMessage({ headers, body });
    } catch (err) {
      this.#opts.log.error(
        `handling a message from ${headers.destination ?? "?"} failed: ${(err as Error).stack}`,
      );
    }
  }

  #publish(destination: string, headers: Record<string, string>, body: Uint8Array): void {
    // stompjs's own check and words: a frame sent now would go nowhere.
    if (!this.#client.connected || !this.#socket)
      throw new TypeError("There is no underlying STOMP connection");
    // The stomp gem tags every frame like this; peers may look at it.
    const tagged = { ...headers, "content-type": "text/plain; charset=UTF-8" };
    this.#socket.send(sendFrame(destination, tagged, body, this.#client.connectedVersion === "1.2"));
  }

  /** The recent failures an error message names; a daemon retrying for days keeps only the last few. */
  #noteFailure(failure: string): void {
    this.#failures.push(failure);
    const keep = Math.max(10, this.#opts.hosts.length * 2);
    if (this.#failures.length > keep) this.#failures.splice(0, this.#failures.length - keep);
  }

  #giveUpError(why: string): ConnectorError {
    const tried =
      this.#failures.length > 0 ? this.#failures.slice(-this.#opts.hosts.length * 2) : [this.describe()];
    const unique = [...new Set(tried)];
    return new ConnectorError(`Could not connect to ${this.#opts.brokerName} (${why}): ${unique.join("; ")}`);
  }

  #rejectWaiters(err: Error): void {
    const waiters = this.#waiters.splice(0);
    for (const w of waiters) w.reject(err);
  }
}

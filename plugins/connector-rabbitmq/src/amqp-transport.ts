import { setTimeout as sleep } from "node:timers/promises";
import { ConnectorError, type ConnectorState, type Logger } from "@phobos/core";
import {
  connectWithin,
  DEFAULT_MAX_MESSAGE_BYTES,
  type HeldMessage,
  Outbox,
  ReconnectBackOff,
  type ReconnectPolicy,
  readHeartbeat,
  readMaxMessageSize,
  readPool,
  readReconnectPolicy,
  type StompPoolHost,
} from "@phobos/stomp-client";
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from "amqplib";
import {
  deliveredHeaders,
  type PublishTarget,
  publishOptions,
  publishTarget,
  subscribeTarget,
} from "./amqp-destinations.js";
import { type DroppedDelivery, limitDeliverySize } from "./amqp-size-limit.js";
import type { TransportSetup } from "./stomp-transport.js";
import type { MessageTransport, TransportMessage } from "./transport.js";

export interface AmqpTransportOptions {
  /** The pool (`pool.N.*`), tried in order (or shuffled with `randomize`), failing over on error. */
  hosts: StompPoolHost[];
  vhost: string;
  /** AMQP heart-beat in seconds; 0 takes the broker's suggestion (RabbitMQ: 60). */
  heartbeatSeconds: number;
  randomize: boolean;
  reconnect: ReconnectPolicy;
  /** Per attempt: give up on the TCP/AMQP handshake after this long. */
  connectTimeoutMs: number;
  log: Logger;
  /** What the management UI shows for the connection: `mcollectived node1`. */
  connectionName: string;
  /** Replies and requests held while disconnected, at most this many bytes. */
  outboxLimitBytes?: number;
  /** What to tell an operator about a refusal (a missing exchange, a refused login), if anything. */
  explainError?: (reason: string) => string | undefined;
  /** Deliveries with a larger body are skipped as they arrive. Default {@link DEFAULT_MAX_MESSAGE_BYTES}. */
  maxMessageBytes?: number;
  /** The config key that sets it, for the log line of a dropped message. */
  maxMessageSetting?: string;
}

interface Subscribed {
  destination: string;
  /** On the current connection: the consumer and the queue it reads. */
  consumerTag?: string;
}

/** One connection's state: gone as a whole when the connection goes. */
interface Link {
  connection: ChannelModel;
  channel: ConfirmChannel;
  /** Subscriptions consumed (or being consumed) on this connection. */
  consuming: Set<Subscribed>;
  /** `/temp-queue/<name>` → the server-named exclusive queue made for it on this connection. */
  tempQueues: Map<string, Promise<string>>;
  /** Set while the channel's write buffer is full; resolves on `drain`. */
  drained: Promise<void> | undefined;
  /** Resolves with the reason once the connection or its channel is gone. */
  lost: Promise<string>;
  open: boolean;
  /** The last error the broker closed the channel with. */
  closeReason: string | undefined;
  /** Ends the connection (once): `lost` resolves, the returned promise when the socket is closed. */
  lose(reason: string): Promise<void>;
}

const BROKER = "RabbitMQ";
/** Ruby's stomp gem tags every frame like this; the STOMP transport does too, so peers see no difference. */
const CONTENT_TYPE = "text/plain; charset=UTF-8";

function errorReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e?.message ?? String(err);
  return e?.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}

/**
 * MCollective's rabbitmq connector over AMQP 0-9-1 (amqplib): the exchanges,
 * routing keys and temp-queue replies of the STOMP layout, so STOMP and AMQP
 * peers share one vhost. Publishes on a confirm channel (send() resolves when
 * RabbitMQ has taken the message), waits for the channel to drain when the
 * socket backs up, logs RabbitMQ's flow-control blocks, and reconnects with
 * failover and MCollective's back-off, restoring every subscription.
 */
export class AmqpTransport implements MessageTransport {
  readonly #opts: AmqpTransportOptions;
  readonly #subscriptions = new Map<string, Subscribed>();
  readonly #outbox: Outbox;
  #onMessage: (message: TransportMessage) => void = () => {};
  #onState: (state: ConnectorState, detail: string) => void = () => {};
  #hostIndex = -1;
  #current: StompPoolHost | undefined;
  #failures: string[] = [];
  #link: Link | undefined;
  #everConnected = false;
  #closing = false;
  #running: Promise<void> | undefined;
  #waiters: { resolve: () => void; reject: (err: Error) => void }[] = [];
  readonly #backOff: ReconnectBackOff;
  #wakeUp: AbortController | undefined;

  constructor(options: AmqpTransportOptions) {
    if (options.hosts.length === 0)
      throw new ConnectorError(`No hosts found for the ${BROKER} connection pool`);
    const hosts = [...options.hosts];
    if (options.randomize) hosts.sort(() => Math.random() - 0.5);
    this.#opts = { ...options, hosts };
    this.#backOff = new ReconnectBackOff(options.reconnect);
    this.#outbox = new Outbox({ limitBytes: options.outboxLimitBytes, log: options.log, brokerName: BROKER });
  }

  onMessage(handler: (message: TransportMessage) => void): void {
    this.#onMessage = handler;
  }

  onState(handler: (state: ConnectorState, detail: string) => void): void {
    this.#onState = handler;
  }

  describe(): string {
    const h = this.#current ?? this.#opts.hosts[0];
    if (!h) return "amqp://(none)";
    return `${h.tls ? "amqps" : "amqp"}://${h.login}@${h.host}:${h.port}`;
  }

  connect(timeoutMs?: number): Promise<void> {
    if (this.#link?.open) return Promise.resolve();
    this.#closing = false;
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return connectWithin(
      done,
      timeoutMs,
      (reason) => this.#giveUpError(reason),
      () => this.disconnect(),
    );
  }

  async subscribe(destination: string): Promise<string> {
    const id = destination;
    if (this.#subscriptions.has(id)) return id;
    subscribeTarget(destination); // refuses what AMQP cannot subscribe to, now rather than at reconnect
    const sub: Subscribed = { destination };
    this.#subscriptions.set(id, sub);
    const link = this.#link;
    if (link?.open) {
      try {
        await this.#consume(link, sub);
      } catch (err) {
        // The channel is gone with it: the reconnect subscribes again, as after a STOMP ERROR.
        this.#opts.log.error(`subscribing to ${destination} failed: ${this.#explained(errorReason(err))}`);
      }
    }
    return id;
  }

  async unsubscribe(id: string): Promise<void> {
    const sub = this.#subscriptions.get(id);
    if (!sub) return;
    this.#subscriptions.delete(id);
    const link = this.#link;
    const tag = sub.consumerTag;
    sub.consumerTag = undefined;
    if (!link?.open || tag === undefined) return;
    try {
      // The queue is exclusive and auto-delete: cancelling its consumer deletes it.
      await link.channel.cancel(tag);
    } catch (err) {
      this.#opts.log.debug(`cancelling the consumer of ${id} failed: ${errorReason(err)}`);
    }
  }

  async send(
    destination: string,
    headers: Record<string, string>,
    body: Uint8Array,
    ttlSeconds: number,
  ): Promise<void> {
    const target = publishTarget(destination);
    const options = publishOptions(headers); // bad headers fail here, not after a reconnect
    const pending: HeldMessage = { destination, headers, body, expiresAt: Date.now() + ttlSeconds * 1000 };
    const link = this.#link;
    if (!link?.open) {
      this.#outbox.hold(pending, this.#closing);
      return;
    }
    try {
      await this.#publish(link, target, options, headers, body);
    } catch (err) {
      if ((err as Error).message === "message nacked") {
        // RabbitMQ refused this message (a nack): the channel lives on.
        throw new ConnectorError(`${BROKER} did not accept a message to ${destination}: ${errorReason(err)}`);
      }
      const why = link.closeReason ?? errorReason(err);
      if (
        target.kind === "route" &&
        target.exchange !== "" &&
        why.includes(`no exchange '${target.exchange}'`)
      ) {
        this.#opts.log.error(`dropped a message to ${destination}: ${this.#explained(why)}`);
        return;
      }
      this.#opts.log.warn(
        `sending to ${destination} was not confirmed before the connection went (${why}); sending it again after reconnecting`,
      );
      this.#outbox.hold(pending, this.#closing);
    }
  }

  async disconnect(): Promise<void> {
    this.#closing = true;
    this.#wakeUp?.abort();
    this.#rejectWaiters(new ConnectorError(`connection to ${BROKER} closed before it was established`));
    const link = this.#link;
    this.#link = undefined;
    if (link) {
      await link.lose("disconnected");
      await this.#running;
    }
    this.#outbox.drop("the connection was closed");
  }

  /** Connects, waits for the connection to go, backs off, and again, until disconnect(). */
  async #run(): Promise<void> {
    const { hosts, log } = this.#opts;
    while (!this.#closing) {
      if (this.#backOff.exhausted) {
        const err = this.#giveUpError(`gave up after ${this.#backOff.attempts} attempts`);
        log.error(err.message);
        this.#rejectWaiters(err);
        this.#closing = true;
        return;
      }
      const attempt = this.#backOff.attempt();
      this.#hostIndex = (this.#hostIndex + 1) % hosts.length;
      this.#current = hosts[this.#hostIndex];
      log.info(`TCP Connection attempt ${attempt} to ${this.describe()}`);
      let link: Link;
      try {
        link = await this.#open(this.#current as StompPoolHost);
      } catch (err) {
        const reason = this.#explained(errorReason(err));
        this.#noteFailure(`${this.describe()}: ${reason}`);
        if (this.#closing) return;
        const delay = this.#backOff.nextDelay();
        log.info(
          `TCP Connection to ${this.describe()} failed on attempt ${attempt}: ${reason}; retrying in ${(delay / 1000).toFixed(2)}s`,
        );
        this.#onState("disconnected", `${this.describe()}: ${reason}`);
        await this.#pause(delay);
        continue;
      }
      if (this.#closing) {
        await link.lose("disconnected");
        return;
      }
      this.#link = link;
      // Subscribed while the connection was being set up, after its subscriptions were restored.
      for (const sub of this.#subscriptions.values()) {
        this.#consume(link, sub).catch((err: unknown) =>
          log.error(`subscribing to ${sub.destination} failed: ${this.#explained(errorReason(err))}`),
        );
      }
      this.#backOff.connected();
      this.#failures = [];
      const again = this.#everConnected;
      this.#everConnected = true;
      log.info(`Connected to ${this.describe()}`);
      this.#outbox.flush((p, ttlSeconds) =>
        this.send(p.destination, p.headers, p.body, ttlSeconds).catch((err: Error) =>
          log.error(`a held message to ${p.destination} was lost: ${err.message}`),
        ),
      );
      this.#onState(
        "connected",
        again ? `reconnected to ${this.describe()}` : `connected to ${this.describe()}`,
      );
      for (const w of this.#waiters.splice(0)) w.resolve();

      const reason = this.#explained(await link.lost);
      if (this.#link === link) this.#link = undefined;
      for (const sub of this.#subscriptions.values()) sub.consumerTag = undefined;
      if (this.#closing) return;
      // A connection refused right after it opened must not restart the back-off.
      this.#backOff.disconnected();
      const delay = this.#backOff.nextDelay();
      log.warn(`Disconnected from ${this.describe()}: ${reason}; retrying in ${(delay / 1000).toFixed(2)}s`);
      this.#onState("reconnecting", `lost ${this.describe()}: ${reason}`);
      await this.#pause(delay);
    }
  }

  async #pause(ms: number): Promise<void> {
    this.#wakeUp = new AbortController();
    await sleep(ms, undefined, { signal: this.#wakeUp.signal }).catch(() => {});
    this.#wakeUp = undefined;
  }

  /** A connection, its confirm channel and every subscription; throws if any of it fails. */
  async #open(host: StompPoolHost): Promise<Link> {
    const opts = this.#opts;
    // Loaded on first use: STOMP sites (the default) never pay for amqplib.
    const { default: amqp } = await import("amqplib");
    const connecting = amqp.connect(
      {
        protocol: host.tls ? "amqps" : "amqp",
        hostname: host.host,
        port: host.port,
        username: host.login,
        password: host.passcode,
        vhost: opts.vhost,
        // amqplib 2 reads 0 as "no heart-beats"; left out, the broker's suggestion is taken.
        ...(opts.heartbeatSeconds > 0 ? { heartbeat: opts.heartbeatSeconds } : {}),
      },
      {
        ...(host.tls ?? {}),
        ...(host.tls ? { servername: host.host } : {}),
        timeout: opts.connectTimeoutMs,
        noDelay: true,
        clientProperties: { connection_name: opts.connectionName, product: "Phobos MCollective" },
      },
    );
    let connection: ChannelModel;
    let timer: NodeJS.Timeout | undefined;
    try {
      connection = await Promise.race([
        connecting,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no AMQP handshake within ${opts.connectTimeoutMs} ms`)),
            opts.connectTimeoutMs,
          );
        }),
      ]);
    } catch (err) {
      // A handshake that finishes after the timeout must not leave a connection behind.
      connecting.then((c) => c.close()).catch(() => {});
      throw err;
    } finally {
      clearTimeout(timer);
    }
    let markLost: (reason: string) => void = () => {};
    const lost = new Promise<string>((resolve) => {
      markLost = resolve;
    });
    let closed: Promise<void> | undefined;
    const gone = (reason: string): Promise<void> => {
      if (closed) return closed;
      link.open = false;
      link.closeReason ??= reason;
      markLost(link.closeReason);
      closed = connection.close().catch(() => {});
      return closed;
    };
    const link: Link = {
      connection,
      // Set just below; the handlers must be in place before anything can fail.
      channel: undefined as unknown as ConfirmChannel,
      consuming: new Set(),
      tempQueues: new Map(),
      drained: undefined,
      lost,
      open: true,
      closeReason: undefined,
      lose: gone,
    };
    connection.on("error", (err: Error) => {
      link.closeReason ??= errorReason(err);
    });
    connection.on("close", (err?: Error) => void gone(err ? errorReason(err) : "connection closed"));
    connection.on("blocked", (reason: string) => {
      opts.log.warn(`${BROKER} blocked publishing on ${this.describe()} (flow control: ${reason})`);
    });
    connection.on("unblocked", () => opts.log.info(`${BROKER} unblocked publishing on ${this.describe()}`));
    try {
      const channel = await connection.createConfirmChannel();
      link.channel = channel;
      limitDeliverySize(channel, opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, (d) => this.#dropped(d));
      channel.on("error", (err: Error) => {
        link.closeReason ??= errorReason(err);
      });
      // A channel closed by the broker (an unknown exchange) takes the connection with it: reconnecting
      // with back-off is what the STOMP transport does after an ERROR frame.
      // A tick later: when the whole connection goes, its own error (the better reason) comes next.
      channel.on("close", () => setImmediate(() => void gone(link.closeReason ?? "channel closed")));
      channel.on("drain", () => {
        link.drained = undefined;
      });
      for (const sub of this.#subscriptions.values()) await this.#consume(link, sub);
    } catch (err) {
      void gone(errorReason(err));
      throw new Error(link.closeReason ?? errorReason(err));
    }
    return link;
  }

  async #consume(link: Link, sub: Subscribed): Promise<void> {
    if (link.consuming.has(sub)) return;
    link.consuming.add(sub);
    const target = subscribeTarget(sub.destination);
    const { channel } = link;
    let queue: string;
    if (target.kind === "bind") {
      // What the STOMP adapter does for /exchange/x/key: a private queue bound with the key.
      queue = (await channel.assertQueue("", { exclusive: true, autoDelete: true, durable: false })).queue;
      await channel.bindQueue(queue, target.exchange, target.bindingKey);
    } else {
      queue = target.queue;
      if (target.declare) await channel.assertQueue(queue, { durable: true, autoDelete: false });
    }
    const destination = sub.destination;
    const { consumerTag } = await channel.consume(queue, (m) => m && this.#deliver(m, { destination }), {
      noAck: true,
    });
    // Unsubscribed (or reconnected) while the consume was on its way.
    if (this.#subscriptions.get(destination) !== sub || !link.open) {
      if (link.open) await channel.cancel(consumerTag).catch(() => {});
      return;
    }
    sub.consumerTag = consumerTag;
  }

  /** RabbitMQ's `/temp-queue/<name>`: an exclusive queue of this connection, made on first use. */
  #tempQueue(link: Link, name: string): Promise<string> {
    let queue = link.tempQueues.get(name);
    if (!queue) {
      queue = (async () => {
        const { queue: q } = await link.channel.assertQueue("", {
          exclusive: true,
          autoDelete: true,
          durable: false,
        });
        await link.channel.consume(
          q,
          (m) => m && this.#deliver(m, { destination: `/queue/${q}`, subscription: `/temp-queue/${name}` }),
          { noAck: true },
        );
        return q;
      })();
      link.tempQueues.set(name, queue);
      queue.catch(() => link.tempQueues.delete(name));
    }
    return queue;
  }

  async #publish(
    link: Link,
    target: PublishTarget,
    options: ReturnType<typeof publishOptions>,
    headers: Record<string, string>,
    body: Uint8Array,
  ): Promise<void> {
    let exchange: string;
    let routingKey: string;
    if (target.kind === "temp-queue") {
      exchange = "";
      routingKey = await this.#tempQueue(link, target.name);
    } else {
      ({ exchange, routingKey } = target);
    }
    const replyTo = headers["reply-to"];
    if (replyTo?.startsWith("/temp-queue/")) {
      // What the adapter does with a STOMP reply-to: make the queue, put its real name in the property.
      options.replyTo = await this.#tempQueue(link, replyTo.slice("/temp-queue/".length));
    }
    options.contentType ??= CONTENT_TYPE;
    // Flow control: while the socket is backed up, wait rather than buffer without bound.
    while (link.drained) await link.drained;
    if (!link.open) throw new Error(link.closeReason ?? "connection closed");
    await new Promise<void>((resolve, reject) => {
      let ok: boolean;
      try {
        ok = link.channel.publish(
          exchange,
          routingKey,
          Buffer.from(body.buffer, body.byteOffset, body.byteLength),
          options,
          (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()),
        );
      } catch (err) {
        reject(err);
        return;
      }
      if (!ok && !link.drained) {
        link.drained = new Promise<void>((wake) => {
          const done = () => {
            link.channel.off("drain", done);
            link.channel.off("close", done);
            link.drained = undefined;
            wake();
          };
          link.channel.on("drain", done);
          link.channel.on("close", done);
        });
      }
    });
  }

  #dropped({ exchange, routingKey, size }: DroppedDelivery): void {
    const limit = this.#opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    // Named as the STOMP transport names it, so both log the same line for the same message.
    const destination = exchange === "" ? `/queue/${routingKey}` : `/exchange/${exchange}/${routingKey}`;
    const setting = this.#opts.maxMessageSetting ? ` (${this.#opts.maxMessageSetting})` : "";
    this.#opts.log.warn(
      `Dropped a message of ${size} bytes to ${destination}: over the limit of ${limit} bytes${setting}`,
    );
  }

  #deliver(message: ConsumeMessage, frame: { destination: string; subscription?: string }): void {
    try {
      const headers = deliveredHeaders(message.properties, {
        ...frame,
        redelivered: message.fields.redelivered,
      });
      const { content } = message;
      // A body amqplib joined from many frames owns its memory: no second copy. A one-frame
      // body is a view on the socket's read buffer, which a copy lets go of.
      const owned = content.byteOffset === 0 && content.byteLength === content.buffer.byteLength;
      const body = owned
        ? new Uint8Array(content.buffer, content.byteOffset, content.byteLength)
        : new Uint8Array(content);
      this.#onMessage({ headers, body });
    } catch (err) {
      this.#opts.log.error(`handling a message from ${frame.destination} failed: ${(err as Error).stack}`);
    }
  }

  #explained(reason: string): string {
    const hint = this.#opts.explainError?.(reason);
    return hint ? `${reason} (${hint})` : reason;
  }

  #noteFailure(failure: string): void {
    this.#failures.push(failure);
    const keep = Math.max(10, this.#opts.hosts.length * 2);
    if (this.#failures.length > keep) this.#failures.splice(0, this.#failures.length - keep);
  }

  #giveUpError(why: string): ConnectorError {
    const tried =
      this.#failures.length > 0 ? this.#failures.slice(-this.#opts.hosts.length * 2) : [this.describe()];
    return new ConnectorError(`Could not connect to ${BROKER} (${why}): ${[...new Set(tried)].join("; ")}`);
  }

  #rejectWaiters(err: Error): void {
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }
}

/** RabbitMQ's own port: 5672, or 5671 for `pool.N.ssl = 1`, unless `pool.N.port` says otherwise. */
export const AMQP_PORT = 5672;
export const AMQPS_PORT = 5671;

/**
 * `plugin.rabbitmq.transport = amqp`: the same pool, vhost, reconnect and
 * heart-beat keys as the STOMP transport; only the default port differs.
 */
export function createAmqpTransport({
  settings,
  log,
  identity,
  mode,
  explainError,
}: TransportSetup): AmqpTransport {
  const hosts = readPool(settings, process.env, log, "RABBITMQ").map((host, i) =>
    settings.has(`pool.${i + 1}.port`) ? host : { ...host, port: host.tls ? AMQPS_PORT : AMQP_PORT },
  );
  const { heartbeatMs } = readHeartbeat(settings, log);
  const maxMessage = readMaxMessageSize(settings);
  return new AmqpTransport({
    hosts,
    vhost: settings.string("vhost", "/"),
    heartbeatSeconds: heartbeatMs / 1000,
    randomize: settings.boolean("randomize", false),
    reconnect: readReconnectPolicy(settings),
    connectTimeoutMs: settings.integer("connect_timeout", 30) * 1000,
    log,
    connectionName: `${mode === "server" ? "mcollectived" : "mco"} ${identity}`,
    explainError,
    maxMessageBytes: maxMessage.bytes,
    maxMessageSetting: maxMessage.setting,
  });
}

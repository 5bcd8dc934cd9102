import type { Socket } from "node:net";
import type { Authenticator } from "./auth.js";
import { type Destination, parseDestination } from "./destination.js";
import { StompError, StompProtocolError } from "./errors.js";
import type { Exchange } from "./exchange.js";
import { type Frame, getHeader, type Header } from "./frame.js";
import { encodeFrame, encodeHeaderLines, FRAME_END } from "./frame-encoder.js";
import { FrameParser } from "./frame-parser.js";
import { negotiateHeartbeat } from "./heartbeat.js";
import { newSessionId, newSubscriptionQueueName, newTempQueueName } from "./ids.js";
import type { BrokerLimits } from "./limits.js";
import type { BrokerLogger } from "./logger.js";
import { createMessage, encodedHeaders } from "./message.js";
import { Outbound } from "./outbound.js";
import type { MessageQueue, QueuedMessage } from "./queue.js";
import type { BrokerCounters } from "./stats.js";
import { ACK_MODES, type AckMode, Subscription, type SubscriptionSink } from "./subscription.js";
import { Transactions } from "./transactions.js";
import { negotiateVersion, type StompVersion, SUPPORTED_VERSIONS_HEADER } from "./version.js";
import type { VhostRegistry, VirtualHost } from "./vhost.js";

export interface SessionContext {
  readonly limits: BrokerLimits;
  readonly logger: BrokerLogger;
  readonly counters: BrokerCounters;
  readonly auth: Authenticator;
  readonly vhosts: VhostRegistry;
  /** CONNECTED `server` header. */
  readonly serverName: string;
  /** Monotonic ms, for message expiry. */
  readonly now: () => number;
  /**
   * A CONNECT's credentials checked out on `socket`; false when the broker
   * already serves `maxConnections` logged-in connections.
   */
  readonly onLoggedIn: (session: Session, socket: Socket) => boolean;
}

type State = "connecting" | "open" | "closing" | "closed";

/** How long a closing connection may take to flush its last frames before it is cut. */
const CLOSE_GRACE_MS = 2000;

/** Where a SEND goes: an exchange and routing key, or (no exchange) the default exchange. */
interface SendTarget {
  readonly exchange: Exchange | undefined;
  readonly routingKey: string;
}

/**
 * One client connection: the STOMP state machine between a socket and the
 * vhost it logged into. Every frame is handled synchronously; anything the
 * client got wrong is a StompError, answered with an ERROR frame and a
 * close. Unexpected exceptions are caught at the socket callbacks, so no
 * input can take the broker down.
 */
export class Session implements SubscriptionSink {
  readonly id = newSessionId();
  readonly remote: string;
  private version: StompVersion = "1.0";
  private state: State = "connecting";
  private readonly parser: FrameParser;
  private readonly out: Outbound;
  private vhost: VirtualHost | undefined;
  private login = "";
  private readonly subscriptions = new Map<string, Subscription>();
  /** `/temp-queue/<name>` name → the implicit subscription to its private queue. */
  private readonly tempQueues = new Map<string, Subscription>();
  /** Delivery tag → subscription, for unacknowledged deliveries. */
  private readonly ackIndex = new Map<number, Subscription>();
  private readonly transactions: Transactions;
  private deliveryTag = 0;
  private lastRead = Date.now();
  private readonly timers: NodeJS.Timeout[] = [];
  private paused = false;

  constructor(
    private readonly socket: Socket,
    private readonly context: SessionContext,
    private readonly onClosed: (session: Session) => void,
  ) {
    this.remote = `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
    // Until it has logged in, a client can make the broker buffer one header block and no
    // more: CONNECT has no use for a body, so waiting sockets cannot hold frames of maxFrameSize.
    this.parser = new FrameParser({
      maxHeaders: context.limits.maxHeaders,
      maxHeaderBytes: context.limits.maxHeaderBytes,
      maxFrameSize: Math.min(context.limits.maxFrameSize, context.limits.maxHeaderBytes),
    });
    this.out = new Outbound(socket);
    this.transactions = new Transactions(context.limits);
  }

  /** Outbound bytes the peer has not taken yet. */
  get pendingBytes(): number {
    return this.out.pendingBytes;
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  start(): void {
    const { socket } = this;
    socket.on("error", (error) =>
      this.context.logger.debug(`${this.remote}: socket error: ${error.message}`),
    );
    socket.on("data", (chunk: Buffer) => this.guard(() => this.onData(chunk)));
    socket.on("drain", () => this.guard(() => this.onDrain()));
    socket.on("close", () => this.guard(() => this.cleanup()));
    socket.setNoDelay(true);
    this.context.logger.debug(`${this.remote}: connection opened`);
  }

  /** Ends the connection without an ERROR (broker shutdown). */
  shutdown(): void {
    if (this.state === "closed") return;
    this.closeGracefully();
  }

  canWrite(): boolean {
    return (
      this.state === "open" &&
      this.out.writable &&
      this.out.pendingBytes < this.context.limits.maxPendingBytes
    );
  }

  deliver(subscription: Subscription, entry: QueuedMessage): void {
    const { spec } = subscription;
    const tag = ++this.deliveryTag;
    const messageId = `${spec.tag}@@${this.id}@@${tag}`;
    const headers: Header[] = [];
    if (spec.subscriptionHeader !== undefined) headers.push(["subscription", spec.subscriptionHeader]);
    headers.push(
      ["destination", entry.message.destination],
      ["message-id", messageId],
      ["redelivered", String(entry.redelivered)],
    );
    if (this.version === "1.2" && spec.ackMode !== "auto") headers.push(["ack", messageId]);
    const head = Buffer.from(`MESSAGE\n${encodeHeaderLines(headers, this.version)}`, "utf8");
    this.out.write(head, encodedHeaders(entry.message, this.version), entry.message.body, FRAME_END);
    this.context.counters.messagesDelivered++;
    if (spec.ackMode !== "auto") {
      subscription.track(tag, entry.message);
      this.ackIndex.set(tag, subscription);
    }
  }

  /** Runs a socket callback so that nothing it throws escapes into the event loop. */
  private guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.context.logger.error(`${this.remote}: internal error, closing the connection: ${detail}`);
      try {
        this.fail(new StompError("internal_error", "The broker failed to handle this frame; see its log\n"));
      } catch {
        this.socket.destroy();
      }
    }
  }

  private onData(chunk: Buffer): void {
    this.lastRead = Date.now();
    if (this.state !== "connecting" && this.state !== "open") return;
    this.parser.push(chunk);
    while (this.state === "connecting" || this.state === "open") {
      const item = this.parser.next();
      if (item === undefined) break;
      if (item instanceof StompProtocolError) {
        this.fail(item);
        break;
      }
      this.handle(item);
    }
    // A client that does not read what it asked for (receipts, messages) is not read either.
    if (!this.paused && this.out.pendingBytes >= this.context.limits.maxPendingBytes) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private onDrain(): void {
    if (this.paused && this.state !== "closed") {
      this.paused = false;
      this.socket.resume();
    }
    for (const subscription of this.subscriptions.values()) subscription.queue.dispatch();
    for (const subscription of this.tempQueues.values()) subscription.queue.dispatch();
  }

  private handle(frame: Frame): void {
    /** Work a frame handler leaves for after its RECEIPT. */
    let afterReceipt: (() => void) | undefined;
    try {
      if (this.state === "connecting" && frame.command !== "CONNECT" && frame.command !== "STOMP") {
        throw new StompError("Illegal command", "You must log in using CONNECT first\n");
      }
      switch (frame.command) {
        case "CONNECT":
        case "STOMP":
          this.onConnect(frame);
          return;
        case "DISCONNECT":
          this.onDisconnect(frame);
          return;
        case "SEND":
          this.onSend(frame);
          break;
        case "SUBSCRIBE":
          afterReceipt = this.onSubscribe(frame);
          break;
        case "UNSUBSCRIBE":
          this.onUnsubscribe(frame);
          break;
        case "ACK":
        case "NACK":
          this.onAck(frame);
          break;
        case "BEGIN":
          this.transactions.begin(this.transactionId(frame));
          break;
        case "COMMIT":
          this.transactions.commit(this.transactionId(frame));
          break;
        case "ABORT":
          this.transactions.abort(this.transactionId(frame));
          break;
        default:
          throw new StompError("Bad command", `Could not interpret command "${frame.command}"\n`);
      }
      this.receipt(frame);
      afterReceipt?.();
    } catch (error) {
      if (!(error instanceof StompError)) throw error;
      this.fail(error, frame);
    }
  }

  private onConnect(frame: Frame): void {
    if (this.state !== "connecting") {
      throw new StompError(
        "Bad CONNECT",
        "Already connected: CONNECT may be sent only once per connection\n",
      );
    }
    const version = negotiateVersion(getHeader(frame, "accept-version"));
    if (!version)
      throw new StompError("Version mismatch", `Supported versions are ${SUPPORTED_VERSIONS_HEADER}\n`);
    const login = getHeader(frame, "login");
    if (!this.context.auth.check(login, getHeader(frame, "passcode"))) {
      this.context.counters.authFailures++;
      this.context.logger.warn(`${this.remote}: access refused for user '${login ?? ""}'`);
      throw new StompError("Bad CONNECT", `Access refused for user '${login ?? ""}'\n`);
    }
    const vhost = this.context.vhosts.get(getHeader(frame, "host") ?? "/");
    const heartbeat = negotiateHeartbeat(getHeader(frame, "heart-beat"), this.context.limits.heartbeatMinMs);
    if (!this.context.onLoggedIn(this, this.socket)) {
      throw new StompError(
        "Too many connections",
        "The broker already serves as many logged-in connections as it may (maxConnections); try again later\n",
      );
    }

    this.vhost = vhost;
    this.login = login ?? "";
    this.version = version;
    this.parser.version = version;
    this.parser.limits = this.context.limits;
    this.state = "open";
    this.out.write(
      encodeFrame(
        "CONNECTED",
        [
          ["server", this.context.serverName],
          ["session", this.id],
          ["heart-beat", `${heartbeat.send},${heartbeat.receive}`],
          ["version", version],
        ],
        undefined,
        "raw",
      ),
    );
    this.startHeartbeats(heartbeat.send, heartbeat.receive);
    this.context.logger.debug(`${this.remote}: ${login} connected to vhost ${vhost.name} (STOMP ${version})`);
  }

  private onDisconnect(frame: Frame): void {
    this.receipt(frame);
    this.closeGracefully();
  }

  private onSend(frame: Frame): void {
    const vhost = this.openVhost();
    const raw = this.requireDestination(frame);
    if (getHeader(frame, "message-id") !== undefined) {
      throw new StompError("Invalid header", "'message-id' is not allowed on 'SEND'.\n");
    }
    const userId = getHeader(frame, "user-id");
    if (userId !== undefined && userId !== this.login) {
      // RabbitMQ's rule: a sender may not claim to be someone else.
      throw new StompError(
        "precondition_failed",
        `PRECONDITION_FAILED - user_id property set to '${userId}' but authenticated user was '${this.login}'`,
      );
    }
    const target = this.sendTarget(vhost, raw, parseDestination(raw));
    const message = createMessage({
      exchange: target.exchange?.name ?? "",
      routingKey: target.routingKey,
      headers: frame.headers,
      body: frame.body,
      replyTo: this.replyTo(vhost, getHeader(frame, "reply-to")),
      now: this.context.now(),
    });
    const publish = () => vhost.publish(target.exchange, target.routingKey, message);
    const transaction = getHeader(frame, "transaction");
    if (transaction === undefined) publish();
    else this.transactions.add(transaction, message.size, publish);
  }

  private sendTarget(vhost: VirtualHost, raw: string, destination: Destination): SendTarget {
    switch (destination.kind) {
      case "exchange":
        return { exchange: vhost.exchange(destination.exchange), routingKey: destination.routingKey };
      case "topic":
        return { exchange: vhost.exchange("amq.topic"), routingKey: destination.routingKey };
      case "queue":
        this.sharedQueue(vhost, destination.queue);
        return { exchange: undefined, routingKey: destination.queue };
      case "amq-queue":
      case "reply-queue":
        return { exchange: undefined, routingKey: destination.queue };
      case "temp-queue":
        throw new StompError("Invalid destination", `'${raw}' is not a valid destination for 'SEND'\n`);
    }
  }

  /**
   * RabbitMQ's temp queues: the first SEND with `reply-to:/temp-queue/<name>`
   * creates a private queue for this connection and subscribes it; every
   * later SEND with the same name reuses it. Receivers see
   * `/reply-queue/<generated>`, and what they send there comes back here.
   */
  private replyTo(vhost: VirtualHost, value: string | undefined): string | undefined {
    if (value === undefined || !value.startsWith("/temp-queue/")) return undefined;
    const destination = parseDestination(value);
    if (destination.kind !== "temp-queue") return undefined;
    let subscription = this.tempQueues.get(destination.name);
    if (!subscription) {
      if (this.tempQueues.size >= this.context.limits.maxTempQueues) {
        throw new StompError(
          "resource_limit",
          `at most ${this.context.limits.maxTempQueues} temp queues per connection (broker limit maxTempQueues)\n`,
        );
      }
      const queue = vhost.declareQueue(newTempQueueName(), { owner: this.id, autoDelete: false });
      subscription = new Subscription(
        {
          id: value,
          tag: `T_${value}`,
          subscriptionHeader: value,
          ackMode: "auto",
          prefetch: 0,
          queue,
          ownsQueue: true,
        },
        this,
      );
      queue.addConsumer(subscription);
      this.tempQueues.set(destination.name, subscription);
    }
    return `/reply-queue/${subscription.queue.name}`;
  }

  /** Returns the first dispatch, to run once the SUBSCRIBE's RECEIPT is out. */
  private onSubscribe(frame: Frame): () => void {
    const vhost = this.openVhost();
    const raw = this.requireDestination(frame);
    const idHeader = getHeader(frame, "id");
    const id = idHeader ?? raw;
    const tag = idHeader !== undefined ? `T_${idHeader}` : `Q_${raw}`;
    if (this.subscriptions.has(id)) {
      throw new StompError(
        "Duplicated subscription identifier",
        `A subscription identified by '${tag}' already exists.`,
      );
    }
    if (this.subscriptions.size >= this.context.limits.maxSubscriptions) {
      throw new StompError(
        "resource_limit",
        `at most ${this.context.limits.maxSubscriptions} subscriptions per connection (broker limit maxSubscriptions)\n`,
      );
    }
    const ackMode = parseAckMode(getHeader(frame, "ack"));
    const prefetch = parsePrefetch(getHeader(frame, "prefetch-count"), this.context.limits.maxUnacked);
    const { queue, ownsQueue } = this.subscriptionQueue(vhost, raw, parseDestination(raw));
    const subscription = new Subscription(
      { id, tag, subscriptionHeader: idHeader, ackMode, prefetch, queue, ownsQueue },
      this,
    );
    this.subscriptions.set(id, subscription);
    queue.addConsumer(subscription);
    // Messages already waiting follow the RECEIPT, so the client sees its subscription confirmed first.
    return () => queue.dispatch();
  }

  private subscriptionQueue(
    vhost: VirtualHost,
    raw: string,
    destination: Destination,
  ): { queue: MessageQueue; ownsQueue: boolean } {
    switch (destination.kind) {
      case "exchange":
      case "topic": {
        const exchange = vhost.exchange(destination.kind === "topic" ? "amq.topic" : destination.exchange);
        const queue = vhost.declareQueue(newSubscriptionQueueName(), { owner: this.id, autoDelete: true });
        exchange.bind(queue, destination.routingKey);
        return { queue, ownsQueue: true };
      }
      case "queue":
        return { queue: this.sharedQueue(vhost, destination.queue), ownsQueue: false };
      case "amq-queue": {
        const queue = vhost.queue(destination.queue);
        if (!queue) {
          throw new StompError(
            "not_found",
            `NOT_FOUND - no queue '${destination.queue}' in vhost '${vhost.name}'`,
          );
        }
        this.checkNotLocked(vhost, queue);
        return { queue, ownsQueue: false };
      }
      case "temp-queue":
      case "reply-queue":
        throw new StompError("Invalid destination", `'${raw}' is not a valid destination for 'SUBSCRIBE'\n`);
    }
  }

  /** `/queue/<name>`: declared on first use, as RabbitMQ does, and kept when its consumers leave. */
  private sharedQueue(vhost: VirtualHost, name: string): MessageQueue {
    const existing = vhost.queue(name);
    if (existing) {
      this.checkNotLocked(vhost, existing);
      return existing;
    }
    if (name.startsWith("amq.")) {
      throw new StompError(
        "access_refused",
        `ACCESS_REFUSED - queue name '${name}' contains reserved prefix 'amq.*'`,
      );
    }
    return vhost.declareQueue(name, { autoDelete: false });
  }

  private checkNotLocked(vhost: VirtualHost, queue: MessageQueue): void {
    if (queue.owner !== undefined && queue.owner !== this.id) {
      throw new StompError(
        "resource_locked",
        `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${queue.name}' in vhost '${vhost.name}'`,
      );
    }
  }

  private onUnsubscribe(frame: Frame): void {
    const idHeader = getHeader(frame, "id");
    const key = idHeader ?? getHeader(frame, "destination");
    if (key === undefined) {
      throw new StompError(
        "Missing destination",
        `"UNSUBSCRIBE" must include an 'id' or 'destination' header\n`,
      );
    }
    const subscription = this.subscriptions.get(key);
    if (!subscription) {
      const what = idHeader !== undefined ? `id='${key}'` : `destination='${key}'`;
      throw new StompError(
        "No subscription found",
        `UNSUBSCRIBE must refer to an existing subscription.\nSubscription to "${what}" not found.\n`,
      );
    }
    this.subscriptions.delete(key);
    this.cancel(subscription);
  }

  /** Ends a subscription: its unacknowledged messages go back to a shared queue, its own queue goes away. */
  private cancel(subscription: Subscription): void {
    const { queue } = subscription;
    const remaining = queue.removeConsumer(subscription);
    const unacked = subscription.takeUnacked();
    for (const [tag] of unacked) this.ackIndex.delete(tag);
    if (subscription.spec.ownsQueue || (queue.autoDelete && remaining === 0)) {
      this.vhost?.deleteQueue(queue);
    } else {
      queue.requeue(unacked.map(([, message]) => message));
    }
  }

  private onAck(frame: Frame): void {
    const header = this.version === "1.2" ? "id" : "message-id";
    const raw = getHeader(frame, header) ?? getHeader(frame, header === "id" ? "message-id" : "id");
    const deliveryTag = parseDeliveryTag(raw);
    if (deliveryTag === undefined) {
      throw new StompError("Invalid header", `"${frame.command}" must include a valid "${header}" header\n`);
    }
    const ack = frame.command === "ACK";
    const requeue = getHeader(frame, "requeue") !== "false";
    const settle = () => this.settle(deliveryTag, ack, requeue);
    const transaction = getHeader(frame, "transaction");
    if (transaction === undefined) settle();
    else this.transactions.add(transaction, 64, settle);
  }

  private settle(deliveryTag: number, ack: boolean, requeue: boolean): void {
    const subscription = this.ackIndex.get(deliveryTag);
    if (!subscription) {
      this.context.logger.debug(`${this.remote}: ignoring ACK/NACK of unknown delivery ${deliveryTag}`);
      return;
    }
    const settled = subscription.settle(deliveryTag);
    for (const [tag] of settled) this.ackIndex.delete(tag);
    if (ack) this.context.counters.messagesAcked += settled.length;
    else if (requeue) subscription.queue.requeue(settled.map(([, message]) => message));
    subscription.queue.dispatch();
  }

  private transactionId(frame: Frame): string {
    const id = getHeader(frame, "transaction");
    if (id === undefined) {
      throw new StompError("Missing transaction", `"${frame.command}" must include a 'transaction' header\n`);
    }
    return id;
  }

  private requireDestination(frame: Frame): string {
    const destination = getHeader(frame, "destination");
    if (destination === undefined) {
      throw new StompError("Missing destination", `"${frame.command}" must include a 'destination' header\n`);
    }
    return destination;
  }

  private openVhost(): VirtualHost {
    if (!this.vhost) throw new StompError("Illegal command", "You must log in using CONNECT first\n");
    return this.vhost;
  }

  private receipt(frame: Frame): void {
    const id = getHeader(frame, "receipt");
    if (id === undefined || this.state !== "open") return;
    this.out.write(encodeFrame("RECEIPT", [["receipt-id", id]], undefined, this.version));
  }

  /** Sends ERROR (RabbitMQ's header layout) and closes, as STOMP requires after an ERROR. */
  private fail(error: StompError, frame?: Frame): void {
    if (this.state === "closing" || this.state === "closed") return;
    this.context.counters.errorsSent++;
    this.context.logger.debug(`${this.remote}: ERROR ${error.message}`);
    const body = Buffer.from(error.detail, "utf8");
    const headers: Header[] = [["message", error.summary]];
    const receipt = frame && getHeader(frame, "receipt");
    if (receipt !== undefined) headers.push(["receipt-id", receipt]);
    headers.push(
      ["content-type", "text/plain"],
      ["version", SUPPORTED_VERSIONS_HEADER],
      ["content-length", String(body.length)],
    );
    this.out.write(encodeFrame("ERROR", headers, body, this.state === "open" ? this.version : "1.0"));
    this.closeGracefully();
  }

  private closeGracefully(): void {
    if (this.state === "closing" || this.state === "closed") return;
    this.state = "closing";
    this.clearTimers();
    this.socket.end();
    this.timers.push(setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref());
  }

  private startHeartbeats(send: number, receive: number): void {
    if (send > 0) {
      // Checking at half the period keeps the gap between two writes under one period.
      const every = Math.max(1, Math.floor(send / 2));
      this.timers.push(
        setInterval(() => {
          if (Date.now() - this.out.lastWriteAt >= every) this.out.write(Buffer.from("\n"));
        }, every).unref(),
      );
    }
    if (receive > 0) {
      const deadline = receive * this.context.limits.heartbeatGrace;
      this.timers.push(
        setInterval(() => {
          const silent = Date.now() - this.lastRead;
          if (silent <= deadline || this.state !== "open") return;
          this.context.counters.heartbeatTimeouts++;
          this.context.logger.info(
            `${this.remote}: no heart-beat for ${silent} ms (agreed ${receive} ms), closing`,
          );
          this.socket.destroy();
        }, receive).unref(),
      );
    }
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
  }

  private cleanup(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    try {
      this.clearTimers();
      this.transactions.abortAll();
      for (const subscription of this.subscriptions.values()) this.cancel(subscription);
      for (const subscription of this.tempQueues.values()) this.vhost?.deleteQueue(subscription.queue);
      this.subscriptions.clear();
      this.tempQueues.clear();
      this.ackIndex.clear();
      this.context.logger.debug(`${this.remote}: connection closed`);
    } finally {
      this.onClosed(this);
    }
  }
}

function parseAckMode(value: string | undefined): AckMode {
  if (value === undefined) return "auto";
  if ((ACK_MODES as readonly string[]).includes(value)) return value as AckMode;
  throw new StompError("Invalid header", `ack '${value}' is not one of ${ACK_MODES.join(", ")}\n`);
}

/** `prefetch-count` (RabbitMQ's extension); 0 or absent means only the broker's own cap. */
function parsePrefetch(value: string | undefined, cap: number): number {
  if (value === undefined) return cap;
  if (!/^[0-9]+$/.test(value)) {
    throw new StompError("Invalid header", `prefetch-count '${value}' is not a non-negative integer\n`);
  }
  const count = Number(value);
  return count === 0 ? cap : Math.min(count, cap);
}

/** Message ids are `<consumer tag>@@<session>@@<delivery tag>`; only the last part matters. */
function parseDeliveryTag(messageId: string | undefined): number | undefined {
  if (messageId === undefined) return undefined;
  const at = messageId.lastIndexOf("@@");
  const tail = at < 0 ? "" : messageId.slice(at + 2);
  return /^[0-9]{1,15}$/.test(tail) ? Number(tail) : undefined;
}

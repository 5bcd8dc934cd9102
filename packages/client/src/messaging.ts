import type {
  BroadcastEnd,
  Config,
  Connector,
  DiscoveryClient,
  InboundMessage,
  Logger,
  ReplyEnvelope,
  RubyValue,
  SecurityProvider,
} from "@phobos/core";
import {
  ClientTimeoutError,
  ConnectorError,
  createRequestId,
  emptyFilter,
  type Filter,
  SecurityError,
  validateFilter,
} from "@phobos/core";

export interface RequestSpec {
  agent: string;
  /** The payload: `"ping"` or a SimpleRPC request Hash. */
  body: RubyValue;
  filter: Filter;
  collective?: string;
  /** Seconds the request stays valid; the client's `ttl` when absent. */
  ttl?: number;
  /** Send one directed copy per node (`direct_request`) instead of a broadcast. */
  nodes?: string[];
  /** Seconds to wait for replies. */
  timeout: number;
  /**
   * When to stop before the timeout: the identities expected (stop once all
   * answered) or a count; empty/0 waits out the full timeout.
   */
  expect?: string[] | number;
  /**
   * The sliding window: seconds without a reply, counted from the last one,
   * after which collecting stops; before the first reply only the timeout
   * counts. 0 or absent: the timeout alone (MCollective's fixed window).
   */
  quietWindow?: number;
  /** Reuse an id (batches share one request id, as in MCollective). */
  requestid?: string;
  /** Each reply as it arrives; return `"stop"` to stop collecting. */
  onReply?: (reply: ReplyEnvelope, message: InboundMessage) => "stop" | undefined;
  /** Fire and forget (`--no-results`, `--reply-to`): publish and return. */
  noReplies?: boolean;
}

export interface RequestStats {
  requestid: string;
  responses: number;
  /** Expected identities that never answered. */
  noresponsefrom: string[];
  /** Answers from identities nobody expected. */
  unexpectedresponsefrom: string[];
  /** Epoch ms. */
  starttime: number;
  /** Seconds from publishing to the last reply (or the timeout). */
  blocktime: number;
  totaltime: number;
}

/** What this client's requests heard back: the evidence for {@link MessagingClient.silenceHint}. */
export interface ReplyTally {
  /** Requests that waited for replies. */
  waited: number;
  /** Replies routed to a request. */
  answered: number;
  /** Messages on the reply queue that failed to decode or validate (each logged). */
  refused: number;
  /**
   * Waiting requests that got no reply although they went to named nodes or
   * to every node (no fact, class, identity or compound filter): a filter
   * nobody matches is no reason to suspect the set-up.
   */
  unansweredWide: number;
}

function selectsEveryNode(filter: Filter): boolean {
  return (
    filter.fact.length === 0 &&
    filter.cf_class.length === 0 &&
    filter.identity.length === 0 &&
    filter.compound.length === 0
  );
}

/** A broadcast's early ends as request fields; an empty expected set says nothing, so it is dropped. */
function broadcastEnd(end: BroadcastEnd): Pick<RequestSpec, "quietWindow" | "expect"> {
  return {
    ...(end.window !== undefined && end.window > 0 ? { quietWindow: end.window } : {}),
    ...(end.expected !== undefined && end.expected.length > 0 ? { expect: [...end.expected] } : {}),
  };
}

interface Outstanding {
  spec: RequestSpec;
  responded: (reply: ReplyEnvelope, message: InboundMessage) => void;
}

/**
 * MCollective's Client: one connection, requests out, replies in. Replies
 * are decoded and verified by the security plugin and routed by request id;
 * a reply for no outstanding request (a late discovery answer, another
 * client's traffic) is logged and dropped.
 */
export class MessagingClient {
  readonly #config: Config;
  readonly #connector: Connector;
  readonly #security: SecurityProvider;
  readonly #log: Logger;
  readonly #outstanding = new Map<string, Outstanding>();
  #sequence = 0;
  readonly #tally: ReplyTally = { waited: 0, answered: 0, refused: 0, unansweredWide: 0 };
  ttl: number;
  collective: string;
  replyTo: string | undefined;
  publishTimeout: number;

  constructor(options: {
    config: Config;
    connector: Connector;
    security: SecurityProvider;
    log: Logger;
    ttl?: number;
    collective?: string;
    replyTo?: string;
    publishTimeout?: number;
  }) {
    this.#config = options.config;
    this.#connector = options.connector;
    this.#security = options.security;
    this.#log = options.log;
    this.ttl = options.ttl ?? options.config.ttl;
    this.collective = options.collective ?? options.config.mainCollective;
    this.replyTo = options.replyTo;
    this.publishTimeout = options.publishTimeout ?? options.config.publishTimeout;
    this.#connector.onMessage((message) => this.#receive(message));
  }

  get connector(): Connector {
    return this.#connector;
  }

  get security(): SecurityProvider {
    return this.#security;
  }

  /** The client's request counter, as Client.request_sequence (ActiveMQ reply queues use it). */
  get sequence(): number {
    return this.#sequence;
  }

  get replyTally(): Readonly<ReplyTally> {
    return { ...this.#tally };
  }

  /**
   * One line suggesting why, when every request that waited went unanswered
   * and at least one could not have been filtered away, though the broker
   * took the requests. A daemon drops a request it cannot validate (another
   * psk, another security provider, a collective it is not in) without a
   * reply, so the client cannot tell which; it can only name the candidates.
   */
  silenceHint(): string | undefined {
    const t = this.#tally;
    if (t.waited === 0 || t.answered > 0 || t.unansweredWide === 0) return undefined;
    const security =
      this.#config.securityProvider === "psk"
        ? "securityprovider 'psk' and plugin.psk"
        : `securityprovider '${this.#config.securityProvider}' and its keys`;
    const refused = t.refused > 0 ? `, and ${t.refused} reply message(s) failed validation` : "";
    return `No node answered${refused}: if mcollectived runs on them, check that ${security} and collective '${this.collective}' match the daemons' (a daemon drops a request it cannot validate without replying)`;
  }

  /** Connects within `timeoutSeconds`, failing with a message that names the brokers tried. */
  async connect(timeoutSeconds?: number): Promise<void> {
    try {
      await this.#connector.connect(timeoutSeconds ? { timeoutMs: timeoutSeconds * 1000 } : {});
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      throw new ConnectorError(`Could not connect to the middleware: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async disconnect(): Promise<void> {
    await this.#connector.disconnect();
  }

  /** Publishes a request and collects its replies; resolves with the counts when done. */
  async request(spec: RequestSpec): Promise<RequestStats> {
    const collective = spec.collective ?? this.collective;
    if (!this.#config.collectives.includes(collective)) {
      throw new ConnectorError(
        `Unknown collective '${collective}' known collectives are '${this.#config.collectives.join(", ")}'`,
      );
    }
    // Every daemon would fail on such a filter while the client waited out its timeout.
    if (spec.nodes === undefined) validateFilter(spec.filter);
    const requestid = spec.requestid ?? createRequestId();
    const ttl = spec.ttl ?? this.ttl;
    this.#sequence++;
    const requestSeq = this.#sequence;
    const direct = spec.nodes !== undefined;
    // A directed request only needs the agent filter: the broker already picked the nodes.
    const filter = direct ? { ...emptyFilter(), agent: [spec.agent] } : spec.filter;
    const body = this.#security.encodeRequest({
      senderid: this.#config.identity,
      requestid,
      filter,
      collective,
      agent: spec.agent,
      ttl,
      msgtime: Math.floor(Date.now() / 1000),
      body: spec.body,
    });
    const expectList = Array.isArray(spec.expect) ? spec.expect : undefined;
    const expectCount = typeof spec.expect === "number" ? spec.expect : (expectList?.length ?? 0);
    const waitingFor = new Map<string, number>();
    for (const node of expectList ?? []) waitingFor.set(node, (waitingFor.get(node) ?? 0) + 1);
    const unexpected: string[] = [];
    const starttime = Date.now();
    const started = performance.now();
    let responses = 0;
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const replySub = { kind: "reply" as const, agent: spec.agent, collective, requestSeq };
    const collecting = !spec.noReplies && !this.replyTo;
    const quietMs = (spec.quietWindow ?? 0) * 1000;
    let quietTimer: NodeJS.Timeout | undefined;

    if (collecting) {
      this.#tally.waited++;
      this.#outstanding.set(requestid, {
        spec,
        responded: (reply, message) => {
          responses++;
          const left = waitingFor.get(reply.senderid);
          if (left === undefined) {
            if (expectList) unexpected.push(reply.senderid);
          } else if (left <= 1) {
            waitingFor.delete(reply.senderid);
          } else {
            waitingFor.set(reply.senderid, left - 1);
          }
          let stop = false;
          try {
            stop = spec.onReply?.(reply, message) === "stop";
          } catch (err) {
            this.#log.error(`processing the reply from ${reply.senderid} failed: ${(err as Error).stack}`);
          }
          if (stop || (expectList && expectList.length > 0 && waitingFor.size === 0)) finish();
          else if (!expectList && expectCount > 0 && responses >= expectCount) finish();
          else if (quietMs > 0) {
            clearTimeout(quietTimer);
            quietTimer = setTimeout(finish, quietMs);
          }
        },
      });
      await this.#connector.subscribe(replySub);
    }

    let timer: NodeJS.Timeout | undefined;
    try {
      this.#log.debug(
        `Sending request ${requestid} for agent '${spec.agent}' with ttl ${ttl} in collective '${collective}'`,
      );
      await this.#publish({
        kind: direct ? "direct_request" : "request",
        agent: spec.agent,
        collective,
        body,
        ttl,
        ...(direct ? { nodes: spec.nodes } : {}),
        ...(this.replyTo ? { replyTo: this.replyTo } : {}),
        requestSeq,
      });
      if (!collecting) {
        return {
          requestid,
          responses: 0,
          noresponsefrom: [],
          unexpectedresponsefrom: [],
          starttime,
          blocktime: 0,
          totaltime: 0,
        };
      }
      if (expectList && expectList.length === 0 && spec.expect !== undefined) finish();
      timer = setTimeout(finish, spec.timeout * 1000);
      await finished;
    } finally {
      clearTimeout(timer);
      clearTimeout(quietTimer);
      this.#outstanding.delete(requestid);
      if (collecting) await this.#connector.unsubscribe(replySub).catch(() => {});
    }
    this.#tally.answered += responses;
    if (responses === 0 && (direct || selectsEveryNode(spec.filter))) this.#tally.unansweredWide++;
    const blocktime = (performance.now() - started) / 1000;
    const noresponsefrom = [...waitingFor.keys()];
    if (noresponsefrom.length > 0) {
      // MCollective warns here too: with loglevel warn an operator sees who stayed silent.
      this.#log.warn(
        `Could not receive all responses. Did not receive responses from ${noresponsefrom.join(", ")}`,
      );
    }
    return {
      requestid,
      responses,
      noresponsefrom,
      unexpectedresponsefrom: unexpected,
      starttime,
      blocktime,
      totaltime: blocktime,
    };
  }

  /** What discovery plugins may use: a broadcast and the senders that answer. */
  readonly discovery: DiscoveryClient = {
    broadcast: async (agent, body, filter, options) => {
      const found = new Set<string>();
      await this.request({
        agent,
        body,
        filter,
        // Discovery for a client of another collective (`-T`) asks that collective.
        ...(filter.collective !== undefined ? { collective: filter.collective } : {}),
        timeout: options.timeout,
        ...broadcastEnd(options),
        onReply: (reply) => {
          found.add(reply.senderid);
          options.onReply(reply.senderid);
          if (options.limit > 0 && found.size >= options.limit) return "stop";
          return undefined;
        },
      });
    },
  };

  async #publish(message: Parameters<Connector["publish"]>[0]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.publishTimeout * 1000);
    });
    try {
      const outcome = await Promise.race([this.#connector.publish(message), timeout]);
      if (outcome === "timeout") {
        throw new ClientTimeoutError(
          `Could not publish all messages within ${this.publishTimeout}s (publish_timeout): is ${this.#connector.describe()} reachable?`,
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #receive(message: InboundMessage): void {
    let reply: ReplyEnvelope;
    try {
      reply = this.#security.decodeReply(message.body);
    } catch (err) {
      this.#tally.refused++;
      const from = message.headers.mc_sender ?? "an unknown sender";
      if (err instanceof SecurityError) this.#log.warn(`Ignoring a reply from ${from}: ${err.message}`);
      else this.#log.warn(`Failed to decode a message from '${from}': ${(err as Error).message}`);
      return;
    }
    const outstanding = this.#outstanding.get(reply.requestid);
    if (!outstanding) {
      this.#log.debug(
        `Ignoring a reply from ${reply.senderid} for request ${reply.requestid}: no such request outstanding`,
      );
      return;
    }
    outstanding.responded(reply, message);
  }
}

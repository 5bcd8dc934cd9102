/**
 * The plugin contract, one interface per plugin type.
 *
 * A plugin module default-exports what a `define<Type>()` helper returns: a
 * branded, versioned definition whose `create(ctx)` builds the live plugin.
 * `ctx` carries only the plugin's own `plugin.<name>.*` settings, a logger
 * tagged with the plugin's name, an abort signal fired at shutdown, and who
 * we are (identity, client or server). Policy — input validation, timeouts,
 * caching, authorization, audit, error mapping — stays in core; a plugin
 * supplies mechanism only. Errors a plugin throws are re-tagged by core with
 * the plugin's type and name, keeping the cause.
 */

import type { Ddl, DdlMetadata } from "@phobos/ddl";
import type { RubyValue } from "@phobos/ruby";
import type { PluginSettings } from "../config/plugin-settings.js";
import type { Facts, FactValue } from "../filter/fact-value.js";
import type { Logger } from "../log/logger.js";
import type { DecodedRequest, ReplyEnvelope, RequestEnvelope } from "../message/envelope.js";
import type { Filter } from "../message/filter.js";
import type { ApplicationOptionSpec, OptionSection } from "./application-options.js";

/** Bumped only when a plugin written for the old contract would misbehave. */
export const PLUGIN_API_VERSION = 1;

export const PLUGIN_TYPES = [
  "connector",
  "security",
  "discovery",
  "facts",
  "agent",
  "application",
  "data",
  "validator",
  "audit",
  "authorization",
  "registration",
  "aggregate",
] as const;
export type PluginType = (typeof PLUGIN_TYPES)[number];

export interface PluginContext {
  /** This plugin's `plugin.<name>.*` settings, prefix removed. */
  settings: PluginSettings;
  log: Logger;
  /** Fires when the process shuts down: close sockets, stop timers. */
  signal: AbortSignal;
  /** The configured identity of this node or client. */
  identity: string;
  mode: "client" | "server";
  /**
   * Client side: the person the client acts for when that is not the
   * process's own user (a web console signs each request for its signed-in
   * user). Security plugins that name the caller by user (psk's
   * `callertype = user`) name this one; absent, the OS user.
   */
  user?: string;
}

// ---------------------------------------------------------------- connector

export type Subscription =
  | { kind: "broadcast"; agent: string; collective: string }
  | { kind: "directed"; collective: string }
  /** Client side, before each request; a no-op where the broker makes reply queues itself. */
  | { kind: "reply"; agent: string; collective: string; requestSeq: number };

export interface InboundMessage {
  body: Uint8Array;
  headers: Readonly<Record<string, string>>;
}

export interface OutboundRequest {
  kind: "request" | "direct_request";
  agent: string;
  collective: string;
  body: Uint8Array;
  /** Seconds; connectors turn it into broker expiry headers. */
  ttl: number;
  /** `direct_request`: one copy per node. */
  nodes?: string[];
  /** `--reply-to`: a custom reply destination; the client then receives nothing. */
  replyTo?: string;
  /** The client's request counter (1, 2, …): ActiveMQ names reply queues with it. */
  requestSeq: number;
}

export interface OutboundReply {
  kind: "reply";
  body: Uint8Array;
  ttl: number;
  /** The request being answered: replies go to its reply-to. */
  request: InboundMessage;
}

export type ConnectorState = "connected" | "disconnected" | "reconnecting";

/**
 * A connector moves opaque message bodies between mco and mcollectived
 * through a middleware, and owns the middleware's naming: which destination
 * a broadcast, a directed request, or a reply goes to, and which headers
 * ride along. It connects (with failover and back-off), subscribes, publishes
 * and delivers; it never looks inside a body.
 */
export interface Connector {
  /**
   * Resolves when connected. Without `timeoutMs` it keeps trying (daemons);
   * with it, it rejects with a ConnectorError naming every broker tried.
   * A call while a connection is being made joins that attempt, with its
   * own deadline (mco starts connecting before it knows the timeout, and
   * asks again with it once the application wants the broker); once
   * connected it resolves at once.
   */
  connect(options?: { timeoutMs?: number }): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: Subscription): Promise<void>;
  unsubscribe(subscription: Subscription): Promise<void>;
  publish(message: OutboundRequest | OutboundReply): Promise<void>;
  /** Where deliveries go; set once, before `connect`. */
  onMessage(handler: (message: InboundMessage) => void): void;
  onStateChange?(handler: (state: ConnectorState, detail: string) => void): void;
  /** For logs: `stomp://mcollective@127.0.0.1:61613`. */
  describe(): string;
}

// ----------------------------------------------------------------- security

/**
 * A security provider turns a request or reply into the signed envelope
 * bytes MCollective puts on the wire and back, and says who the caller is.
 * Decoding verifies: a bad hash or signature throws SecurityError and the
 * message is dropped. Filter matching, ttl and replay checks are core's.
 */
export interface SecurityProvider {
  /** `uid=0`, `cert=alice`, …: must match `^[\w]+=[\w.\-]+$`. */
  callerId(): string;
  encodeRequest(request: RequestEnvelope): Uint8Array;
  decodeRequest(bytes: Uint8Array): DecodedRequest;
  encodeReply(reply: ReplyEnvelope, request: DecodedRequest): Uint8Array;
  decodeReply(bytes: Uint8Array): ReplyEnvelope;
}

// -------------------------------------------------------------------- facts

/**
 * A facts source reads this node's facts. Core caches them for
 * `fact_cache_time` seconds and keeps the last good set when a load fails.
 */
export interface FactsSource {
  load(): Promise<Facts>;
  /** True when the backing data changed since the last load (reload early). */
  changed?(): boolean | Promise<boolean>;
}

// ---------------------------------------------------------------- discovery

/** What a discovery method may ask of the client: a broadcast and its replies. */
/** When a broadcast may end before its timeout; see {@link DiscoveryClient.broadcast}. */
export interface BroadcastEnd {
  /** Seconds without a reply, after the first, that end it (the sliding window); 0 or absent: never. */
  window?: number;
  /**
   * The nodes expected to answer: it ends once every one of them did, and
   * those that did not are logged (a warning naming them).
   */
  expected?: readonly string[];
}

export interface DiscoveryClient {
  /**
   * Broadcast `body` to `agent` with `filter` and report each replying
   * sender until `timeout` seconds pass, `limit` (> 0) replies arrived, or
   * an end of `BroadcastEnd` comes first.
   */
  broadcast(
    agent: string,
    body: RubyValue,
    filter: Filter,
    options: { timeout: number; limit: number; onReply: (sender: string) => void } & BroadcastEnd,
  ): Promise<void>;
}

export interface DiscoveryRequest {
  filter: Filter;
  /** Seconds. */
  timeout: number;
  /** 0 for no limit. */
  limit: number;
  /** `--do` values, in order. */
  options: string[];
  client: DiscoveryClient;
  /**
   * When a broadcasting method may stop waiting (`discovery_window`, the
   * `discovery_expected` method's nodes): hand it to `client.broadcast`.
   * Methods that do not broadcast ignore it.
   */
  end?: BroadcastEnd;
  /**
   * The client's input (what was piped to mco, or an openClient script's
   * `stdin`), read on the first call and the same text on every later one:
   * stdin discovery's node list. Absent when the client was given none.
   */
  stdin?: () => Promise<string>;
}

/** Turns a filter into the identities it selects (broadcast, a file, PuppetDB…). */
export interface DiscoveryMethod {
  discover(request: DiscoveryRequest): Promise<string[]>;
}

// -------------------------------------------------------------------- agent

export interface DaemonStats {
  starttime: number;
  total: number;
  validated: number;
  unvalidated: number;
  filtered: number;
  passed: number;
  replies: number;
  ttlexpired: number;
}

/** What mcollectived lends agents and data plugins (rpcutil needs most of it). */
export interface AgentServices {
  identity: string;
  version: string;
  configFile: string;
  collectives: string[];
  mainCollective: string;
  facts(): Promise<Facts>;
  classes(): Promise<string[]>;
  /** Active agents by name. */
  agents(): string[];
  agentMetadata(agent: string): DdlMetadata | undefined;
  /** Active data plugins, as MCollective names them (`fstat_data`). */
  dataSources(): string[];
  queryData(source: string, query: string | null): Promise<Record<string, unknown>>;
  stats(): DaemonStats;
  /** `get_config_item`: a config key's effective value, or `found: false`. */
  configItem(name: string): { found: boolean; value?: unknown };
}

export interface ServerPluginContext extends PluginContext {
  services: AgentServices;
}

/** A SimpleRPC request as an action sees it: inputs already DDL-validated. */
export interface RpcRequest {
  agent: string;
  action: string;
  data: Record<string, unknown>;
  sender: string;
  caller: string;
  requestid: string;
  /** Epoch seconds. */
  time: number;
}

/** The reply under construction: outputs pre-filled from the DDL defaults. */
export interface RpcReply {
  data: Record<string, unknown>;
  statuscode: number;
  statusmsg: string;
  /** Record a failure and carry on (MCollective's `reply.fail`). */
  fail(message: string, statuscode?: number): void;
}

/** What an action is called with: the request, and the signal of its deadline. */
export interface ActionRequest extends RpcRequest {
  /**
   * Aborted when the daemon gives up on the action (its DDL timeout passed
   * and the client was answered status 5): stop the work and end what was
   * started. `runCommand` from `@phobos/server` honours it by itself,
   * killing the command's process group.
   */
  readonly signal: AbortSignal;
}

/**
 * An action. It must not block: the daemon runs every request on one event
 * loop, so a synchronous wait (a busy loop, `execSync`, `readFileSync` of a
 * slow mount) stops every other request, the broker heart-beats and the
 * timeout that would end it. Run tools with `runCommand` and use async I/O.
 */
export type ActionHandler = (request: ActionRequest, reply: RpcReply) => void | Promise<void>;

export interface Agent {
  actions: Record<string, ActionHandler>;
  /**
   * Agents that are not SimpleRPC (`discovery` answers `"ping"` with
   * `"pong"`) take the bare payload; returning undefined sends no reply.
   */
  handleRaw?(
    payload: RubyValue,
    request: DecodedRequest,
  ): RubyValue | undefined | Promise<RubyValue | undefined>;
}

// --------------------------------------------------------------------- data

export type DataValue = string | number | boolean | null;

/** A data plugin answers one query: `fstat('/etc/hosts')` → `{size: 158, …}`. */
export interface DataSource {
  query(argument: string | number | boolean | null): Promise<Record<string, DataValue>>;
}

// ---------------------------------------------------------------- validator

/** A DDL validator (`:validation => :package_name`): throw an Error to refuse. */
export interface Validator {
  validate(value: unknown, argument?: unknown): void;
}

// ---------------------------------------------------------------- aggregate

export interface AggregateResult {
  /**
   * `numeric`: one value (sum, average), or several that fill the format's
   * conversions in turn, as Ruby's `format % array` does (nettest_mma's
   * min, max and average); `collection`: counts per value (summary).
   */
  type: "numeric" | "collection";
  value: number | readonly number[] | Map<unknown, number>;
  output: string;
  format?: string;
}

/** One running aggregation over one output of one request's replies. */
export interface AggregateRun {
  process(value: unknown): void;
  result(): AggregateResult;
}

export interface Aggregate {
  start(spec: { output: string; args: unknown[]; format?: string }): AggregateRun;
}

// --------------------------------------------------- audit / authorization

export interface AuditRecord {
  time: Date;
  requestid: string;
  agent: string;
  action: string;
  caller: string;
  sender: string;
  data: Record<string, unknown>;
  /** Epoch seconds the request was created (its msgtime): MCollective's `reqtime=`. */
  requestTime?: number;
  /**
   * The authorization verdict when an authorization plugin ran. Phobos
   * audits refused requests too (MCollective audited only allowed ones), so
   * the audit trail shows every attempt.
   */
  authorization?: AuthorizationResult;
}

export interface Audit {
  audit(record: AuditRecord): void | Promise<void>;
}

export type AuthorizationResult = { allowed: true } | { allowed: false; reason: string };

export interface Authorization {
  authorize(request: RpcRequest): AuthorizationResult | Promise<AuthorizationResult>;
}

// ------------------------------------------------------------- registration

/** Produces the body a daemon sends to the `registration` agent every interval. */
export interface Registration {
  body(): RubyValue | Promise<RubyValue>;
}

// -------------------------------------------------------------- application

/**
 * An `mco <name>` command (MCollective's Application). It declares its
 * usage lines, its own options and the standard option sections it does
 * without; mco parses the command line against them (so `--help` needs no
 * network) and calls `run` with the result. `run` resolves to the exit
 * code; undefined means 0. The invocation is built by mco, so its type
 * (`ApplicationInvocation`) and `defineApplication` live in the client,
 * which the plugin host here does not load.
 */
export interface Application<Invocation = never> {
  /** `Usage:` lines of `--help` (a line may hold several, as `mco plugin`'s does). */
  readonly usage?: readonly string[];
  /** Options of its own, shown under "Application Options" in declaration order. */
  readonly options?: readonly ApplicationOptionSpec[];
  /** Standard sections left out (`mco plugin` needs no host filters). */
  readonly excludeSections?: readonly OptionSection[];
  run(invocation: Invocation): Promise<number | undefined>;
}

// ------------------------------------------------------------- definitions

export interface PluginInstanceMap {
  connector: Connector;
  security: SecurityProvider;
  discovery: DiscoveryMethod;
  facts: FactsSource;
  agent: Agent;
  application: Application;
  data: DataSource;
  validator: Validator;
  audit: Audit;
  authorization: Authorization;
  registration: Registration;
  aggregate: Aggregate;
}

export interface PluginContextMap {
  connector: PluginContext;
  security: PluginContext;
  discovery: PluginContext;
  facts: PluginContext;
  agent: ServerPluginContext;
  application: PluginContext;
  data: ServerPluginContext;
  validator: PluginContext;
  audit: PluginContext;
  /** Policies look at the node: its facts, classes and data plugins (and its config directory). */
  authorization: ServerPluginContext;
  registration: ServerPluginContext;
  aggregate: PluginContext;
}

export const PLUGIN_BRAND: unique symbol = Symbol.for("phobos.plugin") as never;

export interface PluginDefinition<T extends PluginType = PluginType> {
  readonly [PLUGIN_BRAND]: { readonly type: T; readonly api: number };
  readonly type: T;
  readonly name: string;
  /** Shown by `mco plugin doc`. */
  readonly description?: string;
  /**
   * Config keys the plugin reads besides its own `plugin.<name>.*`, as
   * prefixes of what follows `plugin.`: the ssl plugin's `["ssl_"]` gives it
   * `plugin.ssl_server_private` as the setting `ssl_server_private`. For
   * MCollective's own spellings (`plugin.actionpolicy.*`, `plugin.rpcaudit.*`),
   * so existing config files work unchanged.
   */
  readonly settingsPrefixes?: readonly string[];
  /** Decide at load whether this node should run the plugin (`activate_when`). */
  readonly activate?: (ctx: PluginContextMap[T]) => boolean | Promise<boolean>;
  readonly create: (ctx: PluginContextMap[T]) => PluginInstanceMap[T] | Promise<PluginInstanceMap[T]>;
}

/** What a plugin author writes: the definition without the brand. */
export type PluginSpec<T extends PluginType> = Omit<PluginDefinition<T>, typeof PLUGIN_BRAND | "type">;

export type { Ddl, DecodedRequest, Facts, FactValue, ReplyEnvelope, RequestEnvelope };

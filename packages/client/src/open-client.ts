/**
 * `openClient`: MCollective's `rpcclient("agent")` for scripts. It finds
 * the config as mco does, the plugins as mco does, connects as mco does,
 * and hands out RPC clients built on the same engines (RpcClient,
 * Discoverer, MessagingClient) that print nothing: the script gets each
 * reply as it arrives and the statistics at the end.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ConfigLine, Logger, PluginRegistry } from "@phobos/core";
import {
  applyConfigLines,
  buildFilter,
  type Config,
  checkConsistency,
  chooseConfigFile,
  clientLogger,
  didYouMean,
  discoverClientPlugins,
  formatDidYouMean,
  type HostFilterOption,
  loadConfig,
  UsageError,
} from "@phobos/core";
import { loadAgentDdl } from "./agent-ddl.js";
import { type ClientInput, readInputOnce } from "./client-input.js";
import { type ConnectOptions, connectMessaging } from "./connect.js";
import { Discoverer } from "./discoverer.js";
import type { MessagingClient } from "./messaging.js";
import { RpcClient, type RpcResult } from "./rpc-client.js";
import type { RpcStats } from "./rpc-stats.js";

export interface OpenClientOptions {
  /**
   * A client.cfg path, or a Config already loaded. Absent: mco's lookup,
   * `-c`/`--config` in MCOLLECTIVE_EXTRA_OPTS, else `~/.mcollective`, else
   * `/etc/puppetlabs/mcollective/client.cfg`, else `/etc/mcollective/client.cfg`.
   */
  config?: string | Config;
  /**
   * Config keys set on top of the file, as they would be written in it:
   * `{ identity: "deploy-bot", "plugin.psk": "secret", direct_addressing: true }`.
   */
  settings?: Readonly<Record<string, string | number | boolean>>;
  /** Where MCOLLECTIVE_EXTRA_OPTS and HOME are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /**
   * Plugins are the config's libdirs, then the dependencies in this
   * directory's package.json (mco's are its own). Default: the nearest
   * directory with a package.json from the working directory up.
   */
  appDir?: string;
  /** Plugins found already (then neither libdir nor appDir is searched). */
  registry?: PluginRegistry;
  /** Default: the config's `logger_type`/`loglevel`, as mco logs. */
  log?: Logger;
  /** Seconds to connect: `connection_timeout` from the config, else 10 (mco's `--connection-timeout`). */
  connectionTimeout?: number;
  /** `-T`: the collective every call goes to unless it names its own; `main_collective` by default. */
  collective?: string;
  /** `--ttl`: seconds requests stay valid; the config's `ttl` (60) by default. */
  ttl?: number;
  /** Seconds a publish may take; `publish_timeout` by default. */
  publishTimeout?: number;
  /**
   * The node list for the `stdin` discovery method: text, a stream
   * (`process.stdin`) or a function reading it. Read once, and only if
   * that method is used. mco passes its own stdin.
   */
  stdin?: ClientInput;
  /**
   * The person the requests are sent for, when not the OS user: a web
   * console passes its signed-in user, and psk's `callertype = user` then
   * makes the callerid `user=<this>` (the daemons' policies and audit log
   * see the person, not the console). With ssl, give that person's keys in
   * `settings` (`plugin.ssl_client_private`, `plugin.ssl_client_public`).
   */
  user?: string;
}

/** Which nodes: mco's host filter options, each taking what the option takes on the command line. */
export interface FilterOptions {
  /** `-I`: identities, or `/regex/`. */
  identity?: string | readonly string[];
  /** `-F`: `fact=value`, `fact=/regex/`, `fact>=1`… */
  fact?: string | readonly string[];
  /** `-C`: Puppet classes, or `/regex/`. */
  class?: string | readonly string[];
  /** `-A`: agents the node must have. */
  agent?: string | readonly string[];
  /** `-W`: facts and classes in one string, `"role=web /^os::/"`. */
  with?: string | readonly string[];
  /** `-S`: compound filters, `"role=web and fstat('/etc/hosts').size>10"`. */
  compound?: string | readonly string[];
}

export interface DiscoveryOptions extends FilterOptions {
  /** `--dm`: `mc` (broadcast), `flatfile`, `stdin`, `puppetdb`…; the config's `default_discovery_method` by default. */
  discoveryMethod?: string;
  /** `--do`: the method's options (flatfile's file, stdin's format). */
  discoveryOptions?: readonly string[];
  /** `--dt`: seconds; `discovery_timeout` from the config, else the method's. */
  discoveryTimeout?: number;
  /** `--discovery-window`: seconds without a reply that end discovery after the first; `discovery_window` by default. */
  discoveryWindow?: number;
  /** `--discovery-expected`: the method whose nodes end discovery once all answered; `discovery_expected` by default. */
  discoveryExpected?: string;
  /** `-T` for this call: discovery and requests go to this collective. */
  collective?: string;
}

export interface RpcOptions extends DiscoveryOptions {
  /** `--limit`: a count or `"20%"` of the discovered nodes. */
  limit?: number | string;
  /** `--limit-method`: the config's `rpclimitmethod` (first) by default. */
  limitMethod?: "first" | "random";
  /** `--limit-seed`: makes `random` reproducible. */
  limitSeed?: number;
  /** `--batch`: a count or `"10%"`; requests go out batch by batch. */
  batchSize?: number | string;
  /** `--batch-sleep`: seconds between batches. */
  batchSleep?: number;
  /** `-t`: seconds to wait for replies; the agent DDL's timeout plus the discovery timeout by default. */
  timeout?: number;
  /** `--ttl` for this call's requests. */
  ttl?: number;
  /** The nodes, known up front: no discovery (mco's `--nodes` file, or a list you built). */
  nodes?: readonly string[];
}

/** One node's reply: RpcResult with the data typed as the caller expects it. */
export interface RpcReply<D extends object = Record<string, unknown>> extends Omit<RpcResult, "data"> {
  data: D;
}

/**
 * A call under way. Iterate it for each reply as it arrives; the iteration
 * ends when every discovered node answered or the timeout passed, and
 * `stats` then holds the call's statistics (the iterator's return value is
 * the same). The call runs whether or not anyone iterates; a failure
 * (a bad argument, no DDL, a broken connection) is thrown by the iteration
 * and by `stats` alike.
 */
export interface RpcCall<D extends object = Record<string, unknown>> extends AsyncIterable<RpcReply<D>> {
  [Symbol.asyncIterator](): AsyncGenerator<RpcReply<D>, RpcStats, undefined>;
  readonly stats: Promise<RpcStats>;
  /** Every reply, in arrival order, once the call is over. */
  readonly replies: Promise<RpcReply<D>[]>;
}

/** `rpcclient("agent")`: calls to one agent with one set of options; discovery is done once and reused. */
export interface AgentClient {
  readonly agent: string;
  /** The identities the calls go to (discovered on first use, the same ones after). */
  discover(): Promise<string[]>;
  /**
   * Calls `action` with `args`, validated against the agent's DDL first
   * (defaults filled in, a bad or missing input refused with its name).
   * Calls of one AgentClient run one after the other.
   */
  call<D extends object = Record<string, unknown>>(
    action: string,
    args?: Record<string, unknown>,
  ): RpcCall<D>;
}

export interface Client {
  readonly config: Config;
  readonly registry: PluginRegistry;
  readonly messaging: MessagingClient;
  readonly log: Logger;
  /** A client for `agent`; nothing is sent until it discovers or calls. */
  rpc(agent: string, options?: RpcOptions): AgentClient;
  /** The identities the filter selects, as `mco find` discovers them. */
  discover(options?: DiscoveryOptions): Promise<string[]>;
  /** Disconnects; the client cannot be used afterwards. */
  close(): Promise<void>;
}

const OPTION_NAMES: Record<keyof RpcOptions, true> = {
  identity: true,
  fact: true,
  class: true,
  agent: true,
  with: true,
  compound: true,
  discoveryMethod: true,
  discoveryOptions: true,
  discoveryTimeout: true,
  discoveryWindow: true,
  discoveryExpected: true,
  collective: true,
  limit: true,
  limitMethod: true,
  limitSeed: true,
  batchSize: true,
  batchSleep: true,
  timeout: true,
  ttl: true,
  nodes: true,
};

const FILTER_OPTIONS: readonly [keyof FilterOptions, HostFilterOption][] = [
  ["identity", "-I"],
  ["fact", "-F"],
  ["class", "-C"],
  ["agent", "-A"],
  ["with", "-W"],
  ["compound", "-S"],
];

/** Refuses what mco's option parser would: unknown names, and values of the wrong kind. */
function checkOptions(options: RpcOptions, allowed: readonly string[], who: string): void {
  for (const [name, value] of Object.entries(options)) {
    if (!allowed.includes(name)) {
      const hint = formatDidYouMean(didYouMean(name, allowed));
      throw new UsageError(`${who}: unknown option '${name}'${hint ? ` (${hint})` : ""}`);
    }
    if (value === undefined) continue;
    const texts =
      FILTER_OPTIONS.some(([key]) => key === name) || name === "nodes" || name === "discoveryOptions";
    if (
      texts &&
      !(typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string")))
    ) {
      throw new UsageError(
        `${who}: option '${name}' takes text or a list of texts, not ${JSON.stringify(value)}`,
      );
    }
    if (name === "discoveryExpected" && typeof value !== "string") {
      throw new UsageError(
        `${who}: option '${name}' takes a discovery method name, not ${JSON.stringify(value)}`,
      );
    }
    const seconds = [
      "discoveryTimeout",
      "discoveryWindow",
      "timeout",
      "ttl",
      "batchSleep",
      "limitSeed",
    ].includes(name);
    if (seconds && !(typeof value === "number" && Number.isFinite(value) && value >= 0)) {
      throw new UsageError(
        `${who}: option '${name}' takes a number of at least 0, not ${JSON.stringify(value)}`,
      );
    }
  }
  if (
    options.limitMethod !== undefined &&
    options.limitMethod !== "first" &&
    options.limitMethod !== "random"
  ) {
    throw new UsageError(
      `${who}: option 'limitMethod' is "first" or "random", not ${JSON.stringify(options.limitMethod)}`,
    );
  }
}

function filterFrom(options: FilterOptions) {
  const entries: [HostFilterOption, string][] = [];
  for (const [key, option] of FILTER_OPTIONS) {
    const value = options[key];
    if (value === undefined) continue;
    for (const text of typeof value === "string" ? [value] : value) entries.push([option, text]);
  }
  return buildFilter(entries);
}

function nearestPackageDir(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return resolve(from);
  }
}

function readConfig(options: OpenClientOptions): Config {
  const given = options.config;
  let config: Config;
  if (given !== undefined && typeof given !== "string") config = structuredClone(given);
  else config = loadConfig(given ?? chooseConfigFile([], options.env ?? process.env).file);
  const settings = Object.entries(options.settings ?? {});
  if (settings.length > 0) {
    const lines: ConfigLine[] = settings.map(([key, value], i) => ({
      key,
      value: String(value),
      file: "openClient settings",
      line: i + 1,
    }));
    applyConfigLines(config, lines);
    checkConsistency(config);
  }
  return config;
}

/** Reads the config, finds the plugins and connects: a client ready for `rpc()`. */
export async function openClient(options: OpenClientOptions = {}): Promise<Client> {
  const config = readConfig(options);
  const log = options.log ?? clientLogger(config);
  for (const warning of config.warnings) log.warn(warning);
  const registry =
    options.registry ??
    (await discoverClientPlugins(config, options.appDir ?? nearestPackageDir(process.cwd()), log));
  const connect: ConnectOptions = {
    connectionTimeout: options.connectionTimeout,
    collective: options.collective,
    ttl: options.ttl,
    publishTimeout: options.publishTimeout,
    user: options.user,
  };
  const messaging = await connectMessaging(config, registry, log, connect);
  const stdin = options.stdin === undefined ? undefined : readInputOnce(options.stdin);
  return new OpenedClient(config, registry, messaging, log, stdin);
}

class OpenedClient implements Client {
  #closed = false;

  constructor(
    readonly config: Config,
    readonly registry: PluginRegistry,
    readonly messaging: MessagingClient,
    readonly log: Logger,
    readonly stdin: (() => Promise<string>) | undefined,
  ) {}

  rpc(agent: string, options: RpcOptions = {}): AgentClient {
    if (typeof agent !== "string" || agent === "") {
      throw new UsageError(`rpc() takes an agent name, not ${JSON.stringify(agent)}`);
    }
    checkOptions(options, Object.keys(OPTION_NAMES), `rpc("${agent}")`);
    const filter = filterFrom(options);
    return new OpenedAgentClient(agent, () => this.#engine(agent, options, filter));
  }

  discover(options: DiscoveryOptions = {}): Promise<string[]> {
    const allowed = [
      ...FILTER_OPTIONS.map(([key]) => key),
      "discoveryMethod",
      "discoveryOptions",
      "discoveryTimeout",
      "discoveryWindow",
      "discoveryExpected",
      "collective",
    ];
    checkOptions(options, allowed, "discover()");
    // `mco find` discovers the nodes that have rpcutil, as every daemon does.
    return this.rpc("rpcutil", options).discover();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.messaging.disconnect();
  }

  async #engine(agent: string, o: RpcOptions, filter: ReturnType<typeof filterFrom>): Promise<RpcClient> {
    if (this.#closed) throw new UsageError(`the client is closed: rpc("${agent}") cannot send anything`);
    const ddl = await loadAgentDdl(this.registry, this.config, agent);
    const discoverer = new Discoverer({
      registry: this.registry,
      config: this.config,
      client: this.messaging.discovery,
      log: this.log,
      method: o.discoveryMethod,
      ...(o.discoveryOptions !== undefined ? { options: [...o.discoveryOptions] } : {}),
      window: o.discoveryWindow,
      expectedMethod: o.discoveryExpected,
      stdin: this.stdin,
    });
    return new RpcClient({
      agent,
      ddl,
      config: this.config,
      registry: this.registry,
      messaging: this.messaging,
      discoverer,
      log: this.log,
      filter,
      timeout: o.timeout,
      discoveryTimeout: o.discoveryTimeout ?? this.config.discoveryTimeout,
      limit: o.limit,
      ...(o.limitMethod !== undefined ? { limitMethod: o.limitMethod } : {}),
      limitSeed: o.limitSeed,
      batchSize: o.batchSize,
      batchSleep: o.batchSleep,
      progress: false,
      nodes: o.nodes === undefined ? undefined : [...o.nodes],
      discoveryMethodChosen: o.discoveryMethod !== undefined || o.nodes !== undefined,
      collective: o.collective,
      ttl: o.ttl,
    });
  }
}

class OpenedAgentClient implements AgentClient {
  readonly #create: () => Promise<RpcClient>;
  #engine: Promise<RpcClient> | undefined;
  /** The previous call: calls share the engine's stats, so they take turns. */
  #turn: Promise<unknown> = Promise.resolve();

  constructor(
    readonly agent: string,
    create: () => Promise<RpcClient>,
  ) {
    this.#create = create;
  }

  #rpc(): Promise<RpcClient> {
    this.#engine ??= this.#create();
    return this.#engine;
  }

  async discover(): Promise<string[]> {
    return [...(await (await this.#rpc()).discover())];
  }

  call<D extends object = Record<string, unknown>>(
    action: string,
    args: Record<string, unknown> = {},
  ): RpcCall<D> {
    if (typeof action !== "string" || action === "") {
      throw new UsageError(`call() takes an action name, not ${JSON.stringify(action)}`);
    }
    if (typeof args !== "object" || args === null || Array.isArray(args)) {
      throw new UsageError(
        `call("${action}"): the arguments are an object of input names to values, not ${JSON.stringify(args)}`,
      );
    }
    const turn = this.#turn;
    const call = new ReplyStream<D>(async (onReply) => {
      await turn.catch(() => {});
      const rpc = await this.#rpc();
      const outcome = await rpc.call(action, { ...args }, (result) => onReply(result as RpcReply<D>));
      return outcome.stats.snapshot();
    });
    this.#turn = call.stats;
    return call;
  }
}

/** The replies of one call, buffered so that every iteration sees them all, in order. */
class ReplyStream<D extends object> implements RpcCall<D> {
  readonly stats: Promise<RpcStats>;
  readonly replies: Promise<RpcReply<D>[]>;
  readonly #received: RpcReply<D>[] = [];
  #ended = false;
  #waiting: (() => void)[] = [];

  constructor(run: (onReply: (reply: RpcReply<D>) => void) => Promise<RpcStats>) {
    this.stats = run((reply) => {
      this.#received.push(reply);
      this.#wake();
    }).finally(() => {
      this.#ended = true;
      this.#wake();
    });
    // A script may only iterate, or only await `stats`: neither leaves the other's failure unhandled.
    this.stats.catch(() => {});
    this.replies = this.stats.then(() => [...this.#received]);
    this.replies.catch(() => {});
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RpcReply<D>, RpcStats, undefined> {
    for (let i = 0; ; ) {
      if (i < this.#received.length) {
        yield this.#received[i++] as RpcReply<D>;
      } else if (this.#ended) {
        return await this.stats;
      } else {
        await new Promise<void>((resolve) => this.#waiting.push(resolve));
      }
    }
  }
}

import type {
  AgentDdl,
  AggregateRun,
  Config,
  InboundMessage,
  Logger,
  PluginRegistry,
  ReplyEnvelope,
} from "@phobos/core";
import {
  createPlugin,
  createRequestId,
  emptyFilter,
  type Filter,
  pluginContextFor,
  rpcReplyFromRuby,
  rpcRequestToRuby,
  setDefaultInputs,
  UsageError,
  type ValidatorFn,
  validateRpcRequest,
} from "@phobos/core";
import type { Discoverer } from "./discoverer.js";
import { pickNodes } from "./limit.js";
import type { MessagingClient } from "./messaging.js";
import { RpcStats } from "./rpc-stats.js";
import { loadValidatorPlugins } from "./validator-plugins.js";

/** One node's answer to an RPC call (RPC::Result). */
export interface RpcResult {
  agent: string;
  action: string;
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
  /** The reply data exactly as received, for Ruby-style printing. */
  raw: Map<unknown, unknown>;
}

/**
 * What SimpleRPC tells the operator while it works, as hooks so the engine
 * does no I/O: mco prints Ruby's texts ("Discovering hosts using the mc
 * method for 2 second(s) .... 4", the progress bar, "No request sent, we
 * did not discover any nodes.").
 */
export interface RpcCallReporter {
  /** Discovery starts (only when discovering verbosely); timeout 0 means none. */
  discovering?(method: string, timeout: number): void;
  discovered?(count: number): void;
  /** Nothing was discovered, so nothing is sent. */
  noNodes?(): void;
  /** Progress bar: before the first request goes out. */
  started?(total: number): void;
  progress?(received: number, total: number): void;
  /** Progress bar: the call is over (`batched` calls end with one newline, others two). */
  finished?(batched: boolean): void;
}

export interface RpcClientOptions {
  agent: string;
  ddl: AgentDdl | undefined;
  config: Config;
  registry: PluginRegistry;
  messaging: MessagingClient;
  discoverer: Discoverer;
  log: Logger;
  filter?: Filter;
  /** `-t`: when absent, the agent's DDL timeout plus the discovery timeout. */
  timeout?: number | undefined;
  /** `--dt` or `discovery_timeout`; absent: the discovery method's. */
  discoveryTimeout?: number | undefined;
  /** `--limit` / `-1`: a count or a percentage like "20%". */
  limit?: number | string | undefined;
  limitMethod?: "first" | "random";
  limitSeed?: number | undefined;
  /** `--batch`: a count or a percentage; 0 for none. */
  batchSize?: number | string | undefined;
  batchSleep?: number | undefined;
  /** `--sort`: results in sender order instead of arrival order. */
  sort?: boolean;
  /** `-v`: discovery says what it does. */
  verbose?: boolean;
  /** Show the progress bar (`--np` turns it off; so do `-j` and callers that print per reply). */
  progress?: boolean;
  reporter?: RpcCallReporter;
  /** Called as each node answers (progress bars). */
  onProgress?: (received: number, expected: number) => void;
  /** Called once per batch before it is sent. */
  onBatch?: (batch: number, nodes: string[]) => void;
  /** Discovery result provided up front (`--nodes`, stdin, chaining). */
  nodes?: string[] | undefined;
  /** The operator named a discovery method (`--dm`, `--nodes`): stdin is then never used for discovery. */
  discoveryMethodChosen?: boolean;
  /** `-T` for this client alone: its discovery and requests go to this collective, not the messaging client's. */
  collective?: string | undefined;
  /** `--ttl` for this client alone: seconds its requests stay valid, instead of the messaging client's. */
  ttl?: number | undefined;
}

export interface RpcCallOutcome {
  results: RpcResult[];
  stats: RpcStats;
  /** Set for fire-and-forget calls. */
  requestid?: string;
}

interface CallOptions {
  processResults?: boolean;
}

type Aggregates = { runs: { output: string; run: AggregateRun }[] } | undefined;

/** One request of a call: a whole call, or one batch of a batched one. */
interface SendOptions {
  action: string;
  data: Record<string, unknown>;
  /** The identities expected to answer. */
  nodes: string[];
  /** One directed message per node instead of a broadcast. */
  direct: boolean;
  filter: Filter;
  /** Batches share the call's request id. */
  requestid?: string;
  /** Each result is appended here as it arrives. */
  results: RpcResult[];
  onResult: ((r: RpcResult) => void) | undefined;
  aggregates: Aggregates;
}

function isBatching(size: number | string | undefined): boolean {
  return size !== undefined && size !== 0 && size !== "0";
}

function regexQuote(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * SimpleRPC's client (RPC::Client): validates inputs against the DDL,
 * discovers (or takes the identities given), then calls the agent —
 * broadcast or one directed message per node, limited, in batches, or
 * fire-and-forget — collecting results, statistics and aggregates.
 */
export class RpcClient {
  readonly agent: string;
  readonly ddl: AgentDdl | undefined;
  filter: Filter;
  readonly stats = new RpcStats();
  /** Ruby's `client.progress = false`: no bar for this client's calls. */
  progress: boolean;
  readonly #o: RpcClientOptions;
  #discovered: string[] | undefined;
  #forceDirect = false;
  #defaultDiscoveryMethod: boolean;
  readonly #validators = new Map<string, ValidatorFn>();

  constructor(options: RpcClientOptions) {
    this.#o = options;
    this.agent = options.agent;
    this.ddl = options.ddl;
    this.progress = options.progress ?? true;
    this.stats.agent = options.agent;
    const filter = options.filter ?? emptyFilter();
    this.filter = {
      ...filter,
      agent: filter.agent.includes(options.agent) ? filter.agent : [...filter.agent, options.agent],
    };
    this.#defaultDiscoveryMethod = options.discoveryMethodChosen !== true;
    if (options.nodes) {
      if (options.nodes.length === 0)
        throw new UsageError("Could not find any hosts in discovery data provided");
      this.#discovered = [...options.nodes];
      this.#forceDirect = true;
    }
  }

  get #collective(): string {
    return this.#o.collective ?? this.#o.messaging.collective;
  }

  /** What this client's requests carry besides the messaging client's defaults. */
  #scope(): { collective: string; ttl?: number } {
    return { collective: this.#collective, ...(this.#o.ttl !== undefined ? { ttl: this.#o.ttl } : {}) };
  }

  /** The discovery plugin in use (`mc`, `flatfile`, `stdin`…). */
  get discoveryMethod(): string {
    return this.#o.discoverer.method;
  }

  get discoveryTimeout(): Promise<number> {
    return this.#o.discoveryTimeout !== undefined
      ? Promise.resolve(this.#o.discoveryTimeout)
      : this.#o.discoverer.ddl().then((d) => d.metadata.timeout);
  }

  /** The RPC wait: `-t` when given, else the agent's DDL timeout plus the discovery timeout. */
  async timeout(): Promise<number> {
    if (this.#o.timeout !== undefined) return this.#o.timeout;
    return (this.ddl?.metadata.timeout ?? 10) + (await this.discoveryTimeout);
  }

  /** Forgets the last discovery (a changed filter or method needs a new one). */
  reset(): void {
    this.#discovered = undefined;
  }

  /** Adds `-I` entries, as `identity_filter` does. */
  identityFilter(identity: string): void {
    if (!this.filter.identity.includes(identity))
      this.filter = { ...this.filter, identity: [...this.filter.identity, identity] };
    this.reset();
  }

  /**
   * `detect_and_set_stdin_discovery`: when the operator chose no discovery
   * method and something was piped in, the pipe is the node list.
   */
  detectStdinDiscovery(stdinHasData: boolean): boolean {
    if (!this.#defaultDiscoveryMethod || !stdinHasData) return false;
    this.#o.discoverer.method = "stdin";
    this.#o.discoverer.options = ["auto"];
    this.#defaultDiscoveryMethod = false;
    this.reset();
    return true;
  }

  /** Validates (and fills defaults into) `args` as the daemon will. */
  validate(action: string, args: Record<string, unknown>): void {
    if (!this.ddl) throw new UsageError(`No DDL found for agent ${this.agent} cannot validate inputs`);
    setDefaultInputs(this.ddl, action, args);
    validateRpcRequest(this.ddl, action, args, (name) => this.#validators.get(name));
  }

  /** Creates the validator plugins `action`'s inputs name, so `validate` can use them. */
  async loadValidators(action: string): Promise<void> {
    await loadValidatorPlugins(this.ddl, action, this.#o, this.#validators);
  }

  /** Identities without regexes need no discovery: the request goes straight to them. */
  #identityShortcut(): boolean {
    const ids = this.filter.identity;
    if (ids.length > 0 && this.#o.discoverer.method === "mc" && ids.every((i) => !i.startsWith("/"))) {
      this.#discovered = [...ids];
      if (this.#o.config.directAddressing) this.#forceDirect = true;
      return true;
    }
    return false;
  }

  /** Discovers once and remembers the answer (RPC::Client#discover). */
  async discover(options: { verbose?: boolean } = {}): Promise<string[]> {
    if (!this.#discovered) this.#identityShortcut();
    if (this.#discovered) {
      this.stats.discoveredAgents(this.#discovered);
      return this.#discovered;
    }
    const verbose = options.verbose ?? this.#o.verbose ?? false;
    const d = this.#o.discoverer;
    const started = performance.now();
    await d.forceMethodByFilter(this.filter);
    await d.validateCompound(this.filter);
    const filter = { ...this.filter, collective: this.#collective };
    const discoveryTimeout = await this.discoveryTimeout;
    if (verbose) this.#o.reporter?.discovering?.(d.method, await d.timeout(discoveryTimeout, filter));
    const limit = this.#o.limit;
    const firstN =
      (this.#o.limitMethod ?? this.#o.config.rpcLimitMethod) === "first" && typeof limit === "number";
    this.#discovered = await d.discover(filter, discoveryTimeout, firstN ? limit : 0);
    if (verbose) this.#o.reporter?.discovered?.(this.#discovered.length);
    this.#forceDirect = d.forcesDirect;
    this.stats.discoverytime = (performance.now() - started) / 1000;
    this.stats.discoveredAgents(this.#discovered);
    return this.#discovered;
  }

  /** Calls `action` on the discovered nodes; `onResult` sees each result as it arrives. */
  async call(
    action: string,
    args: Record<string, unknown>,
    onResult?: (result: RpcResult) => void,
    options: CallOptions = {},
  ): Promise<RpcCallOutcome> {
    this.stats.reset();
    await this.loadValidators(action);
    this.validate(action, args);
    const processResults = options.processResults !== false;
    const data = { ...args, process_results: processResults };
    if (this.#o.limit !== undefined) {
      const targets = pickNodes(
        await this.discover(),
        this.#o.limit,
        this.#o.limitMethod ?? this.#o.config.rpcLimitMethod,
        this.#o.limitSeed,
      );
      this.#o.log.debug(`Picked ${targets.join(",")} as limited target(s)`);
      const identity = [`/^(${targets.map(regexQuote).join("|")})$/`];
      return this.customRequest(action, data, targets, { identity }, onResult);
    }
    if (!processResults || this.#o.messaging.replyTo) return this.#fireAndForget(action, data, this.filter);
    if (isBatching(this.#o.batchSize ?? this.#o.config.defaultBatchSize))
      return this.#callBatched(action, data, onResult);
    const discovered = await this.discover();
    return this.#callNodes(action, data, discovered, this.#forceDirect, this.filter, onResult);
  }

  /**
   * `custom_request`: calls exactly `nodes` (no discovery) with a filter of
   * your own, merged into an empty one and always naming this agent.
   */
  async customRequest(
    action: string,
    args: Record<string, unknown>,
    nodes: string[],
    filter: Partial<Pick<Filter, "identity" | "fact" | "agent" | "cf_class" | "compound">>,
    onResult?: (result: RpcResult) => void,
  ): Promise<RpcCallOutcome> {
    await this.loadValidators(action);
    this.validate(action, args);
    this.stats.reset();
    const custom = emptyFilter();
    custom.identity.push(...(filter.identity ?? []));
    custom.fact.push(...(filter.fact ?? []));
    custom.agent.push(...(filter.agent ?? []));
    custom.cf_class.push(...(filter.cf_class ?? []));
    custom.compound.push(...(filter.compound ?? []));
    if (!custom.agent.includes(this.agent)) custom.agent.push(this.agent);
    this.stats.discoveredAgents(nodes);
    const data = { ...args };
    if (data.process_results === false || this.#o.messaging.replyTo) {
      return this.#fireAndForget(action, data, custom);
    }
    data.process_results = true;
    return this.#callNodes(action, data, nodes, this.#o.config.directAddressing, custom, onResult);
  }

  async #fireAndForget(
    action: string,
    data: Record<string, unknown>,
    filter: Filter,
  ): Promise<RpcCallOutcome> {
    if (!this.#discovered) this.#identityShortcut();
    const direct = this.#forceDirect || this.#o.discoverer.forcesDirect;
    const nodes = direct ? await this.discover() : undefined;
    const outcome = await this.#o.messaging.request({
      agent: this.agent,
      body: this.#body(action, data),
      filter,
      timeout: 0,
      noReplies: true,
      ...this.#scope(),
      ...(nodes && nodes.length > 0 ? { nodes } : {}),
    });
    this.stats.requestid = outcome.requestid;
    return { results: [], stats: this.stats, requestid: outcome.requestid };
  }

  async #aggregates(action: string): Promise<Aggregates> {
    const spec = this.ddl?.actions[action]?.aggregate;
    if (!spec || spec.length === 0) return undefined;
    const runs: { output: string; run: AggregateRun }[] = [];
    for (const agg of spec) {
      const output = String(agg.args[0]);
      if (!this.ddl?.actions[action]?.output[output]) {
        this.#o.log.error(
          `Cannot create aggregate function '${output}'. '${output}' has not been specified as a valid ddl output.`,
        );
        this.stats.aggregateFailures.push({ name: output, type: "create" });
        continue;
      }
      try {
        const definition = await this.#o.registry.load("aggregate", agg.function);
        const instance = await createPlugin(
          definition,
          pluginContextFor(this.#o.config, "aggregate", agg.function, { log: this.#o.log, mode: "client" }),
        );
        const options = agg.args[1];
        runs.push({
          output,
          run: instance.start({
            output,
            args: agg.args.slice(1),
            ...(agg.format ? { format: agg.format } : {}),
            ...(options instanceof Object && "format" in options ? { format: String(options.format) } : {}),
          }),
        });
      } catch (err) {
        this.#o.log.error(`Cannot create aggregate function '${output}'. ${(err as Error).message}`);
        this.stats.aggregateFailures.push({ name: output, type: "startup" });
      }
    }
    return { runs };
  }

  #result(action: string, reply: ReplyEnvelope): RpcResult {
    const body = rpcReplyFromRuby(reply.body);
    return {
      agent: this.agent,
      action,
      sender: reply.senderid,
      statuscode: body.statuscode,
      statusmsg: body.statusmsg,
      data: body.data,
      raw: body.raw as Map<unknown, unknown>,
    };
  }

  /** MCollective addresses up to `direct_addressing_threshold` known nodes directly. */
  #direct(nodes: string[], forced: boolean): boolean {
    const config = this.#o.config;
    return config.directAddressing && (forced || nodes.length <= config.directAddressingThreshold);
  }

  async #callNodes(
    action: string,
    data: Record<string, unknown>,
    nodes: string[],
    forceDirect: boolean,
    filter: Filter,
    onResult: ((r: RpcResult) => void) | undefined,
  ): Promise<RpcCallOutcome> {
    const results: RpcResult[] = [];
    this.stats.action = action;
    const reporter = this.progress ? this.#o.reporter : undefined;
    if (nodes.length === 0) {
      this.#o.reporter?.noNodes?.();
    } else {
      reporter?.started?.(nodes.length);
      const aggregates = await this.#aggregates(action);
      this.stats.starttime = Date.now();
      const outcome = await this.#send({
        action,
        data,
        nodes,
        direct: this.#direct(nodes, forceDirect),
        filter,
        results,
        onResult,
        aggregates,
      });
      this.#sortResults(results);
      this.stats.requestid = outcome.requestid;
      this.stats.blocktime += outcome.blocktime;
      this.#summarize(aggregates);
    }
    this.stats.finishRequest();
    reporter?.finished?.(false);
    return { results, stats: this.stats };
  }

  async #callBatched(
    action: string,
    data: Record<string, unknown>,
    onResult: ((r: RpcResult) => void) | undefined,
  ): Promise<RpcCallOutcome> {
    if (!this.#o.config.directAddressing) throw new UsageError("Batched requests requires direct addressing");
    const raw = this.#o.batchSize ?? this.#o.config.defaultBatchSize;
    const sleep = this.#o.batchSleep ?? this.#o.config.defaultBatchSleepTime;
    const text = String(raw);
    if (!(/^(\d+)%$/.test(text) && Number.parseInt(text, 10) !== 0) && !/^\d+$/.test(text)) {
      throw new UsageError(
        `batch_size must be an integer or match a percentage string (e.g. '24%'), got '${raw}'`,
      );
    }
    const discovered = await this.discover();
    const results: RpcResult[] = [];
    this.stats.action = action;
    const reporter = this.progress ? this.#o.reporter : undefined;
    if (discovered.length === 0) {
      this.#o.reporter?.noNodes?.();
    } else {
      const aggregates = await this.#aggregates(action);
      reporter?.started?.(discovered.length);
      const pct = /^(\d+)%$/.exec(text);
      const size = pct ? Math.ceil((discovered.length / 100) * Number(pct[1])) : Number(text);
      const requestid = createRequestId();
      this.stats.requestid = requestid;
      this.stats.starttime = Date.now();
      for (let i = 0, batch = 1; i < discovered.length; i += size, batch++) {
        const nodes = discovered.slice(i, i + size);
        this.#o.onBatch?.(batch, nodes);
        const outcome = await this.#send({
          action,
          data,
          nodes,
          direct: true,
          filter: this.filter,
          requestid,
          results,
          onResult,
          aggregates,
        });
        this.#sortResults(results);
        // MCollective counts the sleep after every batch, the last one too.
        this.stats.blocktime += outcome.blocktime + sleep;
        if (i + size < discovered.length) await new Promise((r) => setTimeout(r, sleep * 1000));
      }
      this.#summarize(aggregates);
    }
    this.stats.finishRequest();
    reporter?.finished?.(true);
    return { results, stats: this.stats };
  }

  #sortResults(results: RpcResult[]): void {
    if (this.#o.sort) results.sort((a, b) => (a.sender < b.sender ? -1 : a.sender > b.sender ? 1 : 0));
  }

  async #send({
    action,
    data,
    nodes,
    direct,
    filter,
    requestid,
    results,
    onResult,
    aggregates,
  }: SendOptions) {
    const expected = this.stats.discovered;
    const reporter = this.progress ? this.#o.reporter : undefined;
    // Data plugins in a compound filter get their own time on top (Client#req).
    const timeout = await this.#o.discoverer.timeout(await this.timeout(), filter);
    return this.#o.messaging.request({
      agent: this.agent,
      body: this.#body(action, data),
      filter,
      timeout,
      expect: nodes,
      ...this.#scope(),
      ...(direct ? { nodes } : {}),
      ...(requestid ? { requestid } : {}),
      onReply: (reply: ReplyEnvelope, _message: InboundMessage): undefined => {
        let result: RpcResult;
        try {
          result = this.#result(action, reply);
        } catch (err) {
          this.#o.log.warn(`Could not read the reply from ${reply.senderid}: ${(err as Error).message}`);
          this.stats.nodeResponded(reply.senderid);
          this.stats.fail();
          return;
        }
        this.stats.nodeResponded(result.sender);
        if (result.statuscode === 0) this.stats.ok();
        else this.stats.fail();
        if (aggregates) {
          for (const { output, run } of aggregates.runs) {
            try {
              run.process(result.data[output]);
            } catch (err) {
              this.#o.log.error(
                `Could not process aggregate function for '${output}'. ${(err as Error).message}`,
              );
              this.stats.aggregateFailures.push({ name: output, type: "process_result" });
              aggregates.runs = aggregates.runs.filter((a) => a.run !== run);
            }
          }
        }
        results.push(result);
        this.stats.responses++;
        reporter?.progress?.(this.stats.responses, expected);
        this.#o.onProgress?.(results.length, expected);
        onResult?.(result);
      },
    });
  }

  /** The SimpleRPC request body, with the caller the security plugin vouches for. */
  #body(action: string, data: Record<string, unknown>) {
    return rpcRequestToRuby({
      agent: this.agent,
      action,
      caller: this.#o.messaging.security.callerId(),
      data,
    });
  }

  #summarize(aggregates: Aggregates): void {
    if (!aggregates) return;
    for (const { output, run } of aggregates.runs) {
      try {
        this.stats.aggregateSummary.push(run.result());
      } catch (err) {
        this.#o.log.error(`Could not summarize aggregate result for '${output}'. ${(err as Error).message}`);
        this.stats.aggregateFailures.push({ name: output, type: "summarize" });
      }
    }
    this.stats.aggregateSummary.sort((a, b) => (a.output < b.output ? -1 : a.output > b.output ? 1 : 0));
  }
}

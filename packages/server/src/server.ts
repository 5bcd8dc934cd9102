import { join } from "node:path";
import type {
  AgentDdl,
  AgentServices,
  Audit,
  Authorization,
  Config,
  Connector,
  DataDdl,
  DataSource,
  DdlMetadata,
  DecodedRequest,
  InboundMessage,
  Logger,
  PluginRegistry,
  PluginType,
  SecurityProvider,
  Validator,
} from "@phobos/core";
import {
  activatePlugin,
  ConfigError,
  checkFilter,
  configItem,
  createPlugin,
  inspect,
  isValidCallerId,
  PluginLoadError,
  PROTOCOL_VERSION,
  parseBoolean,
  pluginContextFor,
  pluginSettings,
  SecurityError,
  transformDataInput,
  validateDataQuery,
} from "@phobos/core";
import { declaredAction, type HostedAgent, runAgentRequest } from "./agent-host.js";
import { ClassesFile } from "./classes.js";
import { dataResult } from "./data-result.js";
import { EventLoopWatch } from "./event-loop-watch.js";
import { FactsCache, lookupFact } from "./facts-cache.js";
import { ReplayCache } from "./replay-cache.js";
import { ReplayJournal } from "./replay-journal.js";
import { readStaleRequestPolicy, type StaleRequestPolicy, staleRequestReason } from "./stale-requests.js";
import { ServerStats } from "./stats.js";

export interface ServerOptions {
  config: Config;
  registry: PluginRegistry;
  log: Logger;
}

interface HostedData {
  name: string;
  instance: DataSource;
  ddl: DataDdl;
}

/** Where a daemon keeps what must outlive it (the replay journal), unless `plugin.replay.file` says otherwise. */
export const DEFAULT_STATE_DIR = "/var/lib/mcollective";

/**
 * How long a request may be valid, and how far ahead of this node's clock
 * it may be dated: beyond these a request is refused, and the replay record
 * only has to outlive the sum. Phobos's own keys, under `plugin.replay.` so
 * a Ruby mcollectived reading the same file ignores them.
 */
export interface RequestWindow {
  /** `plugin.replay.max_ttl`: the longest ttl a request may carry, in seconds. */
  maxTtl: number;
  /** `plugin.replay.max_clock_skew`: how far in the future a msgtime may be, in seconds. */
  maxClockSkew: number;
  /** `plugin.replay.file`: the replay journal, or undefined for memory only (`none`). */
  file: string | undefined;
}

export function readRequestWindow(config: Config): RequestWindow {
  const s = pluginSettings(config, "replay");
  const seconds = (key: string, fallback: number, least: number): number => {
    const value = s.integer(key, fallback);
    if (value < least) {
      throw new ConfigError(`'${value}' is too small: it must be at least ${least} (seconds)`, {
        ...s.where(key),
        key: s.fullKey(key),
      });
    }
    return value;
  };
  const file = (s.string("file") ?? join(DEFAULT_STATE_DIR, `phobos-replay-${config.identity}`)).trim();
  if (file === "") {
    throw new ConfigError("is empty: name a file, or write 'none' to keep the replay record in memory only", {
      ...s.where("file"),
      key: s.fullKey("file"),
    });
  }
  return {
    maxTtl: seconds("max_ttl", 3600, 1),
    maxClockSkew: seconds("max_clock_skew", 300, 0),
    file: file === "none" ? undefined : file,
  };
}

const describe = (r: DecodedRequest) =>
  `${r.requestid} for agent '${r.agent}' in collective '${r.collective}' from ${r.callerid}@${r.senderid}`;

/**
 * mcollectived's engine (MCollective's Runner + Agents + Data): loads the
 * configured plugins, subscribes, and answers requests. Every inbound
 * message is counted; a bad one is logged with its reason and dropped, and
 * nothing a remote peer sends can stop the loop.
 */
export class Server {
  readonly stats = new ServerStats();
  readonly #config: Config;
  #registry: PluginRegistry;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  readonly #agents = new Map<string, HostedAgent>();
  readonly #data = new Map<string, HostedData>();
  readonly #validators = new Map<string, Validator>();
  #connector!: Connector;
  #security!: SecurityProvider;
  #facts: FactsCache | undefined;
  readonly #classes: ClassesFile;
  #authorization: Authorization | undefined;
  #audit: Audit | undefined;
  readonly #inflight = new Set<Promise<void>>();
  readonly #agentLogs = new Map<string, Logger>();
  #replays = new ReplayCache();
  #window: RequestWindow = { maxTtl: 3600, maxClockSkew: 300, file: undefined };
  #stale: StaleRequestPolicy = { drop: false, grace: 0 };
  #replayEvictionsLogged = 0;
  #stopping = false;
  readonly #watch: EventLoopWatch;

  constructor(options: ServerOptions) {
    this.#config = options.config;
    this.#registry = options.registry;
    this.#log = options.log;
    this.#watch = new EventLoopWatch({ log: options.log });
    this.#classes = new ClassesFile(this.#config.classesFile, this.#log);
  }

  get agents(): string[] {
    return [...this.#agents.keys()].sort();
  }

  /** What agents and data plugins may ask of the daemon. */
  readonly services: AgentServices = {
    identity: "",
    version: PROTOCOL_VERSION,
    configFile: "",
    collectives: [],
    mainCollective: "",
    facts: () => (this.#facts ? this.#facts.get() : Promise.resolve({})),
    classes: () => this.#classes.get(),
    agents: () => this.agents,
    agentMetadata: (agent: string): DdlMetadata | undefined => this.#agents.get(agent)?.ddl.metadata,
    dataSources: () => [...this.#data.keys()].sort().map((name) => `${name}_data`),
    queryData: (source: string, query: string | null) => this.#queryData(source, query),
    stats: () => this.stats.snapshot(),
    configItem: (name: string) => configItem(this.#config, name),
  };

  /** Loads plugins and subscribes; resolves once the broker connection is up. */
  async start(): Promise<void> {
    const c = this.#config;
    Object.assign(this.services, {
      identity: c.identity,
      configFile: c.configFile,
      collectives: c.collectives,
      mainCollective: c.mainCollective,
    });
    this.#window = readRequestWindow(c);
    this.#stale = readStaleRequestPolicy(c);
    this.#openReplayRecord();
    this.#security = await this.#create("security", c.securityProvider);
    this.#connector = await this.#create("connector", c.connector);
    const facts = await this.#createOptional("facts", c.factSource);
    if (facts) this.#facts = new FactsCache(facts, { cacheTimeSeconds: c.factCacheTime, log: this.#log });
    await this.#loadValidators();
    await this.#loadDataPlugins();
    await this.#loadAgents();
    if (c.rpcauthorization) {
      this.#authorization = await this.#createOptional("authorization", c.rpcauthProvider || "action_policy");
      if (!this.#authorization) {
        this.#log.error(
          `rpcauthorization is on but its provider cannot be loaded: every request will be denied`,
        );
        this.#authorization = {
          authorize: () => ({
            allowed: false,
            reason: "You are not authorized to call this agent or action.",
          }),
        };
      }
    }
    if (c.rpcaudit) this.#audit = await this.#createOptional("audit", c.rpcauditProvider || "logfile");

    this.#connector.onMessage((message) => this.#receive(message));
    this.#connector.onStateChange?.((state, detail) => {
      if (state === "connected") this.#log.info(detail);
      else this.#log.warn(`${state}: ${detail}`);
    });
    await this.#subscribeAll();
    await this.#connector.connect();
    // Load facts now so the first filtered request does not wait for them.
    void this.#facts?.get();
    this.#log.info(
      `Phobos mcollectived ready as ${c.identity} in ${c.collectives.join(", ")} with agents ${this.agents.join(", ")}`,
    );
  }

  /** USR1: find agents again (new, removed, changed DDLs) and fix up subscriptions. */
  async reloadAgents(registry: PluginRegistry): Promise<void> {
    const before = new Set(this.#agents.keys());
    this.#registry = registry;
    this.#agents.clear();
    await this.#loadAgentsFrom(registry);
    for (const name of before) if (!this.#agents.has(name)) await this.#subscribeAgent(name, false);
    for (const name of this.#agents.keys()) if (!before.has(name)) await this.#subscribeAgent(name, true);
    this.#log.info(`Reloaded agents: ${this.agents.join(", ")}`);
  }

  /** Stops taking requests; with `soft_shutdown`, lets running actions finish (up to its timeout). */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#config.softShutdown && this.#inflight.size > 0) {
      const limit = this.#config.softShutdownTimeout;
      this.#log.info(`Waiting for ${this.#inflight.size} running requests to finish`);
      const all = Promise.allSettled([...this.#inflight]);
      if (limit && limit > 0) {
        await Promise.race([all, new Promise((r) => setTimeout(r, limit * 1000))]);
      } else {
        await all;
      }
    }
    const counters = Object.entries(this.stats.phobosCounters()).map(([k, v]) => `${k}=${v}`);
    this.#log.info(`Phobos counters at exit (beyond daemon_stats): ${counters.join(" ")}`);
    this.#abort.abort();
    await this.#connector?.disconnect().catch(() => {});
    this.#replays.close();
  }

  /**
   * The replay record survives a restart in `plugin.replay.file`: without
   * it, a request captured before the restart would run again within its
   * ttl. A file that cannot be used does not stop the daemon (its agents
   * still matter more); it says, once, what it can no longer promise.
   */
  #openReplayRecord(): void {
    const path = this.#window.file;
    const memoryOnly = (why: string) =>
      this.#log.warn(
        `Cannot keep the replay record in ${path} (plugin.replay.file): ${why}. Replays are refused only until this daemon restarts`,
      );
    if (path === undefined) {
      this.#log.debug(
        "plugin.replay.file = none: the replay record is in memory only, and a restart forgets it",
      );
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    let opened: ReturnType<typeof ReplayJournal.open>;
    try {
      opened = ReplayJournal.open(path, now);
    } catch (err) {
      memoryOnly((err as Error).message);
      return;
    }
    const { journal, load } = opened;
    this.#replays = new ReplayCache(this.#replays.capacity, {
      journal,
      onJournalError: (err) => memoryOnly(err.message),
    });
    this.#replays.restore(load.entries);
    if (load.skipped > 0) {
      this.#log.warn(
        `Skipped ${load.skipped} unreadable lines of the replay record ${path} (a write cut short, or not Phobos's file)`,
      );
    }
    this.#log.info(
      `Keeping the replay record in ${path}: ${load.entries.length} requests still inside their TTL`,
    );
  }

  /** A plugin the daemon cannot run without: failures propagate (see {@link #createOptional}). */
  async #create<T extends PluginType>(type: T, name: string) {
    const where = this.#config.sources.get(type === "security" ? "securityprovider" : type);
    const definition = await this.#registry.require(type, name, where ?? {});
    const entry = this.#registry.find(type, definition.name);
    const ctx = pluginContextFor(this.#config, type, definition.name, {
      log: this.#log,
      mode: "server",
      signal: this.#abort.signal,
      services: this.services,
    });
    return createPlugin(definition, ctx, entry ?? {});
  }

  async #createOptional<T extends PluginType>(type: T, name: string) {
    try {
      return await this.#create(type, name);
    } catch (err) {
      this.#log.error(`Cannot use ${type} plugin '${name}': ${(err as Error).message}`);
      return undefined;
    }
  }

  async #loadValidators(): Promise<void> {
    for (const entry of this.#registry.list("validator")) {
      const v = await this.#createOptional("validator", entry.name);
      if (v) this.#validators.set(entry.name, v);
    }
  }

  async #loadDataPlugins(): Promise<void> {
    for (const entry of this.#registry.list("data")) {
      if (!entry.entryPath) continue;
      try {
        const definition = await this.#registry.load("data", entry.name);
        const ddl = (await this.#registry.loadDdl("data", entry.name)) as DataDdl;
        const ctx = pluginContextFor(this.#config, "data", entry.name, {
          log: this.#log,
          mode: "server",
          signal: this.#abort.signal,
          services: this.services,
        });
        if (!(await activatePlugin(definition, ctx, entry))) {
          this.#log.debug(`Disabling data plugin ${entry.name} due to plugin activation policy`);
          continue;
        }
        this.#data.set(entry.name, {
          name: entry.name,
          instance: await createPlugin(definition, ctx, entry),
          ddl,
        });
      } catch (err) {
        this.#log.error(
          err instanceof PluginLoadError
            ? err.message
            : `data plugin ${entry.name}: ${(err as Error).message}`,
        );
      }
    }
  }

  async #loadAgents(): Promise<void> {
    await this.#loadAgentsFrom(this.#registry);
  }

  /** MCollective's activation policy: `activate_agents`, then `plugin.<agent>.activate_agent`, then the agent's own. */
  #policyAllows(name: string): boolean {
    const own = this.#config.pluginConf.get(`${name}.activate_agent`);
    const parsed = own === undefined ? undefined : parseBoolean(own);
    if (own !== undefined && parsed === undefined) {
      this.#log.error(`plugin.${name}.activate_agent = ${own} is not a boolean; not activating ${name}`);
      return false;
    }
    return parsed ?? this.#config.activateAgents;
  }

  async #loadAgentsFrom(registry: PluginRegistry): Promise<void> {
    for (const entry of registry.list("agent")) {
      if (!entry.entryPath) continue;
      if (!this.#policyAllows(entry.name)) {
        this.#log.debug(`Not activating agent ${entry.name} due to agent policy in activate_agent(s)`);
        continue;
      }
      try {
        const definition = await registry.load("agent", entry.name);
        const ddl = (await registry.loadDdl("agent", entry.name)) as AgentDdl;
        const ctx = pluginContextFor(this.#config, "agent", entry.name, {
          log: this.#log,
          mode: "server",
          signal: this.#abort.signal,
          services: this.services,
        });
        if (!(await activatePlugin(definition, ctx, entry))) {
          this.#log.debug(`Not activating agent ${entry.name} due to agent policy in activate? method`);
          continue;
        }
        this.#agents.set(entry.name, {
          name: entry.name,
          instance: await createPlugin(definition, ctx, entry),
          ddl,
        });
      } catch (err) {
        this.#log.error(`Loading agent ${entry.name} failed: ${(err as Error).message}`);
      }
    }
  }

  async #subscribeAll(): Promise<void> {
    if (this.#config.directAddressing) {
      for (const collective of this.#config.collectives) {
        await this.#connector.subscribe({ kind: "directed", collective });
      }
    }
    for (const agent of this.#agents.keys()) await this.#subscribeAgent(agent, true);
  }

  async #subscribeAgent(agent: string, on: boolean): Promise<void> {
    for (const collective of this.#config.collectives) {
      const sub = { kind: "broadcast" as const, agent, collective };
      if (on) await this.#connector.subscribe(sub);
      else await this.#connector.unsubscribe(sub);
    }
  }

  #receive(message: InboundMessage): void {
    if (this.#stopping) return;
    const job = this.#handle(message)
      .catch((err: unknown) => {
        this.#log.warn(`Failed to handle message: ${(err as Error)?.stack ?? String(err)}`);
      })
      .finally(() => this.#inflight.delete(job));
    this.#inflight.add(job);
  }

  async #handle(message: InboundMessage): Promise<void> {
    const stats = this.stats;
    stats.total++;
    const from = message.headers.mc_sender ?? "an unknown sender";
    let request: DecodedRequest;
    try {
      request = this.#security.decodeRequest(message.body);
    } catch (err) {
      if (err instanceof SecurityError && err.reason !== "malformed") {
        stats.unvalidated++;
      } else {
        // Signed correctly but unusable: MCollective had counted it validated by then.
        if (err instanceof SecurityError && err.verified) stats.validated++;
        stats.malformed++;
      }
      this.#log.warn(`Failed to handle message from ${from}: ${(err as Error).message}`);
      return;
    }
    stats.validated++;

    if (!isValidCallerId(request.callerid)) {
      stats.malformed++;
      this.#log.warn(
        `callerid in request is not valid, surpressing reply to potentially forged request from ${from}: '${request.callerid}'`,
      );
      return;
    }

    const now = Math.floor(Date.now() / 1000);
    const { maxTtl, maxClockSkew } = this.#window;
    if (request.ttl > maxTtl) {
      // A ttl is the time a captured copy stays usable, and how long the
      // replay record must hold it: the daemon, not the sender, bounds both.
      stats.ttlexpired++;
      this.#log.warn(
        `Message ${describe(request)} has a TTL of ${request.ttl} seconds, above the ${maxTtl} this node allows (plugin.replay.max_ttl). Rejecting message. (ttlexpired: ${stats.ttlexpired})`,
      );
      return;
    }
    const age = now - request.msgtime;
    if (age > request.ttl) {
      stats.ttlexpired++;
      // RabbitMQ drops a message ttl + 10 s after it was sent: one older than
      // that did not just wait in a queue.
      const skew =
        age > request.ttl + 10
          ? ` It is older than the broker keeps messages: the clocks of ${request.senderid} and this node probably differ by about ${age} seconds (clock skew), or the message was replayed.`
          : "";
      this.#log.warn(
        `Message ${describe(request)} created at ${request.msgtime} is ${age} seconds old, TTL is ${request.ttl}. Rejecting message.${skew} (ttlexpired: ${stats.ttlexpired})`,
      );
      return;
    }
    if (age < -Math.min(request.ttl, maxClockSkew)) {
      // MCollective accepted these; a window open into the future would let a
      // request signed today be replayed for as long as its clock is ahead.
      stats.ttlexpired++;
      const limit =
        request.ttl <= maxClockSkew
          ? `its TTL of ${request.ttl}`
          : `the ${maxClockSkew} seconds this node allows (plugin.replay.max_clock_skew)`;
      this.#log.warn(
        `Message ${describe(request)} is dated ${-age} seconds in the future, beyond ${limit}: the clocks of ${request.senderid} and this node disagree (clock skew). Rejecting message. (ttlexpired: ${stats.ttlexpired})`,
      );
      return;
    }
    const signed = request.replayKey !== undefined;
    const sighting = this.#replays.check(
      signed ? `signed:${request.replayKey}` : `requestid:${request.requestid}`,
      request.msgtime + request.ttl,
      now,
    );
    if (sighting !== undefined) {
      stats.replayed++;
      const what = signed
        ? "the same signed request (whatever its request id says)"
        : "a request with the same id";
      this.#log.warn(
        `Refusing request ${describe(request)}: this node accepted ${what} ${now - sighting.firstSeen} seconds ago, this is a replayed message (replayed: ${stats.replayed})`,
      );
      return;
    }
    if (this.#replays.evictedLive > this.#replayEvictionsLogged) {
      this.#replayEvictionsLogged = this.#replays.evictedLive;
      this.#log.warn(
        `The replay cache is full (${this.#replays.capacity} requests within their TTL): the oldest were dropped, and replays of them would not be noticed`,
      );
    }

    // Facts and classes are read only when the filter asks for them, as MCollective
    // did: most requests have none, and a stat of the classes file per request
    // is most of a daemon's work at high fan-out.
    const factsCache = this.#facts;
    const verdict = await checkFilter(request.filter, {
      identity: this.#config.identity,
      fact: factsCache ? async (name: string) => lookupFact(await factsCache.get(), name) : () => undefined,
      classes: () => this.#classes.get(),
      agents: () => this.agents,
      // Ruby resolves `FACT('x')` too: data plugin names are not case-sensitive
      data: async (name: string, argument: string | null) => {
        if (!this.#data.has(name.toLowerCase())) return undefined;
        return this.#queryData(name.toLowerCase(), argument);
      },
    });
    if (verdict.error) {
      // Where Ruby's validate_filter? raised: neither passed nor filtered.
      stats.malformed++;
      this.#log.warn(`Failed to evaluate the filter of ${describe(request)}: ${verdict.error.message}`);
      return;
    }
    if (!verdict.matched) {
      stats.filtered++;
      if (this.#log.enabled("debug"))
        this.#log.debug(`Message ${describe(request)} does not pass filters. Ignoring message.`);
      return;
    }
    stats.passed++;

    const agent = this.#agents.get(request.agent);
    if (!agent) {
      stats.unknownAgent++;
      this.#log.warn(
        `Execution of ${request.agent} failed: this node has no agent called '${request.agent}'`,
      );
      return;
    }
    const stale = staleRequestReason(
      this.#stale,
      request,
      agent.ddl.metadata.timeout,
      Math.floor(Date.now() / 1000),
    );
    if (stale) {
      stats.ttlexpired++;
      this.#log.warn(`Dropping message ${describe(request)}: ${stale}. (ttlexpired: ${stats.ttlexpired})`);
      return;
    }
    if (this.#log.enabled("debug"))
      this.#log.debug(`Handling message ${describe(request)}: ${inspect(request.body, { maxLength: 500 })}`);
    let body: Awaited<ReturnType<typeof runAgentRequest>>;
    const actionFinished = stats.startAction(agent.name, declaredAction(agent, request.body));
    try {
      body = await runAgentRequest(agent, request, {
        log: this.#agentLog(agent.name),
        validator: this.#validatorLookup,
        authorization: this.#authorization,
        audit: this.#audit,
        onDenied: () => stats.denied++,
        onFailed: () => stats.failed++,
        watch: this.#watch,
      });
    } catch (err) {
      stats.failed++;
      this.#log.error(`Execution of ${request.agent} failed: ${(err as Error).message}`);
      return;
    } finally {
      actionFinished();
    }
    if (body === undefined) return;
    const bytes = this.#security.encodeReply(
      {
        senderid: this.#config.identity,
        requestid: request.requestid,
        senderagent: request.agent,
        msgtime: Math.floor(Date.now() / 1000),
        body,
      },
      request,
    );
    await this.#connector.publish({ kind: "reply", body: bytes, ttl: this.#config.ttl, request: message });
    stats.replies++;
  }

  #agentLog(name: string): Logger {
    let log = this.#agentLogs.get(name);
    if (!log) {
      log = this.#log.child(`agent/${name}`);
      this.#agentLogs.set(name, log);
    }
    return log;
  }

  /** The validator plugins this daemon loaded, for DDL validation of requests and data queries. */
  readonly #validatorLookup = (name: string) => {
    const v = this.#validators.get(name);
    return v ? (value: unknown) => v.validate(value) : undefined;
  };

  async #queryData(source: string, query: string | null): Promise<Record<string, unknown>> {
    const name = source.replace(/_data$/, "");
    const plugin = this.#data.get(name);
    if (!plugin) throw new Error(`No data plugin called '${source}' on this node`);
    const argument = query === null ? null : transformDataInput(plugin.ddl, query);
    validateDataQuery(plugin.ddl, argument, this.#validatorLookup);
    const seconds = plugin.ddl.metadata.timeout > 0 ? plugin.ddl.metadata.timeout : 1;
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([
        plugin.instance.query(argument as string | number | boolean | null),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Data plugin ${name} timed out on query '${query}'`)),
            seconds * 1000,
          );
        }),
      ]);
      return dataResult(plugin.ddl, answer);
    } finally {
      clearTimeout(timer);
    }
  }
}

import type {
  BroadcastEnd,
  Config,
  DataDdl,
  DiscoveryClient,
  DiscoveryDdl,
  DiscoveryMethod,
  Filter,
  Logger,
  PluginRegistry,
} from "@phobos/core";
import {
  createPlugin,
  DdlValidationError,
  pluginContextFor,
  UsageError,
  validateDataQuery,
} from "@phobos/core";
import { loadValidatorPlugins } from "./validator-plugins.js";

const CAPABILITY_CHECKS = [
  ["classes", "cf_class", "class"],
  ["facts", "fact", "fact"],
  ["identity", "identity", "identity"],
  ["compound", "compound", "compound"],
] as const;

/**
 * Agents every daemon runs: a filter on them selects no fewer nodes, so a
 * method without the `agents` capability can still name the expected ones.
 */
const UBIQUITOUS_AGENTS = new Set(["rpcutil", "discovery"]);

/** The part of `filter` a method with these capabilities cannot evaluate, if any. */
function inexpressible(capabilities: readonly string[], filter: Filter): string | undefined {
  for (const [cap, key, what] of CAPABILITY_CHECKS) {
    if (!capabilities.includes(cap) && filter[key].length > 0) return `${what} filters`;
  }
  if (!capabilities.includes("agents") && filter.agent.some((a) => !UBIQUITOUS_AGENTS.has(a))) {
    return "agent filters";
  }
  return undefined;
}

/**
 * MCollective's Discovery: picks the method (`--dm`, `default_discovery_method`),
 * refuses filters the method cannot express, switches to `mc` when a compound
 * filter needs the daemons to evaluate it, and sizes the discovery window.
 */
export class Discoverer {
  readonly #registry: PluginRegistry;
  readonly #config: Config;
  readonly #client: DiscoveryClient;
  readonly #log: Logger;
  readonly #stdin: (() => Promise<string>) | undefined;
  readonly #window: number;
  readonly #expectedMethod: string;
  #method: string;
  options: string[];
  readonly #instances = new Map<string, DiscoveryMethod>();

  constructor(options: {
    registry: PluginRegistry;
    config: Config;
    client: DiscoveryClient;
    log: Logger;
    method?: string | undefined;
    options?: string[];
    /** The client's input, for methods that read it (stdin); see `readInputOnce`. */
    stdin?: (() => Promise<string>) | undefined;
    /** `--discovery-window`: overrides `discovery_window`. */
    window?: number | undefined;
    /** `--discovery-expected`: overrides `discovery_expected`; "" turns it off. */
    expectedMethod?: string | undefined;
  }) {
    this.#registry = options.registry;
    this.#config = options.config;
    this.#client = options.client;
    this.#log = options.log;
    this.#stdin = options.stdin;
    this.#method = options.method ?? options.config.defaultDiscoveryMethod;
    this.options = options.options ?? [...options.config.defaultDiscoveryOptions];
    this.#window = options.window ?? options.config.discoveryWindow;
    if (!Number.isFinite(this.#window) || this.#window < 0) {
      throw new UsageError(`The discovery window must be 0 or more seconds, not ${this.#window}`);
    }
    this.#expectedMethod = options.expectedMethod ?? options.config.discoveryExpected;
    if (this.#expectedMethod === "mc") {
      throw new UsageError(
        "The expected nodes cannot come from the 'mc' discovery method: a broadcast cannot say who should answer it (discovery_expected names a method such as flatfile or registry)",
      );
    }
  }

  /** Seconds without a reply that end a broadcast after its first reply; 0: the fixed window. */
  get window(): number {
    return this.#window;
  }

  /** The method whose nodes a broadcast waits for (`discovery_expected`); "" for none. */
  get expectedMethod(): string {
    return this.#expectedMethod;
  }

  get method(): string {
    return this.#method;
  }

  set method(name: string) {
    this.#method = name;
  }

  /** Custom methods hand back identities, so requests must be directed. */
  get forcesDirect(): boolean {
    return this.#method !== "mc";
  }

  async ddl(): Promise<DiscoveryDdl> {
    if (!this.#registry.find("discovery", this.#method)) {
      const known = this.#registry.list("discovery").map((e) => e.name);
      throw new UsageError(`Unknown discovery method ${this.#method} (known: ${known.join(", ") || "none"})`);
    }
    if (this.#method !== "mc" && !this.#config.directAddressing) {
      throw new UsageError("Custom discovery methods require direct addressing mode");
    }
    return (await this.#registry.loadDdl("discovery", this.#method)) as DiscoveryDdl;
  }

  /**
   * Compound filters are evaluated by daemons, so they need broadcast
   * discovery, unless the method's DDL says it evaluates them itself
   * (`compound` capability, as puppetdb's does; MCollective 2.12 always switched).
   */
  async forceMethodByFilter(filter: Filter): Promise<boolean> {
    if (this.#method !== "mc" && filter.compound.length > 0) {
      const caps = await this.ddl().then(
        (ddl) => ddl.discovery.capabilities,
        () => [] as string[],
      );
      if (caps.includes("compound")) return false;
      this.#log.info("Switching to mc discovery method because compound filters are used");
      this.#method = "mc";
      return true;
    }
    return false;
  }

  async checkCapabilities(filter: Filter): Promise<void> {
    const caps = (await this.ddl()).discovery.capabilities;
    for (const [cap, key, what] of CAPABILITY_CHECKS) {
      if (!caps.includes(cap) && filter[key].length > 0) {
        throw new UsageError(`Cannot use ${what} filters while using the '${this.#method}' discovery method`);
      }
    }
  }

  /** The window: the given timeout or the method's, plus each data plugin's timeout in the compound filters. */
  async timeout(given: number | undefined, filter: Filter): Promise<number> {
    let timeout = given ?? (await this.ddl()).metadata.timeout;
    for (const expression of filter.compound) {
      for (const token of expression) {
        if ("fstatement" in token) timeout += (await this.dataDdl(token.fstatement.name)).metadata.timeout;
      }
    }
    return timeout;
  }

  async dataDdl(name: string): Promise<DataDdl> {
    const plugin = name.replace(/_data$/, "");
    if (!this.#registry.find("data", plugin)) {
      throw new DdlValidationError(`Can't find DDL for data plugin '${plugin}'`);
    }
    return (await this.#registry.loadDdl("data", plugin)) as DataDdl;
  }

  /**
   * Message#validate_compound_filter: every data function in a compound
   * filter must exist here, take its argument, and have the output compared.
   */
  async validateCompound(filter: Filter): Promise<void> {
    for (const expression of filter.compound) {
      for (const token of expression) {
        if (!("fstatement" in token)) continue;
        const f = token.fstatement;
        const ddl = await this.dataDdl(f.name);
        const validators = await loadValidatorPlugins(ddl, undefined, {
          registry: this.#registry,
          config: this.#config,
          log: this.#log,
        });
        validateDataQuery(ddl, f.params, validators);
        if (f.value === undefined || !(f.value in ddl.dataquery.output)) {
          throw new DdlValidationError(
            `Data plugin '${f.name}()' does not return a '${f.value ?? ""}' value`,
          );
        }
      }
    }
  }

  async #instance(name: string): Promise<DiscoveryMethod> {
    let method = this.#instances.get(name);
    if (!method) {
      const definition = await this.#registry.load("discovery", name);
      method = await createPlugin(
        definition,
        pluginContextFor(this.#config, "discovery", name, { log: this.#log, mode: "client" }),
        this.#registry.find("discovery", name) ?? {},
      );
      this.#instances.set(name, method);
    }
    return method;
  }

  /**
   * When a broadcast for `filter` may end early: the sliding window, and
   * the nodes the `discovery_expected` method says match. Only the mc
   * method broadcasts, so only it gets an expected set.
   */
  async broadcastEnd(filter: Filter): Promise<BroadcastEnd> {
    const expected = this.forcesDirect ? undefined : await this.expectedNodes(filter);
    return {
      ...(this.#window > 0 ? { window: this.#window } : {}),
      ...(expected ? { expected } : {}),
    };
  }

  /**
   * The nodes the `discovery_expected` method says `filter` selects, or
   * undefined when there is no such method, it cannot express the filter,
   * it fails (a warning: the broadcast then waits its whole window), or it
   * knows no node: an empty answer from a registry nobody has filled yet
   * must not end discovery before anyone could answer.
   */
  async expectedNodes(filter: Filter): Promise<string[] | undefined> {
    const name = this.#expectedMethod;
    if (name === "") return undefined;
    try {
      if (!this.#registry.find("discovery", name)) {
        const known = this.#registry.list("discovery").map((e) => e.name);
        throw new UsageError(`there is no discovery method ${name} (known: ${known.join(", ") || "none"})`);
      }
      const ddl = (await this.#registry.loadDdl("discovery", name)) as DiscoveryDdl;
      const unable = inexpressible(ddl.discovery.capabilities, filter);
      if (unable) {
        this.#log.debug(`Not waiting for the nodes of discovery method ${name}: it cannot express ${unable}`);
        return undefined;
      }
      const method = await this.#instance(name);
      const nodes = await method.discover({
        filter,
        timeout: ddl.metadata.timeout,
        limit: 0,
        options: [...this.#config.discoveryExpectedOptions],
        client: this.#client,
      });
      if (nodes.length === 0) return undefined;
      this.#log.debug(`Expecting ${nodes.length} node(s), as discovery method ${name} lists them`);
      return nodes;
    } catch (err) {
      this.#log.warn(
        `discovery_expected method ${name} could not list the expected nodes, waiting the whole discovery window: ${(err as Error).message}`,
      );
      return undefined;
    }
  }

  async discover(filter: Filter, timeout: number, limit = 0): Promise<string[]> {
    await this.forceMethodByFilter(filter);
    await this.checkCapabilities(filter);
    const method = await this.#instance(this.#method);
    const found = await method.discover({
      filter,
      timeout: await this.timeout(timeout, filter),
      limit,
      options: this.options,
      client: this.#client,
      end: await this.broadcastEnd(filter),
      ...(this.#stdin ? { stdin: this.#stdin } : {}),
    });
    return limit > 0 ? found.slice(0, limit) : found;
  }
}

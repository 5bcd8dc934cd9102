import type {
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
  }) {
    this.#registry = options.registry;
    this.#config = options.config;
    this.#client = options.client;
    this.#log = options.log;
    this.#stdin = options.stdin;
    this.#method = options.method ?? options.config.defaultDiscoveryMethod;
    this.options = options.options ?? [...options.config.defaultDiscoveryOptions];
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

  async discover(filter: Filter, timeout: number, limit = 0): Promise<string[]> {
    await this.forceMethodByFilter(filter);
    await this.checkCapabilities(filter);
    let method = this.#instances.get(this.#method);
    if (!method) {
      const definition = await this.#registry.load("discovery", this.#method);
      method = await createPlugin(
        definition,
        pluginContextFor(this.#config, "discovery", this.#method, { log: this.#log, mode: "client" }),
        this.#registry.find("discovery", this.#method) ?? {},
      );
      this.#instances.set(this.#method, method);
    }
    const found = await method.discover({
      filter,
      timeout: await this.timeout(timeout, filter),
      limit,
      options: this.options,
      client: this.#client,
      ...(this.#stdin ? { stdin: this.#stdin } : {}),
    });
    return limit > 0 ? found.slice(0, limit) : found;
  }
}

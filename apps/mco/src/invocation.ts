/**
 * What an application's `run` gets: the parsed command line plus lazy
 * factories for the network side. No request goes out until an application
 * asks for an RpcClient or the messaging client, so `--help`, bad input
 * and unknown agents fail before a single message is sent (the connection
 * itself may already be open: mco starts it early, see main.ts).
 */

import type { EarlyConnection } from "@phobos/client";
import {
  type ApplicationInvocation,
  type ApplicationOutput,
  type ApplicationSummary,
  type Colorize,
  type CommonOptions,
  colorizer,
  type Discoverer,
  type HaltStats,
  type MessagingClient,
  type OptionValue,
  type PrintRpcFlags,
  type PrintRpcStatsFlags,
  type Progress,
  type RpcCallReporter,
  type RpcClient,
  type RpcClientOverrides,
  type RpcResult,
  type RpcStats,
} from "@phobos/client";
import type { AgentDdl, Config, Logger, PluginRegistry } from "@phobos/core";

/** The client engines: loaded only by runs that use them (`mco help` does not). */
type ClientModule = typeof import("@phobos/client");

export interface InvocationParts {
  name: string;
  args: string[];
  configuration: Record<string, OptionValue>;
  options: CommonOptions;
  config: Config;
  log: Logger;
  stdout: ApplicationOutput;
  stderr: ApplicationOutput;
  registry: PluginRegistry;
  applicationHelp: (name: string) => Promise<string>;
  applications: () => ApplicationSummary[];
  /** The broker connection mco started while it loaded the application, if it did: messaging() adopts it. */
  early?: EarlyConnection | undefined;
}

export class McoInvocation implements ApplicationInvocation {
  readonly name: string;
  readonly args: string[];
  readonly configuration: Record<string, OptionValue>;
  readonly options: CommonOptions;
  readonly config: Config;
  readonly log: Logger;
  readonly stdout: ApplicationOutput;
  readonly stderr: ApplicationOutput;
  readonly registry: PluginRegistry;
  readonly color: Colorize;
  readonly #parts: InvocationParts;
  readonly #ddls = new Map<string, AgentDdl>();
  #messaging: Promise<MessagingClient> | undefined;
  #client: ClientModule | undefined;

  constructor(parts: InvocationParts) {
    this.#parts = parts;
    this.name = parts.name;
    this.args = parts.args;
    this.configuration = parts.configuration;
    this.options = parts.options;
    this.config = parts.config;
    this.log = parts.log;
    this.stdout = parts.stdout;
    this.stderr = parts.stderr;
    this.registry = parts.registry;
    this.color = colorizer(parts.config.color && parts.stdout.isTTY);
  }

  /**
   * Loads the client engines. mco does this before running any application
   * but the local ones (help, plugin, completion, describe_filter), which
   * never print RPC results; the async methods load them on demand anyway.
   */
  async loadClient(): Promise<ClientModule> {
    this.#client ??= await import("@phobos/client");
    return this.#client;
  }

  /** The client engines for a synchronous method; loadClient() has run by then. */
  #loaded(): ClientModule {
    if (!this.#client) throw new Error(`mco ${this.name}: the client engines were not loaded before use`);
    return this.#client;
  }

  /** Connected once, on first use; undefined until then (nothing to disconnect). */
  get connected(): Promise<MessagingClient> | undefined {
    return this.#messaging;
  }

  messaging(): Promise<MessagingClient> {
    this.#messaging ??= this.loadClient().then((client) =>
      client.connectMessaging(this.config, this.registry, this.log, this.options, this.#parts.early),
    );
    return this.#messaging;
  }

  async discoverer(): Promise<Discoverer> {
    const messaging = await this.messaging();
    const client = await this.loadClient();
    return new client.Discoverer({
      registry: this.registry,
      config: this.config,
      client: messaging.discovery,
      log: this.log,
      method: this.options.discoveryMethod,
      options: [...this.options.discoveryOptions],
      window: this.options.discoveryWindow,
      expectedMethod: this.options.discoveryExpected,
      // Piped input is the node list when discovery is `stdin` (chosen, or detected by the application).
      stdin: client.readInputOnce(process.stdin),
    });
  }

  async agentDdl(agent: string): Promise<AgentDdl> {
    const cached = this.#ddls.get(agent);
    if (cached) return cached;
    const ddl = await (await this.loadClient()).loadAgentDdl(this.registry, this.config, agent);
    this.#ddls.set(agent, ddl);
    return ddl;
  }

  #reporter(client: ClientModule): RpcCallReporter {
    let progress: Progress | undefined;
    return {
      discovering: (method, timeout) => {
        this.stderr.write(
          timeout > 0
            ? `Discovering hosts using the ${method} method for ${Math.trunc(timeout)} second(s) .... `
            : `Discovering hosts using the ${method} method .... `,
        );
      },
      discovered: (count) => this.stderr.write(`${count}\n`),
      noNodes: () => this.stderr.write("\nNo request sent, we did not discover any nodes."),
      started: (total) => {
        progress = new client.Progress(this.stdout.columns, this.color);
        this.stdout.write(`\n${progress.twirl(0, total)}`);
      },
      progress: (received, total) => {
        if (progress) this.stdout.write(progress.twirl(received, total));
      },
      finished: (batched) => this.stdout.write(batched ? "\n" : "\n\n"),
    };
  }

  async rpcClient(agent: string, overrides: RpcClientOverrides = {}): Promise<RpcClient> {
    const ddl = await this.agentDdl(agent);
    const messaging = await this.messaging();
    const engines = await this.loadClient();
    const o = this.options;
    const client = new engines.RpcClient({
      agent,
      ddl,
      config: this.config,
      registry: this.registry,
      messaging,
      discoverer: await this.discoverer(),
      log: this.log,
      filter: structuredClone(overrides.filter ?? o.filter),
      // MCollective treats -t 5, its default, as "not given".
      timeout: o.timeout === 5 ? undefined : o.timeout,
      discoveryTimeout: o.disctimeout ?? this.config.discoveryTimeout,
      limit: o.limitTargets,
      limitSeed: o.limitSeed,
      batchSize: o.batchSize,
      batchSleep: o.batchSleepTime,
      sort: o.sort,
      verbose: o.verbose && o.outputFormat === "console",
      progress: overrides.progress ?? o.progressBar,
      reporter: this.#reporter(engines),
      discoveryMethodChosen: o.discoveryMethod !== undefined,
    });
    return client;
  }

  async readStdin(): Promise<string> {
    return (await this.loadClient()).readStdin();
  }

  async stdinHasData(): Promise<boolean> {
    return (await this.readStdin()).length > 0;
  }

  printrpc(results: RpcResult | readonly RpcResult[], flags: PrintRpcFlags = {}): void {
    const first = Array.isArray(results) ? (results as readonly RpcResult[])[0] : (results as RpcResult);
    const ddl = flags.ddl ?? (first ? this.#ddls.get(first.agent) : undefined);
    const text = this.#loaded().printrpcText(results, {
      ddl,
      verbose: this.options.verbose || flags.verbose === true,
      flatten: flags.flatten === true,
      format: this.options.outputFormat,
      forceDisplayMode: this.options.forceDisplayMode,
      color: this.color,
      prettyJson: this.stdout.isTTY,
    });
    this.stdout.write(text);
  }

  printrpcstats(stats: RpcStats, flags: PrintRpcStatsFlags = {}): void {
    if (this.options.outputFormat !== "console") return;
    this.stdout.write(
      this.#loaded().printrpcstatsText(stats, {
        caption: flags.caption ?? "rpc stats",
        summarize: flags.summarize ?? false,
        verbose: this.options.verbose,
        color: this.color,
        ddl: flags.ddl ?? [...this.#ddls.values()].find((d) => d.metadata.name === stats.agent),
      }),
    );
  }

  haltCode(stats: HaltStats): number {
    return this.#loaded().haltCode(stats);
  }

  applications(): ApplicationSummary[] {
    return this.#parts.applications();
  }

  applicationHelp(name: string): Promise<string> {
    return this.#parts.applicationHelp(name);
  }
}

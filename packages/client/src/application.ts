/**
 * The contract between `mco` and an application (`mco ping`, `mco rpc`,
 * a plugin's `mco package`): MCollective's Application class, as types.
 *
 * An application declares its description, usage lines, its own options
 * (MCollective's `option :name, :arguments => [...], :type => ...`) and the
 * standard option sections it does without. `mco` parses the command line
 * against all of them, then calls `run(invocation)` with everything parsed:
 * the positional arguments, the application's options (`configuration`),
 * the common options (filter, timeouts, output format, limits…), the config,
 * a logger, the streams, and factories for what talks to the network — so
 * an application never builds a connector or reads argv itself. `run`
 * resolves to the exit code (`haltCode(stats)` for MCollective's).
 */
import type { AgentDdl, Config, DdlDisplay, Filter, Logger, OptionValue } from "@phobos/core";

export type {
  ApplicationOptionSpec,
  OptionSection,
  OptionType,
  OptionValue,
} from "@phobos/core";

import type { Application, PluginContext, PluginDefinition, PluginRegistry, PluginSpec } from "@phobos/core";
import { definePlugin } from "@phobos/core";
import type { Discoverer } from "./discoverer.js";
import type { MessagingClient } from "./messaging.js";
import type { Colorize } from "./render/color.js";
import type { RpcClient, RpcResult } from "./rpc-client.js";
import type { RpcStats } from "./rpc-stats.js";

/** The standard options (`Optionparser` and `RPC::Helpers.add_simplerpc_options`), parsed. */
export interface CommonOptions {
  /** The config file in use (`-c`, else the usual places). */
  config: string;
  verbose: boolean;
  /** `-t`; 5 (MCollective's default) means "not set": RPC then waits the DDL's timeout plus discovery. */
  timeout: number;
  /** `--dt`. */
  disctimeout: number | undefined;
  /** `--discovery-window`: overrides `discovery_window`. */
  discoveryWindow: number | undefined;
  /** `--discovery-expected`: overrides `discovery_expected`. */
  discoveryExpected: string | undefined;
  /** `-T`; the main collective when not given. */
  collective: string | undefined;
  ttl: number | undefined;
  replyTo: string | undefined;
  /** `--dm` (or `--nodes`, which means flatfile). */
  discoveryMethod: string | undefined;
  /** `--do`, after the config's `default_discovery_options`. */
  discoveryOptions: string[];
  publishTimeout: number | undefined;
  threaded: boolean;
  sort: boolean;
  connectionTimeout: number | undefined;
  filter: Filter;
  /** `--np` clears it; `-j` too. */
  progressBar: boolean;
  /** `--limit`, `-1`: a count or `N%`. */
  limitTargets: number | string | undefined;
  batchSize: string | undefined;
  batchSleepTime: number | undefined;
  limitSeed: number | undefined;
  outputFormat: "console" | "json";
  /** `--display`: ok, failed or always. */
  forceDisplayMode: DdlDisplay | undefined;
}

/** A writable stream as applications see it. */
export interface ApplicationOutput {
  write(text: string): void;
  readonly isTTY: boolean;
  /** Terminal width; 0 when not a terminal. */
  readonly columns: number;
}

/** What `printrpc` accepts besides the results. */
export interface PrintRpcFlags {
  verbose?: boolean;
  flatten?: boolean;
  ddl?: AgentDdl | undefined;
}

/** What `printrpcstats` accepts. */
export interface PrintRpcStatsFlags {
  caption?: string;
  summarize?: boolean;
  ddl?: AgentDdl | undefined;
}

/** One application as `mco help` lists it. */
export interface ApplicationSummary {
  name: string;
  description: string;
}

/** Overrides for one RpcClient, on top of the command line's options. */
export interface RpcClientOverrides {
  progress?: boolean;
  filter?: Filter;
}

/** What `run` receives. */
export interface ApplicationInvocation {
  /** The application's name (`rpc`). */
  readonly name: string;
  /** Positional arguments left after option parsing (Ruby's ARGV), in order; the application may consume them. */
  readonly args: string[];
  /** The application's own options by name, defaults applied. */
  readonly configuration: Record<string, OptionValue>;
  readonly options: CommonOptions;
  readonly config: Config;
  readonly log: Logger;
  readonly stdout: ApplicationOutput;
  readonly stderr: ApplicationOutput;
  /** Everything piped in, read once (empty for a terminal or /dev/null). */
  readStdin(): Promise<string>;
  /** True when stdin is not a terminal and something was piped in. */
  stdinHasData(): Promise<boolean>;
  readonly registry: PluginRegistry;
  readonly color: Colorize;
  /**
   * MCollective's `rpcclient(agent)`: connected, configured from the
   * options (filter, timeouts, discovery method and options, limits,
   * batches, progress, verbosity). Fails before connecting when the agent
   * has no DDL.
   */
  rpcClient(agent: string, overrides?: RpcClientOverrides): Promise<RpcClient>;
  /** The connected messaging client (ping talks to it directly). */
  messaging(): Promise<MessagingClient>;
  /** A Discoverer configured from `--dm`/`--do`, for applications that discover without RPC. */
  discoverer(): Promise<Discoverer>;
  /** An agent's DDL; throws a clear error naming where it was looked for. */
  agentDdl(agent: string): Promise<AgentDdl>;
  /** `printrpc`: writes the results as MCollective lays them out (console or JSON). */
  printrpc(results: RpcResult | readonly RpcResult[], flags?: PrintRpcFlags): void;
  /** `printrpcstats`: the summary line or `-v` block (console output only). */
  printrpcstats(stats: RpcStats, flags?: PrintRpcStatsFlags): void;
  /** `halt_code`: MCollective's exit code for a finished request. */
  haltCode(stats: HaltStats): number;
  /** The installed applications, from their manifests (no code loaded). */
  applications(): ApplicationSummary[];
  /** What `mco <app> --help` prints for an application. */
  applicationHelp(name: string): Promise<string>;
}

/** What `halt_code` reads from an RpcStats (or MCollective::Client's stats hash). */
export interface HaltStats {
  discoverytime?: number;
  discovered?: number;
  okcount?: number;
  failcount?: number;
  responses?: number;
}

/**
 * `Application#halt_code`:
 *  0 nodes discovered and all passed, or no discovery and some replies;
 *  1 no nodes discovered; 2 some requests failed; 3 discovered but no
 *  replies; 4 no discovery done and no replies.
 */
export function haltCode(stats: HaltStats): number {
  const discoverytime = stats.discoverytime ?? 0;
  const discovered = stats.discovered ?? 0;
  const failcount = stats.failcount ?? 0;
  const responses = stats.responses;
  if (discoverytime === 0 && responses === 0) return 4;
  if (discovered > 0) {
    if (responses === 0) return 3;
    if (failcount > 0) return 2;
  }
  if (discovered === 0) return responses !== undefined && responses > 0 ? 0 : 1;
  return 0;
}

/** What an application plugin's `create(ctx)` returns: the contract with mco's invocation filled in. */
export type ApplicationPlugin = Application<ApplicationInvocation>;

/**
 * `defineApplication` is the client's, not core's: its `run` takes the
 * invocation mco builds, and the daemon never loads either.
 */
export const defineApplication = (
  spec: Omit<PluginSpec<"application">, "create"> & {
    readonly create: (ctx: PluginContext) => ApplicationPlugin | Promise<ApplicationPlugin>;
  },
): PluginDefinition<"application"> => definePlugin("application", spec);

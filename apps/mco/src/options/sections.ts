/**
 * MCollective's standard option sections, in the order and wording of
 * `Optionparser` (required, common, host filters) and
 * `RPC::Helpers.add_simplerpc_options` (RPC options), each switch writing
 * into CommonOptions as Ruby writes into its options hash.
 */
import { accessSync, constants } from "node:fs";
import type { CommonOptions } from "@phobos/client";
import {
  addFilterOption,
  type Config,
  emptyFilter,
  FilterSyntaxError,
  type HostFilterOption,
  UsageError,
} from "@phobos/core";
import type { OptionParser } from "./option-parser.js";
import { makeSwitch, type SwitchSpec, type SwitchValue } from "./switch.js";

/** Thrown by `-h`: mco prints the help and stops. */
export class HelpRequested extends Error {
  constructor() {
    super("help requested");
  }
}

/** `Util.default_options` plus SimpleRPC's defaults. */
export function defaultCommonOptions(config: Config, configFile: string): CommonOptions {
  return {
    config: configFile,
    verbose: false,
    timeout: 5,
    disctimeout: undefined,
    discoveryWindow: undefined,
    discoveryExpected: undefined,
    collective: undefined,
    ttl: undefined,
    replyTo: undefined,
    discoveryMethod: undefined,
    discoveryOptions: [...config.defaultDiscoveryOptions],
    publishTimeout: undefined,
    threaded: false,
    sort: false,
    connectionTimeout: undefined,
    filter: emptyFilter(),
    progressBar: true,
    limitTargets: undefined,
    batchSize: undefined,
    batchSleepTime: undefined,
    limitSeed: undefined,
    outputFormat: "console",
    forceDisplayMode: undefined,
  };
}

const str = (v: SwitchValue) => String(v);
const num = (v: SwitchValue) => v as number;

function on(parser: OptionParser, spec: SwitchSpec): void {
  parser.on(makeSwitch(spec));
}

/** `-c`, `-v`, `-h`: every application has them. */
export function addRequiredOptions(parser: OptionParser, o: CommonOptions): void {
  on(parser, {
    arguments: ["-c", "--config FILE"],
    description: "Load configuration from file rather than default",
    handle: (v) => {
      o.config = str(v);
    },
  });
  on(parser, {
    arguments: ["-v", "--verbose"],
    description: "Be verbose",
    handle: (v) => {
      o.verbose = v === true;
    },
  });
  on(parser, {
    arguments: ["-h", "--help"],
    description: "Display this screen",
    handle: () => {
      throw new HelpRequested();
    },
  });
}

export function addCommonOptions(parser: OptionParser, o: CommonOptions): void {
  parser.separator("");
  parser.separator("Common Options");
  on(parser, {
    arguments: ["-T", "--target COLLECTIVE"],
    description: "Target messages to a specific sub collective",
    handle: (v) => {
      o.collective = str(v);
    },
  });
  on(parser, {
    arguments: ["--dt", "--discovery-timeout SECONDS"],
    description: "Timeout for doing discovery",
    conversion: "integer",
    handle: (v) => {
      o.disctimeout = num(v);
    },
  });
  on(parser, {
    arguments: ["--discovery-window SECONDS"],
    description:
      "End discovery and ping once no reply came for this long (after the first; 0: wait the whole timeout)",
    conversion: "float",
    handle: (v) => {
      if (num(v) < 0) throw new UsageError(`--discovery-window must be 0 or more seconds, not ${num(v)}`);
      o.discoveryWindow = num(v);
    },
  });
  on(parser, {
    arguments: ["--discovery-expected METHOD"],
    description: "End discovery and ping once every node this discovery method lists answered",
    handle: (v) => {
      o.discoveryExpected = str(v);
    },
  });
  on(parser, {
    arguments: ["-t", "--timeout SECONDS"],
    description: "Timeout for calling remote agents",
    conversion: "integer",
    handle: (v) => {
      o.timeout = num(v);
    },
  });
  on(parser, {
    arguments: ["-q", "--quiet"],
    description: "Do not be verbose",
    handle: () => {
      o.verbose = false;
    },
  });
  on(parser, {
    arguments: ["--ttl TTL"],
    description: "Set the message validity period",
    handle: (v) => {
      // Ruby's String#to_i: leading digits, else 0.
      o.ttl = Number.parseInt(/^\s*[-+]?\d+/.exec(str(v))?.[0] ?? "0", 10);
    },
  });
  on(parser, {
    arguments: ["--reply-to TARGET"],
    description: "Set a custom target for replies",
    handle: (v) => {
      o.replyTo = str(v);
    },
  });
  on(parser, {
    arguments: ["--dm", "--disc-method METHOD"],
    description: "Which discovery method to use",
    handle: (v) => {
      if (o.discoveryMethod !== undefined && o.discoveryMethod !== v) {
        throw new UsageError("Discovery method is already set by a competing option");
      }
      o.discoveryMethod = str(v);
    },
  });
  on(parser, {
    arguments: ["--do", "--disc-option OPTION"],
    description: "Options to pass to the discovery method",
    handle: (v) => {
      o.discoveryOptions.push(str(v));
    },
  });
  on(parser, {
    arguments: ["--nodes FILE"],
    description: "List of nodes to address",
    handle: (v) => {
      if (o.discoveryMethod !== undefined || o.discoveryOptions.length > 0) {
        throw new UsageError("Cannot mix --disc-method, --disc-option and --nodes");
      }
      try {
        accessSync(str(v), constants.R_OK);
      } catch {
        throw new UsageError(`Cannot read the discovery file ${str(v)}`);
      }
      o.discoveryMethod = "flatfile";
      o.discoveryOptions.push(str(v));
    },
  });
  on(parser, {
    arguments: ["--publish_timeout TIMEOUT"],
    description: "Timeout for publishing requests to remote agents.",
    conversion: "integer",
    handle: (v) => {
      o.publishTimeout = num(v);
    },
  });
  on(parser, {
    arguments: ["--threaded"],
    description: "Start publishing requests and receiving responses in threaded mode.",
    handle: () => {
      o.threaded = true;
    },
  });
  on(parser, {
    arguments: ["--sort"],
    description: "Sort the output of an RPC call before processing.",
    handle: () => {
      o.sort = true;
    },
  });
  on(parser, {
    arguments: ["--connection-timeout TIMEOUT"],
    description: "Set the timeout for establishing a connection to the middleware",
    conversion: "integer",
    handle: (v) => {
      o.connectionTimeout = num(v);
    },
  });
}

/** A filter that does not parse, as one line: which option, its text, where it went wrong. */
function filterError(option: string, value: string, err: unknown): never {
  if (err instanceof FilterSyntaxError) {
    const reason = err.message.split("\n")[0] ?? err.message;
    throw new UsageError(`${option} ${JSON.stringify(value)}: ${reason}`);
  }
  throw err;
}

export function addFilterOptions(parser: OptionParser, o: CommonOptions): void {
  const filter = (option: HostFilterOption) => (v: SwitchValue) => {
    try {
      addFilterOption(o.filter, option, str(v));
    } catch (err) {
      filterError(option, str(v), err);
    }
  };
  parser.separator("");
  parser.separator("Host Filters");
  on(parser, {
    arguments: ["-W", "--with FILTER"],
    description: "Combined classes and facts filter",
    handle: filter("-W"),
  });
  on(parser, {
    arguments: ["-S", "--select FILTER"],
    description: "Compound filter combining facts and classes",
    handle: filter("-S"),
  });
  on(parser, {
    arguments: ["-F", "--wf", "--with-fact fact=val"],
    description: "Match hosts with a certain fact",
    handle: filter("-F"),
  });
  on(parser, {
    arguments: ["-C", "--wc", "--with-class CLASS"],
    description: "Match hosts with a certain config management class",
    handle: filter("-C"),
  });
  on(parser, {
    arguments: ["-A", "--wa", "--with-agent AGENT"],
    description: "Match hosts with a certain agent",
    handle: filter("-A"),
  });
  on(parser, {
    arguments: ["-I", "--wi", "--with-identity IDENT"],
    description: "Match hosts with a certain configured identity",
    handle: filter("-I"),
  });
}

export function addRpcOptions(parser: OptionParser, o: CommonOptions): void {
  parser.separator("");
  parser.separator("RPC Options");
  on(parser, {
    arguments: ["--np", "--no-progress"],
    description: "Do not show the progress bar",
    handle: () => {
      o.progressBar = false;
    },
  });
  on(parser, {
    arguments: ["--one", "-1"],
    description: "Send request to only one discovered nodes",
    handle: () => {
      o.limitTargets = 1;
    },
  });
  on(parser, {
    arguments: ["--batch SIZE"],
    description: "Do requests in batches",
    handle: (v) => {
      const text = str(v);
      const pct = /^(\d+)%$/.exec(text);
      if (!((pct && Number(pct[1]) !== 0) || /^\d+$/.test(text))) {
        throw new UsageError(`invalid argument: --batch ${text}`);
      }
      o.batchSize = text;
    },
  });
  on(parser, {
    arguments: ["--batch-sleep SECONDS"],
    description: "Sleep time between batches",
    conversion: "float",
    handle: (v) => {
      o.batchSleepTime = num(v);
    },
  });
  on(parser, {
    arguments: ["--limit-seed NUMBER"],
    description: "Seed value for deterministic random batching",
    conversion: "integer",
    handle: (v) => {
      o.limitSeed = num(v);
    },
  });
  on(parser, {
    arguments: ["--limit-nodes COUNT", "--ln", "--limit"],
    description: "Send request to only a subset of nodes, can be a percentage",
    handle: (v) => {
      const text = str(v);
      if (!/^\d+%*$/.test(text)) {
        throw new UsageError(`Invalid limit specified: ${text} valid limits are /^\\d+%*$/`);
      }
      o.limitTargets = /^\d+$/.test(text) ? Number(text) : text;
    },
  });
  on(parser, {
    arguments: ["--json", "-j"],
    description: "Produce JSON output",
    handle: () => {
      o.progressBar = false;
      o.outputFormat = "json";
    },
  });
  on(parser, {
    arguments: ["--display MODE"],
    description: "Influence how results are displayed. One of ok, all or failed",
    handle: (v) => {
      const mode = str(v) === "all" ? "always" : str(v);
      if (mode !== "ok" && mode !== "failed" && mode !== "always") {
        throw new UsageError("--display has to be one of 'ok', 'all' or 'failed'");
      }
      o.forceDisplayMode = mode;
    },
  });
}

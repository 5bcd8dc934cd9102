/**
 * An application's whole command line, as `Application#application_parse_options`
 * assembles it: description and usage on top, the application's options,
 * then RPC options, `-c/-v/-h`, common options and host filters (minus the
 * sections the application excludes), then the MCollective version line.
 * MCOLLECTIVE_EXTRA_OPTS is parsed first, as `OptionParser#environment`
 * does, so the command line can override it.
 */

import type { ApplicationOptionSpec, CommonOptions, OptionSection, OptionValue } from "@phobos/client";
import { type Config, splitShellWords, UsageError } from "@phobos/core";
import { OptionParser } from "./option-parser.js";
import {
  addCommonOptions,
  addFilterOptions,
  addRequiredOptions,
  addRpcOptions,
  defaultCommonOptions,
} from "./sections.js";
import { type Conversion, makeSwitch } from "./switch.js";

export const MCOLLECTIVE_VERSION_LINE = "The Marionette Collective 2.12.5";

/** What an application declares about its command line. */
export interface ApplicationShape {
  description?: string | undefined;
  usage?: readonly string[] | undefined;
  options?: readonly ApplicationOptionSpec[] | undefined;
  excludeSections?: readonly OptionSection[] | undefined;
}

export interface ParsedCommandLine {
  options: CommonOptions;
  configuration: Record<string, OptionValue>;
  args: string[];
}

/** A refused option value (`validate`) or a missing mandatory option: MCollective's wording. */
export class ApplicationOptionError extends UsageError {}

function conversionOf(spec: ApplicationOptionSpec): Conversion {
  switch (spec.type) {
    case "integer":
      return "integer";
    case "float":
      return "float";
    case "list":
      return "list";
    default:
      return "string";
  }
}

function buildParser(
  shape: ApplicationShape,
  options: CommonOptions,
  configuration: Record<string, OptionValue>,
): OptionParser {
  const parser = new OptionParser();
  const excluded = new Set(shape.excludeSections ?? []);
  if (shape.description) parser.head(shape.description);
  const usage = shape.usage ?? [];
  if (usage.length > 0) {
    parser.separator("");
    for (const line of usage) parser.separator(`Usage: ${line}`);
    parser.separator("");
  }
  const appOptions = shape.options ?? [];
  if (appOptions.length > 0) parser.separator("Application Options");
  parser.tail("");
  parser.tail(MCOLLECTIVE_VERSION_LINE);
  for (const spec of appOptions) {
    if (spec.default !== undefined) configuration[spec.name] = spec.default;
    parser.on(
      makeSwitch({
        arguments: spec.arguments,
        description: spec.description,
        conversion: conversionOf(spec),
        handle: (value) => {
          if (spec.validate && value !== undefined) {
            const verdict = spec.validate(value);
            if (verdict !== true) {
              throw new ApplicationOptionError(`Validation of ${spec.name} failed: ${verdict}`);
            }
          }
          if (spec.type === "array") {
            const list = Array.isArray(configuration[spec.name])
              ? (configuration[spec.name] as string[])
              : [];
            configuration[spec.name] = [...list, String(value)];
          } else {
            configuration[spec.name] = value;
          }
        },
      }),
    );
  }
  if (!excluded.has("rpc")) addRpcOptions(parser, options);
  addRequiredOptions(parser, options);
  if (!excluded.has("common")) addCommonOptions(parser, options);
  if (!excluded.has("filter")) addFilterOptions(parser, options);
  return parser;
}

/** `mco <app> --help`: the OptionParser summary of the application's command line. */
export function applicationHelp(shape: ApplicationShape, config: Config, configFile: string): string {
  return buildParser(shape, defaultCommonOptions(config, configFile), {}).help();
}

/**
 * Parses MCOLLECTIVE_EXTRA_OPTS (its positional words are ignored, as
 * Ruby ignores them) then argv. Throws OptionError/UsageError with Ruby's
 * wording, HelpRequested for `-h`.
 */
export function parseCommandLine(
  shape: ApplicationShape,
  argv: readonly string[],
  config: Config,
  configFile: string,
  env: NodeJS.ProcessEnv = process.env,
): ParsedCommandLine {
  const options = defaultCommonOptions(config, configFile);
  const configuration: Record<string, OptionValue> = {};
  const parser = buildParser(shape, options, configuration);
  const extra = env.MCOLLECTIVE_EXTRA_OPTS;
  if (extra !== undefined && extra.trim() !== "") {
    parser.parse(splitShellWords(extra), "MCOLLECTIVE_EXTRA_OPTS");
  }
  const args = parser.parse(argv);
  options.collective ??= config.mainCollective;
  const missing = (shape.options ?? []).filter(
    (spec) => spec.required && (configuration[spec.name] === undefined || configuration[spec.name] === false),
  );
  if (missing.length > 0) {
    throw new ApplicationOptionError(
      `${missing.map((spec) => `The ${spec.name} option is mandatory`).join("; ")}: run with --help for detailed help`,
    );
  }
  return { options, configuration, args };
}

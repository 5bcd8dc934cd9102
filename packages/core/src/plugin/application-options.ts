/**
 * How an application declares its command line (MCollective's
 * `option :name, :arguments => [...], :type => ...`): part of the plugin
 * contract, since `mco --help` reads it without running anything.
 */
/** The option groups MCollective adds to every application unless it excludes them. */
export type OptionSection = "rpc" | "common" | "filter";

/**
 * How an option's argument is read: `bool` takes none (a `--no-…` name sets
 * false), `array` collects every use, `list` splits `a,b` (OptionParser's
 * Array), `integer`/`float` convert as Ruby's OptionParser does, `string`
 * (the default) keeps the text.
 */
export type OptionType = "string" | "bool" | "integer" | "float" | "array" | "list";

export type OptionValue = string | number | boolean | string[] | undefined;

/** One application option, as MCollective's `option` declares it. */
export interface ApplicationOptionSpec {
  /** The key in `configuration`. */
  name: string;
  description: string;
  /** OptionParser switch texts: `["-a", "--agent AGENT"]`, `"--list-agents"`, `"--actions [ACTIONS]"`. */
  arguments: string | readonly string[];
  type?: OptionType;
  /** Set before parsing, so it is there when the option is not given. */
  default?: OptionValue;
  /** "The <name> option is mandatory" when missing. */
  required?: boolean;
  /** `true`, or the reason the value is refused ("Validation of <name> failed: <reason>"). */
  validate?: (value: string | number | boolean | string[]) => true | string;
}

import type { FactValue } from "./fact-value.js";

/**
 * What the matcher may ask of the node a filter is judged against. The
 * daemon backs it with its facts source, classes file, loaded agents and data
 * plugins; discovery backends (inventory files) back it with recorded data.
 */
export interface NodeView {
  readonly identity: string;
  /**
   * One fact, normalised as MCollective normalises facts (keys and leaf values
   * Strings; Arrays and Hashes kept); `undefined` when the node has no such fact.
   */
  fact(name: string): FactValue | undefined | Promise<FactValue | undefined>;
  /** The classes file, one entry per line. A source that cannot be read means no classes. */
  classes(): readonly string[] | Promise<readonly string[]>;
  /** Names of the agents loaded on the node. */
  agents(): readonly string[] | Promise<readonly string[]>;
  /**
   * A data plugin query for an `fstatement` (`fstat("/etc/hosts")` asks
   * `data("fstat", "/etc/hosts")`). Resolve names case-insensitively, as
   * `Data.pluginname` does. Throw, or return undefined, when there is no such
   * plugin or it refuses the argument: the whole `-S` expression is then false.
   */
  data(name: string, argument: string | null): Promise<Record<string, unknown> | undefined>;
}

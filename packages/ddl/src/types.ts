/**
 * The DDL model: what an agent, data or discovery plugin declares about
 * itself, as data beside its code. `mco plugin doc` renders it, the client
 * validates inputs against it before sending, the daemon validates again
 * before running, and the display and aggregate code read it.
 *
 * It mirrors MCollective's Ruby DDL (metadata, action/input/output, display,
 * summarize/aggregate, dataquery, discovery capabilities) and can be read
 * from TypeScript (`defineAgentDdl`), from Choria-style JSON DDL files, and
 * from MCollective's own `.ddl` files.
 */

export interface DdlMetadata {
  name: string;
  description: string;
  author: string;
  license: string;
  version: string;
  url: string;
  /** Seconds an action (agent) or a query (data) may run; also the discovery window (discovery). */
  timeout: number;
}

export type DdlInputType =
  | "string"
  | "integer"
  | "float"
  | "number"
  | "boolean"
  | "list"
  | "hash"
  | "array"
  | "any";

export interface DdlInput {
  prompt: string;
  description: string;
  type: DdlInputType;
  optional: boolean;
  default?: unknown;
  /**
   * `string` inputs: a validator plugin name (`"shellsafe"`, `"ipv4address"`,
   * `"ipv6address"`, or one an add-on ships) or a RegExp the value must match.
   * Patterns read from Ruby or JSON DDLs are `RubyRegex` objects: they match
   * with Ruby's semantics and print as Ruby prints them.
   */
  validation?: string | RegExp;
  /** `string` inputs: longest accepted value; 0 means no limit. */
  maxlength?: number;
  /** `list` inputs: the accepted values. */
  list?: unknown[];
}

export interface DdlOutput {
  description: string;
  display_as: string;
  default?: unknown;
  /** Informational (Choria JSON DDLs carry it); not checked. */
  type?: string;
}

/** `summarize { aggregate summary(:status), average(:rtt, :format => "%.2f") }` */
export interface DdlAggregate {
  /** Aggregate plugin name: `summary`, `sum`, `average`, or an add-on's. */
  function: string;
  /** First argument is the output name; further arguments go to the plugin. */
  args: unknown[];
  format?: string;
}

/** When `mco` prints a node's result: only OK ones, only failures, or always. */
export type DdlDisplay = "ok" | "failed" | "always" | "flatten";

export interface DdlAction {
  action: string;
  description: string;
  display: DdlDisplay;
  input: Record<string, DdlInput>;
  output: Record<string, DdlOutput>;
  aggregate?: DdlAggregate[];
}

export interface AgentDdl {
  kind: "agent";
  metadata: DdlMetadata;
  /** `requires :mcollective => "2.2.1"` */
  requires?: { mcollective?: string };
  /** Free text `mco plugin doc` prints under the metadata (`usage <<-EOU … EOU`). */
  usage?: string;
  /** In declaration order. */
  actions: Record<string, DdlAction>;
}

export interface DataDdl {
  kind: "data";
  metadata: DdlMetadata;
  requires?: { mcollective?: string };
  usage?: string;
  dataquery: {
    description: string;
    /** Data plugins take at most one input and it is called `query`. */
    input: { query?: DdlInput };
    output: Record<string, DdlOutput>;
  };
}

export type DiscoveryCapability = "classes" | "facts" | "identity" | "agents" | "compound";

export interface DiscoveryDdl {
  kind: "discovery";
  metadata: DdlMetadata;
  requires?: { mcollective?: string };
  usage?: string;
  discovery: { capabilities: DiscoveryCapability[] };
}

/** Connectors, security providers, validators, aggregates… only describe themselves. */
export interface MetadataDdl {
  kind: "metadata";
  metadata: DdlMetadata;
  requires?: { mcollective?: string };
  usage?: string;
}

export type Ddl = AgentDdl | DataDdl | DiscoveryDdl | MetadataDdl;

/**
 * What the console's API answers, as the UI reads it. Provisional until the
 * server's shared types land (apps/console/src/shared).
 */

export interface Session {
  user: string;
  csrfToken: string;
}

export interface FilterInput {
  identity: string[];
  fact: string[];
  class: string[];
  agent: string[];
  compound: string;
}

export interface NodeSummary {
  identity: string;
  lastSeen: string;
  stale: boolean;
  collectives: string[];
  agents: string[];
  classes: string[];
  facts: Record<string, unknown>;
}

export interface NodesAnswer {
  nodes: NodeSummary[];
  count: number;
}

export interface DdlInputJson {
  prompt: string;
  description: string;
  type: string;
  optional: boolean;
  default?: unknown;
  validation?: string;
  maxlength?: number;
  list?: unknown[];
}

export interface DdlOutputJson {
  description: string;
  display_as: string;
  default?: unknown;
}

export interface DdlActionJson {
  action: string;
  description: string;
  display: "ok" | "failed" | "always" | "flatten";
  input: Record<string, DdlInputJson>;
  output: Record<string, DdlOutputJson>;
  aggregate?: { function: string; args: unknown[]; format?: string }[];
}

export interface AgentJson {
  metadata: { name: string; description: string; version: string; timeout: number };
  actions: Record<string, DdlActionJson>;
}

export interface AgentSummary {
  name: string;
  description: string;
  actions: string[];
}

/** Per input name, what is wrong with it. */
export type InputErrors = Record<string, string>;

export interface ReplyEvent {
  sender: string;
  statuscode: number;
  statusmsg: string;
  data: Record<string, unknown>;
  /** Whether mco would print this reply's data under the action's display policy. */
  display: boolean;
}

export interface StatsEvent {
  discovered: number;
  responses: number;
  okcount: number;
  failcount: number;
  noresponsefrom: string[];
  blocktime?: number;
  totaltime?: number;
}

export interface HistoryEntry {
  id: string;
  user: string;
  agent: string;
  action: string;
  filter: FilterInput;
  startedAt: string;
  discovered: number;
  responses: number;
  okcount: number;
  failcount: number;
  noresponse: number;
}

/** `rpcutil inventory`'s reply data, as `mco inventory` prints it. */
export interface Inventory {
  agents: string[];
  facts: Record<string, unknown>;
  classes: string[];
  version: string;
  main_collective: string;
  collectives: string[];
  data_plugins: string[];
}

export interface NodeRecord extends NodeSummary {
  firstSeen?: string;
  inventory?: Inventory;
}

/** One aggregate (`summarize` in the DDL) as mco prints it: a title and its lines. */
export interface SummaryEvent {
  output: string;
  title: string;
  lines: string[];
}

/** mco's --limit-nodes, --limit-method, --batch and --batch-sleep. */
export interface RunOptions {
  limit?: string;
  limitMethod?: "first" | "random";
  batchSize?: number;
  batchSleep?: number;
}

export interface HistoryDetail {
  entry: HistoryEntry;
  replies: ReplyEvent[];
  summaries?: SummaryEvent[];
  stats?: StatsEvent;
}

/**
 * The console's API shapes, shared by the server (which produces them) and
 * the UI (which imports them type-only). Every response is JSON; an error
 * is `ApiError` with the HTTP status.
 */

export interface ApiError {
  error: string;
  /** 400 from POST /api/validate and /api/requests: per-input messages, mco's words. */
  inputs?: ValidationErrors;
  /** 409 from POST /api/requests without a filter: send again with `confirm: true`. */
  needsConfirmation?: boolean;
  /** 429 from POST /api/session: seconds to wait. */
  retryAfter?: number;
}

export interface SessionInfo {
  user: string;
  csrfToken: string;
}

/** mco's host filter options; each a list of what the option takes on the command line. */
export interface FilterSpec {
  identity?: string[];
  fact?: string[];
  class?: string[];
  agent?: string[];
  compound?: string[];
}

export interface NodeSummary {
  identity: string;
  /** ISO times. */
  lastSeen: string;
  firstSeen: string;
  stale: boolean;
  agents: string[];
  classes: string[];
  collectives: string[];
  facts: Record<string, unknown>;
  version: string | null;
  source: string;
}

export interface NodesResponse {
  nodes: NodeSummary[];
  count: number;
  /** Stored nodes the filter could not be judged on (MCollective's daemons skip them too), with why. */
  errors: { reason: string; count: number }[];
  /** Set when no registry is configured (`plugin.registry.database`): the fleet page explains. */
  registry: string;
}

export interface CountResponse {
  count: number;
}

export interface InventoryResponse {
  /** The node's `rpcutil inventory` reply data, as `mco rpc -j` prints it; absent when it did not answer. */
  inventory?: Record<string, unknown>;
  statuscode?: number;
  statusmsg?: string;
}

export interface NodeResponse {
  node: NodeSummary;
  inventory?: InventoryResponse;
}

export interface DiscoverResponse {
  nodes: string[];
}

export interface AgentSummary {
  name: string;
  description: string;
  version: string;
  actions: { name: string; description: string }[];
}

/** A DDL input as JSON. A regex validation is `{ regex: "source", flags: "" }` (Ruby syntax as written). */
export interface InputJson {
  prompt: string;
  description: string;
  type: string;
  optional: boolean;
  default?: unknown;
  validation?: string | { regex: string; flags: string };
  maxlength?: number;
  list?: unknown[];
}

export interface OutputJson {
  description: string;
  display_as: string;
  default?: unknown;
}

export interface ActionJson {
  action: string;
  description: string;
  display: "ok" | "failed" | "always" | "flatten";
  input: Record<string, InputJson>;
  output: Record<string, OutputJson>;
  aggregate: { function: string; args: unknown[]; format?: string }[];
}

export interface AgentDdlJson {
  name: string;
  metadata: {
    name: string;
    description: string;
    author: string;
    license: string;
    version: string;
    url: string;
    timeout: number;
  };
  actions: Record<string, ActionJson>;
}

/** Input name -> mco's message ("Cannot validate input package: ..."). */
export type ValidationErrors = Record<string, string>;

export interface ValidateRequest {
  agent: string;
  action: string;
  /** Typed JSON values, or text as typed in a form (converted as `mco rpc key=value` does). */
  inputs: Record<string, unknown>;
}

export interface ValidateResponse {
  ok: boolean;
  errors: ValidationErrors;
  /** The inputs as they would be sent: converted, defaults filled in. */
  inputs: Record<string, unknown>;
}

export interface RunRequest extends ValidateRequest {
  filter?: FilterSpec;
  /** `--limit`: a count or "20%". */
  limit?: number | string;
  /** `--batch` and `--batch-sleep`. */
  batchSize?: number | string;
  batchSleep?: number;
  /** `-t`: seconds to wait for replies; the DDL's timeout plus discovery by default. */
  timeout?: number;
  /** `--dm` for this request (mc, registry, …); the config's default otherwise. */
  discoveryMethod?: string;
  /** Required (true) when the filter is empty: the request goes to every node. */
  confirm?: boolean;
}

export interface RunResponse {
  id: string;
}

/** SSE events of GET /api/requests/:id/events, in order: discovered, reply*, summary, stats, end. */
export interface DiscoveredEvent {
  nodes: string[];
}

export interface ReplyEvent {
  sender: string;
  statuscode: number;
  statusmsg: string;
  /** The reply data as `mco rpc -j` prints it. */
  data: Record<string, unknown>;
  /** Whether mco shows this reply under the action's display policy. */
  displayed: boolean;
  /** What mco prints for this reply (no colour); empty when not displayed. */
  text: string;
}

export interface SummaryEvent {
  /** One per aggregate: its heading (the output's display_as) and mco's lines. */
  summaries: { output: string; heading: string; lines: string[] }[];
  /** mco's whole "Summary of ..." text. */
  text: string;
}

export interface StatsEvent {
  discovered: number;
  responses: number;
  okcount: number;
  failcount: number;
  noresponsefrom: string[];
  unexpectedresponsefrom: string[];
  discoverytime: number;
  blocktime: number;
  totaltime: number;
  requestid: string | null;
  /** mco's printrpcstats text. */
  text: string;
}

export interface EndEvent {
  status: "done" | "cancelled" | "failed";
  error?: string;
}

export interface HistoryEntry {
  id: string;
  user: string;
  agent: string;
  action: string;
  inputs: Record<string, unknown>;
  filter: FilterSpec;
  /** ISO times. */
  startedAt: string;
  finishedAt: string | null;
  status: "running" | "done" | "cancelled" | "failed";
  discovered: number;
  responses: number;
  okcount: number;
  failcount: number;
  noresponsefrom: string[];
}

export interface HistoryResponse {
  entries: HistoryEntry[];
}

export interface HistoryDetail {
  entry: HistoryEntry;
  replies: ReplyEvent[];
}

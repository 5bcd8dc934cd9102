/** The API's shapes, shared with the server (src/shared), and the few the UI adds. */
import type { RunRequest } from "../../shared/api-types.js";

export type {
  ActionJson,
  AgentDdlJson,
  AgentSummary,
  CountResponse,
  DiscoveredEvent,
  DiscoverResponse,
  EndEvent,
  FilterSpec,
  HistoryDetail,
  HistoryEntry,
  HistoryResponse,
  InputJson,
  NodeResponse,
  NodeSummary,
  NodesResponse,
  ReplyEvent,
  RunResponse,
  SessionInfo,
  StatsEvent,
  SummaryEvent,
  ValidateResponse,
  ValidationErrors,
} from "../../shared/api-types.js";

/** mco's --limit-nodes, --batch and --batch-sleep, as the run form holds them. */
export type RunOptions = Pick<RunRequest, "limit" | "batchSize" | "batchSleep">;

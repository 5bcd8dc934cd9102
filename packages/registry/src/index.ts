/**
 * The node registry: what registration messages said about each node
 * (agents, facts, classes, collectives, version, when it was first and
 * last heard from), in SQLite or PostgreSQL. The registration agent
 * writes it; discovery, `mco registry` and monitoring read it.
 */
export { causeOf, RegistryError } from "./errors.js";
export { MIGRATIONS, type Migration, SCHEMA_VERSION } from "./migrations.js";
export {
  openRequestHistory,
  type ReplyRecord,
  type RequestHistory,
  type RequestOutcome,
  type RequestRecord,
  type RequestStatus,
} from "./request-history.js";
export {
  DEFAULT_BATCH_SIZE,
  DEFAULT_EXPIRE_AFTER,
  DEFAULT_FLUSH_INTERVAL,
  DEFAULT_HISTORY,
  DEFAULT_QUEUE_SIZE,
  DEFAULT_STALE_AFTER,
  type RegistryDatabase,
  type RegistrySettings,
  redact,
  registrySettings,
} from "./settings.js";
export { type OpenRegistryOptions, openRegistryStore } from "./store.js";
export { createThrottledLog, type ThrottledLog } from "./throttled-log.js";
export type {
  NodeRecord,
  NodesOptions,
  NodeUpdate,
  RecordOutcome,
  RegistrationEntry,
  RegistryCounters,
  RegistrySource,
  RegistryStore,
} from "./types.js";
export { REGISTRY_SOURCES } from "./types.js";

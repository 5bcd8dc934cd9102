import type { FactValue } from "@phobos/core";

/**
 * What sent a node's latest registration: Ruby's default `agentlist` plugin
 * (agents only), the community `meta` plugin (agents, facts, classes,
 * collectives), or an inventory run.
 */
export type RegistrySource = "agentlist" | "meta" | "inventory";

export const REGISTRY_SOURCES: readonly RegistrySource[] = ["agentlist", "meta", "inventory"];

/** One node as the registry knows it. */
export interface NodeRecord {
  identity: string;
  collectives: string[];
  agents: string[];
  facts: Record<string, FactValue>;
  classes: string[];
  /** The daemon's version, when its registration said. */
  version: string | undefined;
  firstSeen: Date;
  lastSeen: Date;
  /** The source of the latest registration. */
  source: RegistrySource;
  /** Not heard from for longer than `stale_after`. */
  stale: boolean;
  /** Registrations stored for this node since it was first seen. */
  registrations: number;
}

/**
 * One registration. Absent fields keep what the registry stored before, so
 * an agentlist registration does not wipe the facts a meta one stored;
 * `collective` (where the message arrived) is added to the node's
 * collectives, `collectives` (the node's own list) replaces them.
 */
export interface NodeUpdate {
  identity: string;
  collective?: string;
  collectives?: string[];
  agents?: string[];
  facts?: Record<string, FactValue>;
  classes?: string[];
  version?: string;
  source: RegistrySource;
  /** When the registration was received; now when absent. */
  seenAt?: Date;
}

/** One entry of a node's bounded registration history. */
export interface RegistrationEntry {
  seenAt: Date;
  source: RegistrySource;
  collective: string | undefined;
}

/** What `record` did with an update. */
export type RecordOutcome =
  /** Queued, or merged into the node's update already queued. */
  | "queued"
  /** The queue holds `queue_size` nodes already: the update was dropped and counted. */
  | "dropped";

export interface RegistryCounters {
  /** Updates handed to `record`. */
  received: number;
  /** Updates dropped because the queue was full. */
  dropped: number;
  /** Node rows written (several updates of one node in one batch are one row). */
  written: number;
  /** Batches that failed and were kept queued for the next attempt. */
  failedFlushes: number;
  /** Nodes deleted after `expire_after`. */
  expired: number;
  /** Nodes waiting in the queue now. */
  queued: number;
}

/**
 * The registry. Writes are queued and written in batches, one transaction
 * each; reads go to the database. A database that is down or full keeps
 * the queue (within its bound) and the writes are retried on the next
 * flush; a read against it rejects.
 */
export interface RegistryStore {
  /** Queues an update; never throws for a database problem, never blocks. */
  record(update: NodeUpdate): RecordOutcome;
  /** Writes everything queued; rejects when the database refused the batch (it stays queued). */
  flush(): Promise<void>;
  /** Every node not expired, stale ones flagged, sorted by identity. */
  nodes(): Promise<NodeRecord[]>;
  node(identity: string): Promise<NodeRecord | undefined>;
  /** The node's latest registrations, newest first, at most `history` of them. */
  history(identity: string): Promise<RegistrationEntry[]>;
  /** Deletes nodes not heard from for longer than `expire_after`; resolves to how many. */
  expire(): Promise<number>;
  counters(): RegistryCounters;
  /** Flushes what it can, stops the timer and closes the database. */
  close(): Promise<void>;
  /** For logs: `sqlite:/var/lib/mcollective/registry.db`, `postgres://registry@db/registry`. */
  describe(): string;
}

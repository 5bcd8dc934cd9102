import type { FactValue } from "@phobos/core";
import type { NodeUpdate, RegistrySource } from "./types.js";

/** A node as stored, timestamps in epoch milliseconds. */
export interface StoredNode {
  identity: string;
  collectives: string[];
  agents: string[];
  facts: Record<string, FactValue>;
  classes: string[];
  version: string | null;
  source: RegistrySource;
  firstSeen: number;
  lastSeen: number;
  registrations: number;
}

export interface HistoryRow {
  identity: string;
  slot: number;
  seenAt: number;
  source: RegistrySource;
  collective: string | null;
}

interface Seen {
  seenAt: number;
  source: RegistrySource;
  collective: string | null;
}

/**
 * Every update of one node queued since the last write, folded into one:
 * later fields win, `collective`s accumulate, the count and the newest
 * `history` sightings are kept for the history ring.
 */
export interface PendingNode {
  identity: string;
  collectives: string[] | undefined;
  addedCollectives: string[];
  agents: string[] | undefined;
  facts: Record<string, FactValue> | undefined;
  classes: string[] | undefined;
  version: string | undefined;
  source: RegistrySource;
  firstSeenAt: number;
  lastSeenAt: number;
  count: number;
  seen: Seen[];
}

export function pendingFrom(update: NodeUpdate, seenAt: number): PendingNode {
  const added = update.collective === undefined ? [] : [update.collective];
  return {
    identity: update.identity,
    collectives: update.collectives,
    addedCollectives: added,
    agents: update.agents,
    facts: update.facts,
    classes: update.classes,
    version: update.version,
    source: update.source,
    firstSeenAt: seenAt,
    lastSeenAt: seenAt,
    count: 1,
    seen: [{ seenAt, source: update.source, collective: update.collective ?? null }],
  };
}

/** `older` then `newer`, as if written one after the other; `history` bounds the sightings kept. */
export function mergePending(older: PendingNode, newer: PendingNode, history: number): PendingNode {
  return {
    identity: newer.identity,
    collectives: newer.collectives ?? older.collectives,
    addedCollectives:
      newer.collectives !== undefined
        ? newer.addedCollectives
        : union(older.addedCollectives, newer.addedCollectives),
    agents: newer.agents ?? older.agents,
    facts: newer.facts ?? older.facts,
    classes: newer.classes ?? older.classes,
    version: newer.version ?? older.version,
    source: newer.source,
    firstSeenAt: Math.min(older.firstSeenAt, newer.firstSeenAt),
    lastSeenAt: Math.max(older.lastSeenAt, newer.lastSeenAt),
    count: older.count + newer.count,
    seen: [...older.seen, ...newer.seen].slice(-history),
  };
}

/** The row to write for `pending` over what is stored, and the history slots it fills. */
export function applyPending(
  stored: StoredNode | undefined,
  pending: PendingNode,
  history: number,
): { node: StoredNode; history: HistoryRow[] } {
  const before = stored?.registrations ?? 0;
  const base = pending.collectives ?? stored?.collectives ?? [];
  const node: StoredNode = {
    identity: pending.identity,
    collectives: union(base, pending.addedCollectives),
    agents: pending.agents ?? stored?.agents ?? [],
    facts: pending.facts ?? stored?.facts ?? {},
    classes: pending.classes ?? stored?.classes ?? [],
    version: pending.version ?? stored?.version ?? null,
    source: pending.source,
    firstSeen: stored === undefined ? pending.firstSeenAt : Math.min(stored.firstSeen, pending.firstSeenAt),
    lastSeen: Math.max(stored?.lastSeen ?? 0, pending.lastSeenAt),
    registrations: before + pending.count,
  };
  // The sightings kept are the newest of `count`; number them from where they fall in it.
  const first = before + pending.count - pending.seen.length;
  const rows = pending.seen.map((s, i) => ({
    identity: pending.identity,
    slot: (first + i) % history,
    seenAt: s.seenAt,
    source: s.source,
    collective: s.collective,
  }));
  // Only the newest write of a slot survives in one statement.
  const bySlot = new Map(rows.map((row) => [row.slot, row]));
  return { node, history: [...bySlot.values()] };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  if (b.every((x) => a.includes(x))) return [...a];
  return [...new Set([...a, ...b])];
}

import { ageSeconds } from "../age.js";

/** Nagios plugin exit codes (Monitoring Plugins Development Guidelines). */
export const OK = 0;
export const WARNING = 1;
export const CRITICAL = 2;
export const UNKNOWN = 3;
export type CheckCode = typeof OK | typeof WARNING | typeof CRITICAL | typeof UNKNOWN;

const LABELS = ["OK", "WARNING", "CRITICAL", "UNKNOWN"] as const;

/** How many silent nodes the summary names before "and N more": a status line stays one screen wide. */
export const NAMED_SILENT_NODES = 5;

export interface CheckedNode {
  identity: string;
  lastSeen: Date;
  stale: boolean;
}

export interface Thresholds {
  /** Seconds since a node was last seen beyond which the check warns. */
  warning: number;
  /** Seconds beyond which it is critical; at least `warning`. */
  critical: number;
}

export interface CheckResult {
  code: CheckCode;
  /** The status line: `REGISTRY CRITICAL - … | perfdata`. */
  line: string;
}

/** The status line for a check that could not look: a missing database, a bad argument. */
export function unknown(reason: string): CheckResult {
  return { code: UNKNOWN, line: `REGISTRY UNKNOWN - ${reason}` };
}

/**
 * The AgentRegistrationMonitor check over the registry: every node the
 * registry holds should have registered within `warning` seconds; the
 * oldest silence decides the state, and the summary names the silent
 * nodes, longest silent first.
 */
export function evaluateRegistry(nodes: readonly CheckedNode[], now: Date, limits: Thresholds): CheckResult {
  if (nodes.length === 0) return unknown("the registry holds no nodes: is anything registering?");
  const aged = nodes
    .map((node) => ({ ...node, age: ageSeconds(node.lastSeen, now) }))
    .sort((a, b) => b.age - a.age || (a.identity < b.identity ? -1 : 1));
  const oldest = aged[0]?.age ?? 0;
  const silent = aged.filter((node) => node.age > limits.warning);
  const critical = silent.filter((node) => node.age > limits.critical).length;
  const code: CheckCode = critical > 0 ? CRITICAL : silent.length > 0 ? WARNING : OK;
  const stale = nodes.filter((node) => node.stale).length;
  const perfdata = `nodes=${nodes.length};;;0 stale=${stale};;;0 silent=${silent.length};;;0 oldest=${oldest}s;${limits.warning};${limits.critical};0`;
  let summary: string;
  if (silent.length === 0) {
    summary = `${nodes.length} nodes, all seen within ${limits.warning}s`;
  } else {
    const named = silent
      .slice(0, NAMED_SILENT_NODES)
      .map((node) => `${node.identity} (${node.age}s)`)
      .join(", ");
    const more = silent.length > NAMED_SILENT_NODES ? ` and ${silent.length - NAMED_SILENT_NODES} more` : "";
    const criticalPart = critical > 0 ? `, ${critical} beyond ${limits.critical}s` : "";
    summary = `${silent.length} of ${nodes.length} nodes not seen within ${limits.warning}s${criticalPart}: ${named}${more}`;
  }
  return { code, line: `REGISTRY ${LABELS[code]} - ${summary} | ${perfdata}` };
}

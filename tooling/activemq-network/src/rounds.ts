/**
 * What a request loop around a broker restart shows: which requests every
 * node answered exactly once, which node answered one twice, and when the
 * answers came back complete after the disruption.
 */
import type { Round } from "./request-loop.js";

/** Every node answered exactly once, successfully, and nobody else answered. */
export function complete(round: Round, nodes: readonly string[]): boolean {
  return (
    round.error === undefined &&
    round.failed.size === 0 &&
    round.replies.size === nodes.length &&
    nodes.every((n) => round.replies.get(n) === 1)
  );
}

/** One line per flaw of `round`: who did not answer, who answered twice, errors. */
export function describeRound(round: Round, nodes: readonly string[], since: number): string {
  const flaws: string[] = [];
  if (round.error !== undefined) flaws.push(`error: ${round.error}`);
  const silent = nodes.filter((n) => !round.replies.has(n));
  if (silent.length > 0) flaws.push(`no reply from ${silent.join(", ")}`);
  for (const [node, count] of round.replies) {
    if (count > 1) flaws.push(`${node} answered ${count} times`);
    if (!nodes.includes(node)) flaws.push(`unexpected reply from ${node}`);
  }
  for (const [node, why] of round.failed) flaws.push(`${node} failed: ${why}`);
  const at = ((round.sentAt - since) / 1000).toFixed(1);
  return `#${round.index} ${round.kind} at ${at} s: ${flaws.length === 0 ? "complete" : flaws.join("; ")}`;
}

export interface RestartOutcome {
  /** Rounds sent before the disruption. */
  readonly before: readonly Round[];
  /** The first complete round sent at or after the disruption (what a client sees first). */
  readonly firstComplete: Round | undefined;
  /** ms from the disruption to the sending of `firstComplete`. */
  readonly firstCompleteMs: number | undefined;
  /** Rounds sent at or after `recoveredAt`: the ones that must all be complete. */
  readonly after: readonly Round[];
  /** `node answered N times` for every round of the whole loop where one did. */
  readonly duplicates: readonly string[];
}

/**
 * `recoveredAt` is observed apart from the rounds (every daemon and the
 * client subscribed again, as the broker's advisories show): a directed
 * request can be complete before that, since a queue keeps it until the
 * daemon is back, while a broadcast published before the daemon's topic
 * subscription is gone for it.
 */
export function restartOutcome(
  rounds: readonly Round[],
  nodes: readonly string[],
  disruptedAt: number,
  recoveredAt: number,
): RestartOutcome {
  const firstComplete = rounds.find((r) => r.sentAt >= disruptedAt && complete(r, nodes));
  return {
    before: rounds.filter((r) => r.sentAt < disruptedAt),
    firstComplete,
    firstCompleteMs: firstComplete === undefined ? undefined : firstComplete.sentAt - disruptedAt,
    after: rounds.filter((r) => r.sentAt >= recoveredAt),
    duplicates: rounds.flatMap((r) =>
      [...r.replies]
        .filter(([, count]) => count > 1)
        .map(([node, count]) => `#${r.index}: ${node} answered ${count} times`),
    ),
  };
}

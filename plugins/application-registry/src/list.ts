import type { NodeRecord } from "@phobos/registry";
import { ageSeconds, formatAge } from "./age.js";

/** One node as `mco registry -j` prints it: the record with ISO times and the age in seconds. */
export function nodeJson(node: NodeRecord, now: Date) {
  return {
    identity: node.identity,
    last_seen: node.lastSeen.toISOString(),
    age: ageSeconds(node.lastSeen, now),
    first_seen: node.firstSeen.toISOString(),
    source: node.source,
    stale: node.stale,
    version: node.version ?? null,
    collectives: node.collectives,
    agents: node.agents,
    classes: node.classes,
    facts: node.facts,
    registrations: node.registrations,
  };
}

/**
 * The table `mco registry` prints: identity, how long ago it was last
 * seen, what sent its last registration, and `stale` where it went quiet;
 * then a count.
 */
export function listText(nodes: readonly NodeRecord[], now: Date): string {
  const rows = nodes.map((node) => [
    node.identity,
    `${formatAge(ageSeconds(node.lastSeen, now))} ago`,
    node.source,
    node.stale ? "stale" : "",
  ]);
  const header = ["Identity", "Last seen", "Source", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join("   ")
      .trimEnd();
  const stale = nodes.filter((n) => n.stale).length;
  const out = [
    line(header),
    ...rows.map(line),
    "",
    `${nodes.length} node${nodes.length === 1 ? "" : "s"}, ${stale} stale`,
  ];
  return `${out.join("\n")}\n`;
}

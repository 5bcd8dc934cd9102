import { fieldNumber, fieldSize, inGroupsOf, ljust, rubyCompareStrings } from "@phobos/client";
import { hashGet, type RubyValue, rubyTimeToS, rubyToS } from "@phobos/core";

const get = (raw: unknown, key: string): RubyValue | undefined => hashGet(raw as RubyValue, key);

function list(value: RubyValue | undefined): RubyValue[] {
  return Array.isArray(value) ? value : [];
}

const byRubyText = (a: RubyValue, b: RubyValue) => rubyCompareStrings(rubyToS(a), rubyToS(b));

/**
 * `mco inventory <node>`'s report from the node's `daemon_stats` and
 * `inventory` replies (raw, so Floats print as Ruby prints them), laid out
 * as MCollective's `node_inventory` lays it out.
 */
export function nodeReport(sender: string, s: unknown, data: unknown): string {
  const times = get(s, "times");
  const lines = [
    `Inventory for ${sender}:`,
    "",
    "   Server Statistics:",
    `                      Version: ${rubyToS(get(s, "version"))}`,
    `                   Start Time: ${rubyTimeToS(Number(get(s, "starttime") ?? 0))}`,
    `                  Config File: ${rubyToS(get(s, "configfile"))}`,
  ];
  if (get(data, "collectives") !== undefined)
    lines.push(`                  Collectives: ${list(get(data, "collectives")).map(rubyToS).join(", ")}`);
  if (get(data, "main_collective") !== undefined)
    lines.push(`              Main Collective: ${rubyToS(get(data, "main_collective"))}`);
  lines.push(
    `                   Process ID: ${rubyToS(get(s, "pid"))}`,
    `               Total Messages: ${rubyToS(get(s, "total"))}`,
    `      Messages Passed Filters: ${rubyToS(get(s, "passed"))}`,
    `            Messages Filtered: ${rubyToS(get(s, "filtered"))}`,
    `             Expired Messages: ${rubyToS(get(s, "ttlexpired"))}`,
    `                 Replies Sent: ${rubyToS(get(s, "replies"))}`,
    `         Total Processor Time: ${rubyToS(get(times, "utime"))} seconds`,
    `                  System Time: ${rubyToS(get(times, "stime"))} seconds`,
    "",
    "   Agents:",
  );
  const agents = list(get(data, "agents")).map(rubyToS).sort(rubyCompareStrings);
  if (agents.length > 0) {
    for (const row of inGroupsOf(agents, 3, ""))
      lines.push(`      ${row.map((a) => ljust(a, 15)).join(" ")}`);
  } else lines.push("      No agents installed");
  lines.push("", "   Data Plugins:");
  const plugins = list(get(data, "data_plugins")).map(rubyToS).sort(rubyCompareStrings);
  if (plugins.length > 0) {
    for (const row of inGroupsOf(plugins, 3, ""))
      lines.push(`      ${row.map((p) => ljust(p.replaceAll("_data", ""), 15)).join(" ")}`);
  } else lines.push("      No data plugins installed");
  lines.push("", "   Configuration Management Classes:");
  const classes = list(get(data, "classes")).map(rubyToS);
  if (classes.length > 0) {
    const size = fieldSize(classes, 30);
    const perLine = fieldNumber(size);
    for (const row of inGroupsOf([...classes].sort(rubyCompareStrings), perLine, ""))
      lines.push(`   ${row.map((c) => ` ${ljust(c, size)}`).join("")}`);
  } else lines.push("      No classes applied");
  lines.push("", "   Facts:");
  const facts = get(data, "facts");
  if (facts instanceof Map && facts.size > 0) {
    const sorted = [...facts].sort(([a], [b]) => byRubyText(a, b));
    for (const [name, value] of sorted) lines.push(`      ${rubyToS(name)} => ${rubyToS(value)}`);
  } else lines.push("      No facts known");
  return `${lines.join("\n")}\n`;
}

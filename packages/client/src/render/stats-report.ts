/**
 * `printrpcstats` (RPC::Stats#report): the aggregate summaries, the
 * "Finished processing" line (or `-v`'s statistics block) and the nodes that
 * did not answer, laid out as MCollective 2.12 prints them.
 */
import type { AgentDdl, AggregateResult } from "@phobos/core";
import { rubyFormat, rubyTimeToS } from "@phobos/core";
import type { RpcStats } from "../rpc-stats.js";
import { type Colorize, colorizer } from "./color.js";
import { fieldNumber, fieldSize, inGroupsOf, ljust } from "./columns.js";

export interface StatsReportOptions {
  caption?: string;
  /** Print aggregate summaries (the rpc application asks for them). */
  summarize?: boolean;
  verbose?: boolean;
  color?: Colorize;
  /** For the outputs' `display_as` in "Summary of …". */
  ddl?: AgentDdl | undefined;
}

/** `Aggregate::Result#to_s`: "" when nothing could be computed. */
export function aggregateText(result: AggregateResult): string {
  const format = result.format ?? "%s";
  if (result.type === "numeric") {
    const value = result.value;
    if (value === null || value === undefined || (typeof value === "number" && Number.isNaN(value)))
      return "";
    return rubyFormat(format, Array.isArray(value) ? [...value] : [value]);
  }
  const counts = result.value as Map<unknown, number>;
  if (counts.has(null) || counts.has(undefined)) return "";
  // Ruby sorts by count and reverses; for equal counts that reverses arrival order.
  const ordered = [...counts].sort((a, b) => a[1] - b[1]).reverse();
  return ordered.map(([value, count]) => rubyFormat(format, [value, count])).join("\n");
}

const FAILURE_TEXT = {
  startup: "exception raised while processing startup hook",
  create: (name: string) => `unspecified output '${name}' for the action`,
  process_result: "exception raised while processing result data",
  summarize: "exception raised while summarizing",
} as const;

/** `text_for_aggregates`: each summary, then each aggregate that failed. */
export function aggregatesText(stats: RpcStats, ddl: AgentDdl | undefined, color: Colorize): string {
  let text = "";
  const outputs = (stats.action && ddl?.actions[stats.action]?.output) || {};
  for (const aggregate of stats.aggregateSummary) {
    const displayAs = Object.hasOwn(outputs, aggregate.output)
      ? (outputs[aggregate.output]?.display_as ?? aggregate.output)
      : aggregate.output;
    const report = aggregateText(aggregate);
    text += `${color("bold", `Summary of ${displayAs}:`)}\n\n`;
    if (report === "") text += `${color("yellow", "     No aggregate summary could be computed")}\n`;
    else
      text += `${report
        .split("\n")
        .map((line) => `   ${line}`)
        .join("\n")}\n`;
    text += "\n";
  }
  for (const failed of stats.aggregateFailures) {
    const why = failed.type === "create" ? FAILURE_TEXT.create(failed.name) : FAILURE_TEXT[failed.type];
    text += `${color("bold", `Summary of ${failed.name}:`)}\n\n`;
    text += `${color("yellow", `     Could not compute summary - ${why}`)}\n\n`;
  }
  return text;
}

/** "No response from:" (or "Unexpected response from:") and the nodes in columns. */
export function nodeListReport(heading: string, nodes: readonly string[], color: Colorize): string {
  if (nodes.length === 0) return "";
  const size = fieldSize(nodes, 30);
  const perLine = fieldNumber(size);
  let text = `${color("red", heading)}\n\n`;
  const sorted = [...nodes].sort();
  for (const group of inGroupsOf(sorted, perLine, "")) {
    text += `   ${group.map((node) => ` ${ljust(node, size)}`).join("")}\n`;
  }
  return text;
}

const ms = (seconds: number) => (seconds * 1000).toFixed(2);

/** `Stats#report`: what `printrpcstats` puts (no trailing newline of its own). */
export function statsReport(stats: RpcStats, options: StatsReportOptions = {}): string {
  const color = options.color ?? colorizer(false);
  const caption = options.caption ?? "rpc stats";
  const summarize = options.summarize ?? true;
  const lines: string[] = [];
  if (options.verbose) {
    lines.push(
      stats.aggregateSummary.length > 0 && summarize ? aggregatesText(stats, options.ddl, color) : "",
    );
    lines.push(color("yellow", `---- ${caption} ----`));
    const nodes = stats.responses < stats.discovered ? "red" : "reset";
    lines.push(`           Nodes: ${color(nodes, stats.discovered)} / ${color(nodes, stats.responses)}`);
    lines.push(`     Pass / Fail: ${color("reset", stats.okcount)} / ${color("reset", stats.failcount)}`);
    lines.push(`      Start Time: ${rubyTimeToS(stats.starttime / 1000)}`);
    lines.push(`  Discovery Time: ${ms(stats.discoverytime)}ms`);
    lines.push(`      Agent Time: ${ms(stats.blocktime)}ms`);
    lines.push(`      Total Time: ${ms(stats.totaltime)}ms`);
  } else {
    const tint = stats.responses < stats.discovered ? "red" : "green";
    lines.push(
      stats.aggregateSummary.length + stats.aggregateFailures.length > 0 && summarize
        ? aggregatesText(stats, options.ddl, color)
        : "",
    );
    lines.push(
      `Finished processing ${color(tint, stats.responses)} / ${color(tint, stats.discovered)} hosts in ${ms(stats.blocktime)} ms`,
    );
  }
  const noResponse = nodeListReport("No response from:", stats.noresponsefrom, color);
  const unexpected = nodeListReport("Unexpected response from:", stats.unexpectedresponsefrom, color);
  lines.push("");
  if (noResponse !== "") lines.push("", noResponse);
  if (unexpected !== "") lines.push("", unexpected);
  lines.push("");
  return lines.join("\n");
}

/** What `printrpcstats` writes: the report and, as `puts` adds it, a final newline. */
export function printrpcstatsText(stats: RpcStats, options: StatsReportOptions = {}): string {
  const text = statsReport(stats, options);
  return text.endsWith("\n") ? text : `${text}\n`;
}

/**
 * `mco plugin doc`: the text MCollective's ERB templates produce from a DDL
 * (rpc-help.erb for agents, data-help.erb, discovery-help.erb, and
 * metadata-help.erb, which heads all of them and stands alone for every
 * other plugin type), and the plugin list `mco plugin doc` prints without an
 * argument. Byte for byte what Ruby prints, including its trailing blanks
 * and Ruby's `to_s` of values; the usage text is wrapped at 80 columns, as
 * MCollective does when stdout is not a terminal.
 */

import { rubyCompareStrings, rubyToS } from "@phobos/ruby";
import { alignText } from "./align-text.js";
import { regexToS, rubyJoin, rubyLeftJustify } from "./ruby-values.js";
import type { AgentDdl, DataDdl, Ddl, DdlInput, DiscoveryDdl } from "./types.js";

function sortedKeys(record: Record<string, unknown>): string[] {
  return Object.keys(record).sort(rubyCompareStrings);
}

/** ERB's `if value`: only nil and false are false. */
function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

function charCount(s: string): number {
  return Array.from(s).length;
}

/** metadata-help.erb */
function renderMetadata(ddl: Ddl): string {
  const meta = ddl.metadata;
  const lines = [
    meta.name,
    "=".repeat(charCount(meta.name)),
    "",
    meta.description,
    "",
    `      Author: ${meta.author}`,
    `     Version: ${meta.version}`,
    `     License: ${meta.license}`,
    `     Timeout: ${rubyToS(meta.timeout)}`,
    `   Home Page: ${meta.url}`,
  ];
  if (truthy(ddl.requires?.mcollective)) {
    lines.push("", `   Requires MCollective ${ddl.requires?.mcollective} or newer`);
  }
  if (ddl.usage !== undefined && ddl.usage !== "") lines.push("", alignText(ddl.usage, 80, 3));
  return `${lines.join("\n")}\n`;
}

/** The type-specific part of an input, shared by rpc-help.erb and data-help.erb. */
function inputDetails(input: DdlInput): string {
  let out = "";
  if (input.type === "string") {
    const validation =
      input.validation === undefined
        ? ""
        : typeof input.validation === "string"
          ? input.validation
          : regexToS(input.validation);
    out += `               Validation: ${validation}\n`;
    out += `                   Length: ${rubyToS(input.maxlength)}\n`;
  } else if (input.type === "list") {
    out += `             Valid Values: ${rubyJoin(input.list ?? [])}\n`;
  }
  if (truthy(input.default)) out += `            Default Value: ${rubyToS(input.default)}\n`;
  return out;
}

/** rpc-help.erb */
function renderAgent(ddl: AgentDdl): string {
  const actions = sortedKeys(ddl.actions);
  let out = `${renderMetadata(ddl)}\n`;
  out += "ACTIONS:\n========\n";
  out += `   ${actions.join(", ")}\n\n`;
  for (const name of actions) {
    const action = ddl.actions[name];
    if (!action) continue;
    out += `   ${name} action:\n`;
    out += `   ${"-".repeat(charCount(name) + 8)}\n`;
    out += `       ${action.description}\n\n`;
    out += "       INPUT:\n";
    const inputs = sortedKeys(action.input);
    if (inputs.length > 0) {
      for (const key of inputs) {
        const input = action.input[key];
        if (!input) continue;
        out += `           ${key}:\n`;
        out += `              Description: ${input.description}\n`;
        out += `                   Prompt: ${input.prompt}\n`;
        out += `                     Type: ${input.type}\n`;
        out += `                 Optional: ${input.optional ? "true" : "false"}\n`;
        out += inputDetails(input);
        out += "\n";
      }
    } else {
      out += "          This action does not have any inputs\n";
    }
    out += "\n       OUTPUT:\n";
    for (const key of sortedKeys(action.output)) {
      const output = action.output[key];
      if (!output) continue;
      out += `           ${key}:\n`;
      out += `              Description: ${output.description}\n`;
      out += `               Display As: ${output.display_as}\n`;
      if (truthy(output.default)) out += `            Default Value: ${rubyToS(output.default)}\n`;
      out += "\n";
    }
  }
  return out;
}

/** data-help.erb */
function renderData(ddl: DataDdl): string {
  let out = `${renderMetadata(ddl)}\nQUERY FUNCTION INPUT:\n\n`;
  const query = ddl.dataquery.input.query;
  if (query) {
    out += `              Description: ${query.description}\n`;
    out += `                   Prompt: ${query.prompt}\n`;
    out += `                     Type: ${query.type}\n`;
    out += inputDetails(query);
  } else {
    out += "    This plugin does not take any input\n";
  }
  out += "\nQUERY FUNCTION OUTPUT:\n\n";
  for (const key of sortedKeys(ddl.dataquery.output)) {
    const output = ddl.dataquery.output[key];
    if (!output) continue;
    out += `           ${key}:\n`;
    out += `              Description: ${output.description}\n`;
    out += `               Display As: ${output.display_as}\n\n`;
  }
  return out;
}

const CAPABILITY_TEXT: ReadonlyArray<readonly [string, string]> = [
  ["Filter based on configuration management classes", "classes"],
  ["Filter based on system facts", "facts"],
  ["Filter based on mcollective identity", "identity"],
  ["Filter based on mcollective agents", "agents"],
  ["Compound filters combining classes and facts", "compound"],
];

/** discovery-help.erb */
function renderDiscovery(ddl: DiscoveryDdl): string {
  let out = `${renderMetadata(ddl)}\nDISCOVERY METHOD CAPABILITIES:\n`;
  const caps: readonly string[] = ddl.discovery.capabilities;
  for (const [text, cap] of CAPABILITY_TEXT) {
    if (caps.includes(cap)) out += `      ${text}\n`;
  }
  return `${out}\n`;
}

/** What `mco plugin doc <plugin>` prints for this DDL (ending with a newline, as `puts` leaves it). */
export function renderDdlHelp(ddl: Ddl): string {
  let text: string;
  switch (ddl.kind) {
    case "agent":
      text = renderAgent(ddl);
      break;
    case "data":
      text = renderData(ddl);
      break;
    case "discovery":
      text = renderDiscovery(ddl);
      break;
    default:
      text = renderMetadata(ddl);
  }
  return text.endsWith("\n") ? text : `${text}\n`;
}

/** The headings `mco plugin doc` lists plugin types under, in its order. */
export const PLUGIN_DOC_TYPES: ReadonlyArray<readonly [type: string, heading: string]> = [
  ["agent", "Agents"],
  ["aggregate", "Aggregate"],
  ["connector", "Connectors"],
  ["data", "Data Queries"],
  ["discovery", "Discovery Methods"],
  ["validator", "Validator Plugins"],
];

export interface PluginListGroup {
  /** A plugin type (`agent`, `data`…), shown under MCollective's heading for it; any other text is the heading. */
  type: string;
  plugins: ReadonlyArray<{ name: string; description: string }>;
}

export interface PluginLoadProblem {
  type: string;
  /** The DDL's name as found (`rpcutil`, `fstat_data`). */
  name: string;
  message: string;
}

/**
 * `mco plugin doc` without a plugin: every group under its heading, names
 * sorted, descriptions aligned at column 28, then any DDL that failed to
 * load (in yellow when `color` is on, as MCollective's `color` setting does).
 */
export function renderPluginList(
  groups: readonly PluginListGroup[],
  options: { errors?: readonly PluginLoadProblem[]; color?: boolean } = {},
): string {
  let out = "Please specify a plugin. Available plugins are:\n\n";
  for (const group of groups) {
    const heading = PLUGIN_DOC_TYPES.find(([type]) => type === group.type)?.[1] ?? group.type;
    out += `${heading}:\n`;
    const plugins = [...group.plugins].sort((a, b) => rubyCompareStrings(a.name, b.name));
    for (const plugin of plugins) out += `  ${rubyLeftJustify(plugin.name, 25)} ${plugin.description}\n`;
    out += "\n";
  }
  const errors = options.errors ?? [];
  if (errors.length > 0) {
    out += "Plugin Load Errors:\n";
    const [on, off] = options.color ? ["\x1b[33m", "\x1b[0m"] : ["", ""];
    for (const e of errors)
      out += `  ${rubyLeftJustify(`${e.type}/${e.name}`, 25)} ${on}${e.message}${off}\n`;
  }
  return out;
}

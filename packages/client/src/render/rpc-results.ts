/**
 * `printrpc` (RPC::Helpers.rpcresults): each node's reply as MCollective
 * lays it out. The DDL decides which replies show (`display :ok / :failed /
 * :always`, overridden by `--display`) and how outputs are labelled
 * (`display_as`, right-aligned); Strings print as text, every other value
 * as Ruby's `pretty_inspect`. `-v` switches to the old raw layout, `-j` to
 * Ruby's JSON.
 */

import type { AgentDdl, DdlDisplay } from "@phobos/core";
import { asString, RubyString, type RubyValue, rubyCompareStrings } from "@phobos/core";
import type { RpcResult } from "../rpc-client.js";
import { type Colorize, colorizer } from "./color.js";
import { prettyInspect } from "./pretty-inspect.js";
import { rubyJson } from "./ruby-json.js";

export interface RpcResultsOptions {
  /** The agent's DDL: display policy and output labels. */
  ddl?: AgentDdl | undefined;
  /** `-v`: the old layout, every reply with its status message and raw data. */
  verbose?: boolean;
  flatten?: boolean;
  format?: "console" | "json";
  /** `--display ok|failed|all` (all is `always`). */
  forceDisplayMode?: DdlDisplay | undefined;
  color?: Colorize;
  /** JSON.pretty_generate instead of to_json (MCollective does so on a terminal). */
  prettyJson?: boolean;
  /** Width `pretty_inspect` breaks at (Ruby: COLUMNS, else 80). */
  columns?: number;
}

const STATUS_TEXT: readonly (readonly [color: "red" | "yellow" | undefined, text: string])[] = [
  [undefined, ""],
  ["red", "Request Aborted"],
  ["yellow", "Unknown Action"],
  ["yellow", "Missing Request Data"],
  ["yellow", "Invalid Request Data"],
  ["red", "Unknown Request Status"],
];

function keyName(key: RubyValue): string {
  if (typeof key === "symbol") return key.description ?? "";
  return asString(key) ?? String(key);
}

function isRubyString(value: RubyValue): value is string | RubyString | Uint8Array {
  return typeof value === "string" || value instanceof RubyString || value instanceof Uint8Array;
}

/** Ruby's `String#split("\n")`: trailing empty fields are dropped. */
function splitLines(text: string): string[] {
  const lines = text.split("\n");
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function pretty(value: RubyValue, columns: number | undefined): string {
  return columns === undefined ? prettyInspect(value) : prettyInspect(value, columns);
}

function ljust(text: string, width: number): string {
  const length = [...text].length;
  return length >= width ? text : text + " ".repeat(width - length);
}

/** `text_for_result`: one reply, DDL-labelled. */
export function textForResult(
  result: RpcResult,
  ddl: AgentDdl | undefined,
  options: { color?: Colorize; columns?: number } = {},
): string {
  const color = options.color ?? colorizer(false);
  const [statusColor, statusText] = STATUS_TEXT[result.statuscode] ?? [undefined, ""];
  let text = `${ljust(result.sender, 40)} ${statusColor ? color(statusColor, statusText) : statusText}\n`;
  if (result.statusmsg !== "OK") text += `   ${color("yellow", result.statusmsg)}\n`;
  if (result.statuscode === 0) {
    const outputs = ddl?.actions[result.action]?.output ?? {};
    const declared = (key: RubyValue) => {
      const name = keyName(key);
      return Object.hasOwn(outputs, name) ? outputs[name]?.display_as : undefined;
    };
    const raw = result.raw as Map<RubyValue, RubyValue>;
    const keys = [...raw.keys()];
    const widest = Math.max(...keys.map((k) => [...(declared(k) ?? keyName(k))].length));
    const sorted = keys.sort((a, b) => rubyCompareStrings(keyName(a), keyName(b)));
    for (const key of sorted) {
      const label = declared(key) ?? keyName(key);
      const labelLength = [...label].length;
      const padding = widest - labelLength + 3;
      text += `${" ".repeat(padding)}${label}:`;
      const value = raw.get(key) as RubyValue;
      if (isRubyString(value)) {
        const lines = splitLines(asString(value) ?? "");
        if (lines.length === 0) text += "\n";
        lines.forEach((line, i) => {
          text += `${i === 0 ? " " : " ".repeat(padding + labelLength + 2)}${line}\n`;
        });
      } else {
        const indent = " ".repeat(widest + 5);
        text += ` ${splitLines(pretty(value, options.columns)).join(`\n${indent}`)}\n`;
      }
    }
  }
  return `${text}\n`;
}

function flattenedText(result: RpcResult, columns: number | undefined): string {
  if (result.statuscode > 1) return "";
  return pretty(result.raw as RubyValue, columns);
}

/** `old_rpcresults`: the layout without a DDL, and `-v`'s. */
export function oldRpcResults(
  results: readonly RpcResult[],
  options: { verbose?: boolean; flatten?: boolean; color?: Colorize; columns?: number } = {},
): string {
  const color = options.color ?? colorizer(false);
  let text = "";
  for (const r of results) {
    const data = r.raw as RubyValue;
    if (options.flatten) {
      text += r.statuscode <= 1 ? pretty(data, options.columns) : pretty(rubyResultHash(r), options.columns);
    } else if (options.verbose) {
      text += `${ljust(r.sender, 40)}: ${r.statusmsg}\n`;
      if (r.statuscode <= 1) {
        // MCollective concatenates the inspected lines without newlines between them.
        for (const line of splitLines(pretty(data, options.columns))) text += `    ${line}`;
        text += "\n\n";
      } else if (r.statuscode > 4) {
        text += `    ${r.statusmsg}`;
      }
    } else if (r.statuscode !== 0) {
      text += `${ljust(r.sender, 40)} ${color("red", r.statusmsg)}\n`;
    }
  }
  return text;
}

function rubyResultHash(r: RpcResult): RubyValue {
  return new Map<RubyValue, RubyValue>([
    [Symbol.for("sender"), r.sender],
    [Symbol.for("statuscode"), r.statuscode],
    [Symbol.for("statusmsg"), r.statusmsg],
    [Symbol.for("data"), r.raw as RubyValue],
  ]);
}

/** A result as `RPC::Result#to_json` writes it. */
export function resultJsonValue(r: RpcResult): Map<string, unknown> {
  return new Map<string, unknown>([
    ["agent", r.agent],
    ["action", r.action],
    ["sender", r.sender],
    ["statuscode", r.statuscode],
    ["statusmsg", r.statusmsg],
    ["data", r.raw],
  ]);
}

/**
 * The DDL's display policy (or `--display`): whether mco shows this reply,
 * `ok` only successes, `failed` only failures, `always` and `flatten` all.
 */
export function displayed(r: Pick<RpcResult, "statuscode">, display: DdlDisplay): boolean {
  switch (display) {
    case "ok":
      return r.statuscode === 0;
    case "failed":
      return r.statuscode > 0;
    default:
      return true;
  }
}

/** `Helpers.rpcresults`: the text for one reply or a list of them. */
export function rpcResults(
  results: RpcResult | readonly RpcResult[],
  options: RpcResultsOptions = {},
): string {
  const list = Array.isArray(results) ? (results as readonly RpcResult[]) : [results as RpcResult];
  if (options.format === "json") {
    const value = Array.isArray(results) ? list.map(resultJsonValue) : resultJsonValue(results as RpcResult);
    return rubyJson(value, { pretty: options.prettyJson === true });
  }
  const color = options.color ?? colorizer(false);
  const columns = options.columns;
  if (options.verbose) {
    return oldRpcResults(list, { verbose: true, flatten: options.flatten === true, color, ...opt(columns) });
  }
  if (!options.ddl) return oldRpcResults(list, { flatten: options.flatten === true, color, ...opt(columns) });
  let text = "";
  for (const r of list) {
    const action = options.ddl.actions[r.action];
    if (!action) return oldRpcResults(list, { color, ...opt(columns) });
    const display = options.forceDisplayMode ?? action.display;
    if (!displayed(r, display)) continue;
    if (display === "flatten") text += flattenedText(r, columns);
    else text += textForResult(r, options.ddl, { color, ...opt(columns) });
  }
  return text;
}

function opt(columns: number | undefined): { columns?: number } {
  return columns === undefined ? {} : { columns };
}

/**
 * What `printrpc` writes: a list on the console is framed by blank lines
 * (`puts "\n%s\n"`); JSON, or a single result, is printed bare (and not at
 * all when empty).
 */
export function printrpcText(
  results: RpcResult | readonly RpcResult[],
  options: RpcResultsOptions = {},
): string {
  const text = rpcResults(results, options);
  if (Array.isArray(results) && options.format !== "json") return `\n${text}\n`;
  if (text === "") return "";
  return text.endsWith("\n") ? text : `${text}\n`;
}

/**
 * `mco inventory --script FILE`: a report over every node's inventory, one
 * line per node, `format` applied (Ruby's `format % fields`) to what
 * `fields(node)` returns.
 *
 * A script is a JavaScript module:
 *
 *     export default {
 *       format: "%s:\t\t%s\t\t%s",
 *       fields: (node) => [node.identity, node.facts.serialnumber, node.facts.productname],
 *     };
 *
 * or, so existing MCollective scripts keep working, the common Ruby form
 * (`inventory do format "…"; fields { [ identity, facts["x"], … ] } end`)
 * with fields made of `identity`, `facts["name"]` (nested `["a"]["b"]`
 * allowed), `classes`, `agents` and literals.
 */
import { existsSync, readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { rubyFormat, UsageError } from "@phobos/core";

export interface InventoryNode {
  identity: string;
  facts: Record<string, unknown>;
  classes: string[];
  agents: string[];
}

export interface InventoryScript {
  format: string;
  fields(node: InventoryNode): unknown[];
}

const RUBY_ESCAPES: Record<string, string> = { t: "\t", n: "\n", r: "\r", e: "\x1b", s: " ", "0": "\0" };

function rubyStringLiteral(literal: string): string {
  const body = literal.slice(1, -1);
  if (literal.startsWith("'")) return body.replace(/\\([\\'])/g, "$1");
  return body.replace(/\\(.)/gs, (_all, c: string) => RUBY_ESCAPES[c] ?? c);
}

const STRING = String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`;

/** Splits `a, facts["b,c"], d` at top-level commas. */
function splitFields(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      current += c;
      if (c === "\\") current += text[++i] ?? "";
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    if (c === "[" || c === "(") depth++;
    if (c === "]" || c === ")") depth--;
    if (c === "," && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else current += c;
  }
  if (current.trim() !== "") parts.push(current.trim());
  return parts;
}

function fieldReader(expression: string, file: string): (node: InventoryNode) => unknown {
  if (expression === "identity") return (node) => node.identity;
  if (expression === "classes") return (node) => node.classes;
  if (expression === "agents") return (node) => node.agents;
  if (new RegExp(`^(?:${STRING})$`, "s").test(expression)) {
    const value = rubyStringLiteral(expression);
    return () => value;
  }
  if (/^-?\d+(?:\.\d+)?$/.test(expression)) return () => Number(expression);
  const facts = new RegExp(`^facts((?:\\[\\s*(?:${STRING})\\s*\\])+)$`, "s").exec(expression);
  if (facts) {
    const keys = [...(facts[1] ?? "").matchAll(new RegExp(STRING, "g"))].map((m) => rubyStringLiteral(m[0]));
    return (node) =>
      keys.reduce<unknown>(
        (value, key) =>
          value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined,
        node.facts,
      );
  }
  throw new UsageError(
    `${file}: cannot read the field '${expression}': a Ruby inventory script may use identity, facts["name"], classes, agents and literals (write a JavaScript script for anything else)`,
  );
}

/** The Ruby `inventory do … end` form. */
export function parseRubyInventoryScript(text: string, file: string): InventoryScript {
  if (/\bformatted_inventory\b/.test(text)) {
    throw new UsageError(
      `${file}: formatted_inventory (formatr page layouts) is not supported; use inventory with format and fields`,
    );
  }
  const format = new RegExp(`\\bformat\\s*\\(?\\s*(${STRING})`, "s").exec(text);
  if (!format?.[1]) throw new UsageError(`${file}: Need to define a format`);
  const fields = /\bfields\s*(?:\{|do)\s*\[(.*)\]\s*(?:\}|end)/s.exec(text);
  if (!fields) throw new UsageError(`${file}: Need to define inventory fields`);
  const readers = splitFields(fields[1] ?? "").map((e) => fieldReader(e, file));
  return { format: rubyStringLiteral(format[1]), fields: (node) => readers.map((read) => read(node)) };
}

function isScript(value: unknown): value is InventoryScript {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as InventoryScript).format === "string" &&
    typeof (value as InventoryScript).fields === "function"
  );
}

export async function loadInventoryScript(file: string): Promise<InventoryScript> {
  if (!existsSync(file)) throw new UsageError(`Could not find script to run: ${file}`);
  const ext = extname(file);
  if (![".js", ".mjs", ".cjs"].includes(ext))
    return parseRubyInventoryScript(readFileSync(file, "utf8"), file);
  const module = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  const script = isScript(module.default) ? module.default : module;
  if (!isScript(script)) {
    throw new UsageError(
      `${file}: an inventory script exports { format: string, fields(node) }, as its default export or as named exports`,
    );
  }
  return script;
}

/** One node's report line (without the newline). */
export function runInventoryScript(script: InventoryScript, node: InventoryNode): string {
  return rubyFormat(script.format, script.fields(node));
}

/**
 * `mco inventory --script FILE`: a report over every node's inventory.
 *
 * A script is either MCollective's Ruby DSL, read by the Ruby evaluator the
 * DDL reader uses (so `fields` may hold the Ruby people write there: method
 * calls on strings, arrays and hashes, interpolation, arithmetic, ternaries):
 *
 *     inventory do
 *       format "%s:\t%s\t%s"
 *       fields { [ identity, facts["operatingsystem"].downcase, classes.join(",") ] }
 *     end
 *
 * with `formatted_inventory` (formatr page layouts) too; or a JavaScript module:
 *
 *     export default {
 *       format: "%s:\t\t%s\t\t%s",
 *       fields: (node) => [node.identity, node.facts.serialnumber, node.facts.productname],
 *     };
 */
import { existsSync, readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type BlockFn,
  fromRubyValue,
  hashGet,
  Interpreter,
  parseRuby,
  type RubyNode,
  type RubyValue,
  type RValue,
  rubyFormat,
  rubyTimeToS,
  rValueToS,
  toRubyValue,
  UsageError,
} from "@phobos/core";
import { FormatR } from "./formatr.js";

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

/** One `rpcutil inventory` reply: who sent it and its data hash as it came off the wire. */
export interface InventoryReply {
  identity: string;
  data: RubyValue;
}

/** A Ruby inventory script, parsed and ready to run over the replies. */
export interface RubyInventoryProgram {
  /** Whether it asks the nodes at all (`inventory` or `formatted_inventory` appear in it). */
  readonly asksNodes: boolean;
  /**
   * Runs the script as MCollective's inventory application evaluates it,
   * over `replies` in the order they came, writing what it prints.
   * @param now the report's `time` (formatted_inventory's page heading)
   * @throws DdlDefinitionError (`file:line:column: \`expression\`: why`) for what the script gets wrong
   */
  run(replies: readonly InventoryReply[], write: (text: string) => void, now?: Date): void;
}

const LANGUAGE = "what an inventory script may use";

/** The names a script can call without a receiver, besides the DSL's own. */
const NODE_NAMES = ["identity", "facts", "classes", "agents", "collectives"] as const;
const DSL_NAMES = [
  "inventory",
  "format",
  "fields",
  "formatted_inventory",
  "page_length",
  "page_heading",
  "page_body",
  "time",
  "puts",
  "print",
  "sprintf",
];

/** Ruby's `puts`: one line per argument (arrays flattened), a newline unless one ends it. */
function putsText(args: readonly RValue[]): string {
  if (args.length === 0) return "\n";
  const lines: string[] = [];
  const add = (v: RValue) => {
    if (Array.isArray(v)) {
      if (v.length === 0 && lines.length === 0 && args.length === 1) lines.push("");
      for (const item of v) add(item);
    } else lines.push(rValueToS(v));
  };
  for (const a of args) add(a);
  return lines.map((l) => (l.endsWith("\n") ? l : `${l}\n`)).join("");
}

/** `fmt % value` as `String#%` does it: an Array gives the arguments, anything else is the one argument. */
function percent(format: RValue, value: RValue): string {
  if (typeof format !== "string") {
    throw new Error(`undefined method \`%' for ${format === null ? "nil:NilClass" : rValueToS(format)}`);
  }
  const args = (Array.isArray(value) ? value : [value]).map(toRubyValue);
  // Ruby raises when the format wants more values than it was given; rubyFormat would print blanks.
  let short = false;
  const watched = new Proxy(args, {
    get(target, key, receiver) {
      if (typeof key === "string" && /^\d+$/.test(key) && Number(key) >= target.length) short = true;
      return Reflect.get(target, key, receiver);
    },
  });
  const text = rubyFormat(format, watched);
  if (short) throw new Error("too few arguments");
  return text;
}

/**
 * Parses MCollective's Ruby inventory DSL.
 * @throws DdlDefinitionError at `file:line:column` for syntax outside what Phobos evaluates
 */
export function parseRubyInventoryScript(text: string, file: string): RubyInventoryProgram {
  const program = parseRuby(text, file, { language: LANGUAGE, columns: true });
  return {
    asksNodes: /\b(?:formatted_)?inventory\b/.test(text),
    run: (replies, write, now = new Date()) => runProgram(program, file, replies, write, now),
  };
}

function runProgram(
  program: RubyNode[],
  file: string,
  replies: readonly InventoryReply[],
  write: (text: string) => void,
  now: Date,
): void {
  let format: RValue = null;
  let fields: BlockFn | undefined;
  let pageLength: RValue = 40;
  let pageHeading: RValue = null;
  let pageBody: RValue = null;
  let node: Record<(typeof NODE_NAMES)[number], RValue> | undefined;
  /** formatted_inventory's local `time`, which its layouts may print. */
  let time: string | undefined;

  const nodeValue = (name: (typeof NODE_NAMES)[number]): RValue => {
    // Outside a report MCollective's @node is nil: `identity` is `nil[:identity]`.
    if (!node) throw new Error("undefined method `[]' for nil:NilClass");
    return node[name];
  };

  const select = (reply: InventoryReply) => {
    const get = (key: string) => fromRubyValue(hashGet(reply.data, key) ?? null);
    node = {
      identity: reply.identity,
      facts: get("facts"),
      classes: get("classes"),
      agents: get("agents"),
      collectives: get("collectives"),
    };
  };

  const arity = (name: string, args: readonly RValue[], n: number) => {
    if (args.length !== n) {
      throw new Error(`wrong number of arguments (given ${args.length}, expected ${n}) calling ${name}`);
    }
  };

  const selfCall = (name: string, args: RValue[], block: BlockFn | undefined): RValue => {
    switch (name) {
      case "format":
        arity(name, args, 1);
        format = args[0] ?? null;
        return format;
      case "fields":
        if (!block) throw new Error('fields needs a block: fields { [ identity, facts["name"] ] }');
        fields = block;
        return null;
      case "page_length":
        arity(name, args, 1);
        pageLength = args[0] ?? null;
        return pageLength;
      case "page_heading":
        arity(name, args, 1);
        pageHeading = args[0] ?? null;
        return pageHeading;
      case "page_body":
        arity(name, args, 1);
        pageBody = args[0] ?? null;
        return pageBody;
      case "puts":
        write(putsText(args));
        return null;
      case "print":
        write(args.map(rValueToS).join(""));
        return null;
      case "sprintf":
        if (args.length === 0) throw new Error("too few arguments");
        return percent(args[0] ?? null, args.slice(1));
      case "time":
        if (time === undefined || args.length > 0) break;
        return time;
      case "inventory": {
        if (!block) throw new Error("Need to give a block to inventory");
        block([]);
        if (format === null) throw new Error("Need to define a format");
        if (!fields) throw new Error("Need to define inventory fields");
        for (const reply of replies) {
          select(reply);
          write(putsText([percent(format, fields([]))]));
        }
        node = undefined;
        return null;
      }
      case "formatted_inventory": {
        if (!block) throw new Error("Need to give a block to formatted_inventory");
        block([]);
        if (pageBody === null) throw new Error("Need to define page body format");
        time = rubyTimeToS(now);
        const report = new FormatR(
          pageHeading === null ? undefined : rValueToS(pageHeading),
          rValueToS(pageBody),
          (expression, line) => evaluate(expression, line),
        );
        report.setPageLength(typeof pageLength === "number" ? pageLength : Number(rValueToS(pageLength)));
        for (const reply of replies) {
          select(reply);
          write(report.printFormat());
        }
        node = undefined;
        time = undefined;
        return null;
      }
      default:
        if ((NODE_NAMES as readonly string[]).includes(name) && args.length === 0 && !block) {
          return nodeValue(name as (typeof NODE_NAMES)[number]);
        }
    }
    throw new Error(
      `undefined local variable or method \`${name}' (an inventory script may call ${NODE_NAMES.join(", ")}, ${DSL_NAMES.join(", ")} and methods of the values they give)`,
    );
  };

  /** An argument line of a formatr layout, evaluated with the script's own names in scope. */
  const evaluate = (expression: string, line: number): RValue => {
    const where = `${file} (page layout line ${line})`;
    const nodes = parseRuby(expression, where, { language: LANGUAGE, columns: true });
    return new Interpreter(where, selfCall, { columns: true }).run(nodes);
  };

  new Interpreter(file, selfCall, { columns: true }).run(program);
}

function isScript(value: unknown): value is InventoryScript {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as InventoryScript).format === "string" &&
    typeof (value as InventoryScript).fields === "function"
  );
}

/** A JavaScript module script, or the Ruby DSL for any other file name. */
export async function loadInventoryScript(file: string): Promise<InventoryScript | RubyInventoryProgram> {
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

export function isRubyInventoryProgram(
  script: InventoryScript | RubyInventoryProgram,
): script is RubyInventoryProgram {
  return "run" in script && typeof script.run === "function" && !("fields" in script);
}

/** One node's report line of a JavaScript script (without the newline). */
export function runInventoryScript(script: InventoryScript, node: InventoryNode): string {
  return rubyFormat(script.format, script.fields(node));
}

/** The plain form of a reply, as a JavaScript script's `fields(node)` receives it. */
export function inventoryNode(reply: InventoryReply, natural: Record<string, unknown>): InventoryNode {
  return {
    identity: reply.identity,
    facts: (natural.facts ?? {}) as Record<string, unknown>,
    classes: (natural.classes ?? []) as string[],
    agents: (natural.agents ?? []) as string[],
  };
}

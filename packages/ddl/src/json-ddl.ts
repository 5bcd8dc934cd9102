/**
 * Choria-style JSON DDLs: the published schema
 * (https://choria.io/schemas/mcorpc/ddl/v1/agent.json) for agents, and
 * Choria's data DDL layout (`metadata`, `query`, `output`) for data plugins.
 * They let `mco` drive an agent Phobos has no code for, and are what
 * Choria's `plugin generate ddl` writes from a Ruby DDL.
 *
 * Reading follows Choria: input types may be spelled `Hash`/`Array`, an
 * empty type means any, and a `validation` that looks like a name (`shellsafe`,
 * `puppet_variable`) names a validator while anything else is a pattern —
 * matched with Ruby's semantics, since these DDLs are generated from Ruby
 * ones. Discovery and metadata-only DDLs, which Choria has no JSON form for,
 * use the same layout with `discovery` / `usage` keys. `requires`, `usage`,
 * a data query's `description` and an aggregate's `format` are Phobos
 * additions that Choria ignores.
 */
import { DdlDefinitionError } from "@phobos/errors";
import { RubyRegex } from "@phobos/ruby";
import { aKind, defineDdl } from "./define.js";
import { setOwn } from "./plain-data.js";
import type { Ddl, DdlAction, DdlInput, DdlOutput } from "./types.js";

export const AGENT_DDL_SCHEMA = "https://choria.io/schemas/mcorpc/ddl/v1/agent.json";
export const DATA_DDL_SCHEMA = "https://choria.io/schemas/mcorpc/ddl/v1/data.json";

const VALIDATOR_NAME = /^[a-z][a-z0-9_]*$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail(file: string | undefined, message: string, cause?: unknown): never {
  throw new DdlDefinitionError(
    `${file ? `${file}: ` : ""}${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function readInput(raw: unknown, file: string | undefined, where: string): unknown {
  if (!isRecord(raw)) return raw;
  const input: Record<string, unknown> = { ...raw };
  if (typeof raw.type === "string") {
    input.type =
      raw.type === ""
        ? "any"
        : raw.type === "Hash" || raw.type === "Array"
          ? raw.type.toLowerCase()
          : raw.type;
  }
  const v = raw.validation;
  if (typeof v === "string" && !VALIDATOR_NAME.test(v)) {
    try {
      input.validation = new RubyRegex(v);
    } catch (e) {
      fail(file, `${where}: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  }
  if (raw.type === "string" && raw.validation === undefined) input.validation = null;
  if (raw.type === "string" && raw.maxlength === undefined) input.maxlength = 0;
  return input;
}

function readInputs(raw: unknown, file: string | undefined, where: string): unknown {
  if (!isRecord(raw)) return raw;
  const out: Record<string, unknown> = {};
  for (const [name, input] of Object.entries(raw))
    setOwn(out, name, readInput(input, file, `${where} input '${name}'`));
  return out;
}

function detectKind(doc: Record<string, unknown>): Ddl["kind"] {
  const schema = typeof doc.$schema === "string" ? doc.$schema : "";
  if (schema.endsWith("/agent.json") || Array.isArray(doc.actions)) return "agent";
  if (schema.endsWith("/data.json") || "query" in doc || "output" in doc) return "data";
  if ("discovery" in doc) return "discovery";
  return "metadata";
}

export interface JsonDdlOptions {
  /** Named in error messages. */
  file?: string;
  /** The kind the caller expects; a document of another kind is an error. */
  kind?: Ddl["kind"];
}

/**
 * A JSON DDL (text or parsed) into the model, checked like any other DDL.
 * @throws DdlDefinitionError naming the file
 */
export function parseJsonDdl(json: string | unknown, options: JsonDdlOptions = {}): Ddl {
  const { file } = options;
  let doc: unknown = json;
  if (typeof json === "string") {
    try {
      doc = JSON.parse(json);
    } catch (e) {
      fail(file, `not valid JSON: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  }
  if (!isRecord(doc)) fail(file, "a JSON DDL must be an object");
  const kind = detectKind(doc);
  if (options.kind && options.kind !== kind)
    fail(file, `expected ${aKind(options.kind)} DDL but this is ${aKind(kind)} DDL`);
  const common: Record<string, unknown> = { kind, metadata: doc.metadata };
  if (doc.requires !== undefined) common.requires = doc.requires;
  if (doc.usage !== undefined) common.usage = doc.usage;
  const where = file === undefined ? {} : { where: file };
  switch (kind) {
    case "agent": {
      const actions: Record<string, unknown> = {};
      for (const [i, raw] of (doc.actions as unknown[]).entries()) {
        if (!isRecord(raw) || typeof raw.action !== "string")
          fail(file, `actions[${i}] needs an "action" name`);
        const { action, input, ...rest } = raw;
        setOwn(actions, action, { ...rest, input: readInputs(input, file, `action '${action}'`) });
      }
      return defineDdl({ ...common, kind, actions }, where);
    }
    case "data": {
      const metadata = isRecord(doc.metadata) ? doc.metadata : {};
      const dataquery = {
        description: doc.description ?? metadata.description,
        input:
          doc.query === undefined || doc.query === null ? {} : { query: readInput(doc.query, file, "query") },
        output: doc.output,
      };
      return defineDdl({ ...common, kind, dataquery }, where);
    }
    case "discovery":
      return defineDdl({ ...common, kind, discovery: doc.discovery }, where);
    default:
      return defineDdl({ ...common, kind }, where);
  }
}

function writeValidation(v: DdlInput["validation"]): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string") return v;
  return v instanceof RubyRegex ? v.rubySource : v.source;
}

function writeInput(input: DdlInput): Record<string, unknown> {
  const out: Record<string, unknown> = {
    prompt: input.prompt,
    description: input.description,
    type: input.type === "any" ? "" : input.type,
    default: input.default ?? null,
    optional: input.optional,
  };
  if (input.type === "string") {
    const validation = writeValidation(input.validation);
    if (validation !== undefined) out.validation = validation;
    out.maxlength = input.maxlength ?? 0;
  }
  if (input.type === "list") out.list = input.list ?? [];
  return out;
}

function writeOutput(output: DdlOutput): Record<string, unknown> {
  const out: Record<string, unknown> = { description: output.description, display_as: output.display_as };
  if (output.default !== undefined) out.default = output.default;
  if (output.type !== undefined) out.type = output.type;
  return out;
}

function writeOutputs(outputs: Record<string, DdlOutput>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, writeOutput(o)]));
}

function writeAction(action: DdlAction): Record<string, unknown> {
  const out: Record<string, unknown> = {
    action: action.action,
    input: Object.fromEntries(Object.entries(action.input).map(([k, i]) => [k, writeInput(i)])),
    output: writeOutputs(action.output),
    display: action.display,
    description: action.description,
  };
  if (action.aggregate) {
    out.aggregate = action.aggregate.map((a) =>
      a.format === undefined ? { function: a.function, args: a.args } : a,
    );
  }
  return out;
}

/** The model as a JSON DDL document (Choria's layout). */
export function toJsonDdl(ddl: Ddl): Record<string, unknown> {
  const head: Record<string, unknown> = {};
  if (ddl.kind === "agent") head.$schema = AGENT_DDL_SCHEMA;
  if (ddl.kind === "data") head.$schema = DATA_DDL_SCHEMA;
  head.metadata = { ...ddl.metadata };
  if (ddl.requires) head.requires = { ...ddl.requires };
  if (ddl.usage !== undefined) head.usage = ddl.usage;
  switch (ddl.kind) {
    case "agent":
      return { ...head, actions: Object.values(ddl.actions).map(writeAction) };
    case "data":
      return {
        ...head,
        description: ddl.dataquery.description,
        query: ddl.dataquery.input.query ? writeInput(ddl.dataquery.input.query) : null,
        output: writeOutputs(ddl.dataquery.output),
      };
    case "discovery":
      return { ...head, discovery: { capabilities: [...ddl.discovery.capabilities] } };
    default:
      return head;
  }
}

/** `toJsonDdl` as text, two-space indented with a final newline. */
export function stringifyJsonDdl(ddl: Ddl): string {
  try {
    return `${JSON.stringify(toJsonDdl(ddl), null, 2)}\n`;
  } catch (e) {
    throw new DdlDefinitionError(
      `${ddl.metadata.name}: cannot write as JSON: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
}

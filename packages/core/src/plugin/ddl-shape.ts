import type { AgentDdl, DataDdl, Ddl, DiscoveryDdl, MetadataDdl } from "@phobos/ddl";
import type { PluginType } from "./types.js";

/** The DDL a plugin type carries. */
export type DdlFor<T extends PluginType> = T extends "agent"
  ? AgentDdl
  : T extends "data"
    ? DataDdl
    : T extends "discovery"
      ? DiscoveryDdl
      : MetadataDdl;

/** The DDL kind a plugin type carries: agents, data and discovery plugins have their own. */
export function ddlKindFor(type: PluginType): Ddl["kind"] {
  return type === "agent" || type === "data" || type === "discovery" ? type : "metadata";
}

/**
 * What is wrong with a value offered as a DDL of `kind`, or an empty list.
 * Only the structure core relies on is checked here (the loader must not
 * hand engines something that crashes them); input validation rules are the
 * DDL module's business.
 */
export function ddlProblems(value: unknown, kind: Ddl["kind"]): string[] {
  if (!isRecord(value)) return [`is ${describe(value)}, not a DDL object`];
  const problems: string[] = [];
  if (value.kind !== kind) {
    problems.push(`has kind ${JSON.stringify(value.kind)} where a ${JSON.stringify(kind)} DDL is needed`);
  }
  const metadata = value.metadata;
  if (!isRecord(metadata)) {
    problems.push("has no metadata");
  } else {
    for (const key of ["name", "description", "author", "license", "version", "url"] as const) {
      if (typeof metadata[key] !== "string") problems.push(`metadata.${key} is not a string`);
    }
    if (typeof metadata.timeout !== "number" || !(metadata.timeout >= 0)) {
      problems.push("metadata.timeout is not a number of seconds");
    }
  }
  if (value.kind !== kind) return problems;

  if (kind === "agent") {
    const actions = value.actions;
    if (!isRecord(actions)) return [...problems, "has no actions"];
    for (const [name, action] of Object.entries(actions)) {
      if (!isRecord(action)) {
        problems.push(`action ${name} is not an object`);
        continue;
      }
      if (action.action !== name)
        problems.push(`action ${name} is filed under another name (${String(action.action)})`);
      if (!isRecord(action.input)) problems.push(`action ${name} has no input map`);
      if (!isRecord(action.output)) problems.push(`action ${name} has no output map`);
    }
  } else if (kind === "data") {
    const query = value.dataquery;
    if (!isRecord(query)) return [...problems, "has no dataquery"];
    if (!isRecord(query.input)) problems.push("dataquery has no input map");
    else {
      const extra = Object.keys(query.input).filter((k) => k !== "query");
      if (extra.length > 0) problems.push(`dataquery input may only be "query" (found ${extra.join(", ")})`);
    }
    if (!isRecord(query.output) || Object.keys(query.output).length === 0) {
      problems.push("dataquery declares no outputs");
    }
  } else if (kind === "discovery") {
    const discovery = value.discovery;
    if (!isRecord(discovery) || !Array.isArray(discovery.capabilities)) {
      problems.push("has no discovery capabilities list");
    }
  }
  return problems;
}

export function isDdl(value: unknown, kind: Ddl["kind"]): value is Ddl {
  return ddlProblems(value, kind).length === 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * What a plugin author writes: `defineAgentDdl({ metadata, actions })` and
 * its data, discovery and metadata-only siblings. Each checks the definition
 * with MCollective's own rules (the ones `DDL::Base#input`, `#output`,
 * `#metadata`, `AgentDDL#action`/`#display`/`#aggregate`, `DataDDL` and
 * `DiscoveryDDL` enforce, with their messages) and returns frozen plain
 * data. The Ruby and JSON DDL readers run every DDL through the same
 * functions, so a DDL is valid or not whatever it was written in.
 *
 * A mistake is a DdlDefinitionError naming the plugin, the action and the
 * field: `agent DDL 'package' action 'install' input 'package': Input type
 * :string needs a :maxlength argument`.
 */
import { DdlDefinitionError } from "@phobos/errors";
import { rubyToS } from "@phobos/ruby";
import { deepCopy, deepFreeze, setOwn } from "./plain-data.js";
import { rubyVersionCmp } from "./ruby-values.js";
import type {
  AgentDdl,
  DataDdl,
  Ddl,
  DdlAction,
  DdlAggregate,
  DdlDisplay,
  DdlInput,
  DdlInputType,
  DdlMetadata,
  DdlOutput,
  DiscoveryCapability,
  DiscoveryDdl,
  MetadataDdl,
} from "./types.js";

/** The MCollective release Phobos speaks for: `requires :mcollective => …` is checked against it. */
export const MCOLLECTIVE_VERSION = "2.12.5";

export const DDL_INPUT_TYPES: readonly DdlInputType[] = [
  "string",
  "integer",
  "float",
  "number",
  "boolean",
  "list",
  "hash",
  "array",
  "any",
];
export const DDL_DISPLAYS: readonly DdlDisplay[] = ["ok", "failed", "always", "flatten"];
export const DISCOVERY_CAPABILITIES: readonly DiscoveryCapability[] = [
  "classes",
  "facts",
  "identity",
  "agents",
  "compound",
];
const METADATA_KEYS = ["name", "description", "author", "license", "version", "url", "timeout"] as const;

interface InputSpecBase {
  prompt: string;
  description: string;
  optional: boolean;
  default?: unknown;
}

/** An agent input. `string` inputs need `validation` (null: none) and `maxlength` (0: no limit); `list` inputs need `list`. */
export type DdlInputSpec =
  | (InputSpecBase & { type: "string"; validation: string | RegExp | null; maxlength: number })
  | (InputSpecBase & { type: "list"; list: readonly unknown[] })
  | (InputSpecBase & { type: Exclude<DdlInputType, "string" | "list"> });

/** A data query's input: as an agent input, but `optional` may be left out (false). */
export type DataInputSpec = DdlInputSpec extends infer S
  ? S extends DdlInputSpec
    ? Omit<S, "optional"> & { optional?: boolean }
    : never
  : never;

export interface DdlOutputSpec {
  description: string;
  display_as: string;
  default?: unknown;
  type?: string;
}

export interface DdlActionSpec {
  description: string;
  /** When `mco` shows a node's reply; "failed" when left out, as in MCollective. */
  display?: DdlDisplay;
  input?: Record<string, DdlInputSpec>;
  output?: Record<string, DdlOutputSpec>;
  aggregate?: readonly DdlAggregate[];
}

interface SpecCommon {
  metadata: DdlMetadata;
  requires?: { mcollective?: string };
  usage?: string;
}

export interface AgentDdlSpec extends SpecCommon {
  /** In the order `mco plugin doc` and completion should know them; it sorts them itself. */
  actions: Record<string, DdlActionSpec>;
}

export interface DataDdlSpec extends SpecCommon {
  dataquery: {
    description: string;
    input?: { query?: DataInputSpec };
    output: Record<string, DdlOutputSpec>;
  };
}

export interface DiscoveryDdlSpec extends SpecCommon {
  discovery: { capabilities: readonly DiscoveryCapability[] };
}

export type MetadataDdlSpec = SpecCommon;

/** Where a definition comes from, for error messages. */
export interface DefinitionPlace {
  kind: Ddl["kind"];
  /** The plugin's name as far as known (metadata name, else the file's). */
  plugin: string;
  /** `file` or `file:line`, prefixed to messages. */
  where?: string;
}

type Path = readonly string[];

/** "an agent", "a data": for messages about a kind of DDL. */
export function aKind(kind: Ddl["kind"]): string {
  return kind === "agent" ? "an agent" : `a ${kind}`;
}

export function definitionError(place: DefinitionPlace, path: Path, message: string): DdlDefinitionError {
  const where = place.where ? `${place.where}: ` : "";
  const at = path.length > 0 ? ` ${path.join(" ")}` : "";
  return new DdlDefinitionError(`${where}${place.kind} DDL '${place.plugin}'${at}: ${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof RegExp || v instanceof Map)
    return false;
  return true;
}

function has(rec: Record<string, unknown>, key: string): boolean {
  return Object.hasOwn(rec, key) && rec[key] !== undefined;
}

function requireString(place: DefinitionPlace, path: Path, what: string, value: unknown): string {
  if (typeof value !== "string")
    throw definitionError(place, path, `${what} should be a String, not ${rubyToS(value)}`);
  return value;
}

export function normalizeMetadata(place: DefinitionPlace, meta: unknown): DdlMetadata {
  const path = ["metadata"];
  if (!isRecord(meta)) throw definitionError(place, path, "Metadata needs a :name property");
  for (const key of METADATA_KEYS) {
    if (!has(meta, key)) throw definitionError(place, path, `Metadata needs a :${key} property`);
  }
  const timeout = meta.timeout;
  if (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout < 0) {
    throw definitionError(place, path, `:timeout should be a number of seconds, not ${rubyToS(timeout)}`);
  }
  return {
    name: requireString(place, path, ":name", meta.name),
    description: requireString(place, path, ":description", meta.description),
    author: requireString(place, path, ":author", meta.author),
    license: requireString(place, path, ":license", meta.license),
    version: requireString(place, path, ":version", meta.version),
    url: requireString(place, path, ":url", meta.url),
    timeout,
  };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function normalizeRequires(
  place: DefinitionPlace,
  requires: unknown,
): { mcollective?: string } | undefined {
  if (requires === undefined) return undefined;
  if (!isRecord(requires)) {
    throw definitionError(place, [], "Requirement should be a hash in the form :item => 'requirement'");
  }
  const out: { mcollective?: string } = {};
  for (const [key, value] of Object.entries(requires)) {
    if (key !== "mcollective") {
      throw definitionError(
        place,
        [],
        `Requirement ${key} is not a valid requirement, only mcollective is supported`,
      );
    }
    if (value === undefined) continue;
    const version = requireString(place, ["requires"], ":mcollective", value);
    if (rubyVersionCmp(MCOLLECTIVE_VERSION, version) < 0) {
      throw definitionError(
        place,
        [],
        `${capitalize(place.kind)} plugin '${place.plugin}' requires MCollective version ${version} or newer`,
      );
    }
    out.mcollective = version;
  }
  return out;
}

function normalizeUsage(place: DefinitionPlace, usage: unknown): string | undefined {
  if (usage === undefined || usage === null) return undefined;
  return requireString(place, [], "usage", usage);
}

/**
 * One input, checked as `DDL::Base#input` (and `AgentDDL#input`, which also
 * wants `:optional`) check it.
 */
export function normalizeInput(
  place: DefinitionPlace,
  owner: Path,
  name: string,
  spec: unknown,
  opts: { optionalRequired: boolean },
): DdlInput {
  const path = [...owner, `input '${name}'`];
  if (!isRecord(spec)) throw definitionError(place, path, "Input needs a :prompt property");
  if (opts.optionalRequired && !has(spec, "optional")) {
    throw definitionError(place, path, "Input needs a :optional property");
  }
  for (const key of ["prompt", "description", "type"]) {
    if (!has(spec, key)) throw definitionError(place, path, `Input needs a :${key} property`);
  }
  const type = spec.type;
  if (typeof type !== "string" || !(DDL_INPUT_TYPES as readonly string[]).includes(type)) {
    throw definitionError(
      place,
      path,
      `Input type :${rubyToS(type)} is not a known type, use one of ${DDL_INPUT_TYPES.join(", ")}`,
    );
  }
  const optional = spec.optional ?? false;
  if (typeof optional !== "boolean") {
    throw definitionError(place, path, `:optional should be true or false, not ${rubyToS(optional)}`);
  }
  const input: DdlInput = {
    prompt: requireString(place, path, ":prompt", spec.prompt),
    description: requireString(place, path, ":description", spec.description),
    type: type as DdlInputType,
    optional,
  };
  if (spec.default !== undefined && spec.default !== null) input.default = deepCopy(spec.default);

  if (type === "string") {
    if (!Object.hasOwn(spec, "validation") || spec.validation === undefined) {
      throw definitionError(place, path, "Input type :string needs a :validation argument");
    }
    if (!Object.hasOwn(spec, "maxlength") || spec.maxlength === undefined) {
      throw definitionError(place, path, "Input type :string needs a :maxlength argument");
    }
    const validation = spec.validation;
    if (validation instanceof RegExp || (typeof validation === "string" && validation !== "")) {
      input.validation = validation;
    } else if (validation !== null) {
      throw definitionError(
        place,
        path,
        `:validation should be a validator name or a RegExp, not ${rubyToS(validation)}`,
      );
    }
    const maxlength = spec.maxlength ?? 0;
    if (typeof maxlength !== "number" || !Number.isInteger(maxlength) || maxlength < 0) {
      throw definitionError(
        place,
        path,
        `:maxlength should be a whole number (0: no limit), not ${rubyToS(maxlength)}`,
      );
    }
    input.maxlength = maxlength;
  } else if (type === "list") {
    if (!Object.hasOwn(spec, "list") || spec.list === undefined) {
      throw definitionError(place, path, "Input type :list needs a :list argument");
    }
    if (!Array.isArray(spec.list))
      throw definitionError(place, path, ":list should be an Array of the accepted values");
    input.list = deepCopy(spec.list);
  }
  return input;
}

/** One output, checked as `DDL::Base#output` checks it. */
export function normalizeOutput(place: DefinitionPlace, owner: Path, name: string, spec: unknown): DdlOutput {
  const path = [...owner, `output '${name}'`];
  if (!isRecord(spec) || !has(spec, "description")) {
    throw definitionError(place, path, `Output ${name} needs a description argument`);
  }
  if (!has(spec, "display_as"))
    throw definitionError(place, path, `Output ${name} needs a display_as argument`);
  const output: DdlOutput = {
    description: requireString(place, path, ":description", spec.description),
    display_as: requireString(place, path, ":display_as", spec.display_as),
  };
  if (spec.default !== undefined && spec.default !== null) output.default = deepCopy(spec.default);
  if (spec.type !== undefined && spec.type !== null)
    output.type = requireString(place, path, ":type", spec.type);
  return output;
}

export function normalizeDisplay(place: DefinitionPlace, owner: Path, display: unknown): DdlDisplay {
  if (typeof display === "string" && (DDL_DISPLAYS as readonly string[]).includes(display)) {
    return display as DdlDisplay;
  }
  throw definitionError(
    place,
    owner,
    `Display preference ${rubyToS(display)} is not valid, should be :ok, :failed, :flatten or :always`,
  );
}

/** `aggregate summary(:status)`: a function name, the output first among its arguments, maybe a format. */
export function normalizeAggregate(
  place: DefinitionPlace,
  owner: Path,
  action: string,
  spec: unknown,
): DdlAggregate {
  const path = [...owner, "aggregate"];
  if (!isRecord(spec)) throw definitionError(place, path, "Functions supplied to aggregate should be a hash");
  if (typeof spec.function !== "string" || spec.function === "") {
    throw definitionError(place, path, "aggregate needs the name of an aggregate function");
  }
  const args = spec.args;
  if (!Array.isArray(args) || args.length === 0 || typeof args[0] !== "string" || args[0] === "") {
    throw definitionError(
      place,
      [...owner, `aggregate ${spec.function}`],
      `aggregate method for action '${action}' missing a function parameter`,
    );
  }
  const aggregate: DdlAggregate = { function: spec.function, args: deepCopy(args) };
  if (spec.format !== undefined && spec.format !== null) {
    aggregate.format = requireString(place, [...owner, `aggregate ${spec.function}`], ":format", spec.format);
  }
  return aggregate;
}

function normalizeAction(place: DefinitionPlace, name: string, spec: unknown): DdlAction {
  const owner = [`action '${name}'`];
  if (!isRecord(spec) || !has(spec, "description")) {
    throw definitionError(place, owner, "Action needs a :description property");
  }
  if (spec.action !== undefined && spec.action !== name) {
    throw definitionError(
      place,
      owner,
      `:action is '${rubyToS(spec.action)}' but the action is keyed '${name}'`,
    );
  }
  const input: Record<string, DdlInput> = {};
  const inputs = spec.input ?? {};
  if (!isRecord(inputs))
    throw definitionError(place, owner, ":input should be an object of inputs keyed by name");
  for (const [key, value] of Object.entries(inputs)) {
    setOwn(input, key, normalizeInput(place, owner, key, value, { optionalRequired: true }));
  }
  const output: Record<string, DdlOutput> = {};
  const outputs = spec.output ?? {};
  if (!isRecord(outputs))
    throw definitionError(place, owner, ":output should be an object of outputs keyed by name");
  for (const [key, value] of Object.entries(outputs))
    setOwn(output, key, normalizeOutput(place, owner, key, value));
  const action: DdlAction = {
    action: name,
    description: requireString(place, owner, ":description", spec.description),
    display: spec.display === undefined ? "failed" : normalizeDisplay(place, owner, spec.display),
    input,
    output,
  };
  if (spec.aggregate !== undefined) {
    if (!Array.isArray(spec.aggregate)) throw definitionError(place, owner, ":aggregate should be an Array");
    action.aggregate = spec.aggregate.map((a) => normalizeAggregate(place, owner, name, a));
  }
  return action;
}

export function normalizeCapabilities(place: DefinitionPlace, caps: unknown): DiscoveryCapability[] {
  const list = Array.isArray(caps) ? caps.flat(Number.POSITIVE_INFINITY) : [caps];
  if (caps === undefined || list.length === 0) {
    throw definitionError(place, ["discovery"], "Discovery plugin capabilities can't be empty");
  }
  return list.map((cap) => {
    if (typeof cap === "string" && (DISCOVERY_CAPABILITIES as readonly string[]).includes(cap)) {
      return cap as DiscoveryCapability;
    }
    throw definitionError(
      place,
      ["discovery"],
      `${rubyToS(cap)} is not a valid capability, valid capabilities are :classes, :facts, :identity, :agents and :compound`,
    );
  });
}

function placeFor(kind: Ddl["kind"], spec: unknown, options: DefineOptions): DefinitionPlace {
  const meta = isRecord(spec) ? spec.metadata : undefined;
  const name = isRecord(meta) && typeof meta.name === "string" ? meta.name : (options.plugin ?? "?");
  return options.where === undefined ? { kind, plugin: name } : { kind, plugin: name, where: options.where };
}

function common(place: DefinitionPlace, spec: unknown): Omit<MetadataDdl, "kind"> {
  if (!isRecord(spec)) throw definitionError(place, [], "a DDL definition should be an object");
  const out: Omit<MetadataDdl, "kind"> = { metadata: normalizeMetadata(place, spec.metadata) };
  const requires = normalizeRequires(place, spec.requires);
  if (requires) out.requires = requires;
  const usage = normalizeUsage(place, spec.usage);
  if (usage !== undefined) out.usage = usage;
  return out;
}

/** Readers pass `where` (the file) so messages point at it. */
export interface DefineOptions {
  where?: string;
  /** The plugin's name for messages when its metadata does not give one (a reader knows the file name). */
  plugin?: string;
}

export function defineAgentDdl(spec: AgentDdlSpec, options: DefineOptions = {}): AgentDdl {
  const place = placeFor("agent", spec, options);
  const base = common(place, spec);
  const actionsSpec = (spec as { actions?: unknown }).actions;
  if (!isRecord(actionsSpec))
    throw definitionError(place, [], "actions should be an object keyed by action name");
  const actions: Record<string, DdlAction> = {};
  for (const [name, action] of Object.entries(actionsSpec))
    setOwn(actions, name, normalizeAction(place, name, action));
  return deepFreeze({ kind: "agent", ...base, actions });
}

export function defineDataDdl(spec: DataDdlSpec, options: DefineOptions = {}): DataDdl {
  const place = placeFor("data", spec, options);
  const base = common(place, spec);
  const query = (spec as { dataquery?: unknown }).dataquery;
  const owner = ["dataquery"];
  if (!isRecord(query) || !has(query, "description")) {
    throw definitionError(place, owner, "Data queries need a :description");
  }
  const inputs = query.input ?? {};
  if (!isRecord(inputs)) throw definitionError(place, owner, ":input should be an object");
  const input: { query?: DdlInput } = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (name !== "query") {
      throw definitionError(
        place,
        [...owner, `input '${name}'`],
        "The only valid input name for a data query is 'query'",
      );
    }
    if (value !== undefined)
      input.query = normalizeInput(place, owner, name, value, { optionalRequired: false });
  }
  const outputs = query.output ?? {};
  if (!isRecord(outputs)) throw definitionError(place, owner, ":output should be an object");
  const output: Record<string, DdlOutput> = {};
  for (const [name, value] of Object.entries(outputs))
    setOwn(output, name, normalizeOutput(place, owner, name, value));
  if (Object.keys(output).length === 0) {
    throw definitionError(
      place,
      owner,
      `No output has been defined in the DDL for data plugin ${place.plugin}`,
    );
  }
  return deepFreeze({
    kind: "data",
    ...base,
    dataquery: { description: requireString(place, owner, ":description", query.description), input, output },
  });
}

export function defineDiscoveryDdl(spec: DiscoveryDdlSpec, options: DefineOptions = {}): DiscoveryDdl {
  const place = placeFor("discovery", spec, options);
  const base = common(place, spec);
  const discovery = (spec as { discovery?: unknown }).discovery;
  if (!isRecord(discovery))
    throw definitionError(place, ["discovery"], "Discovery plugin capabilities can't be empty");
  return deepFreeze({
    kind: "discovery",
    ...base,
    discovery: { capabilities: normalizeCapabilities(place, discovery.capabilities) },
  });
}

/** Connectors, security, validator and aggregate plugins: metadata (and usage) only. */
export function defineMetadataDdl(spec: MetadataDdlSpec, options: DefineOptions = {}): MetadataDdl {
  const place = placeFor("metadata", spec, options);
  return deepFreeze({ kind: "metadata", ...common(place, spec) });
}

/** Runs any DDL back through its `define…`: what readers use once they know the kind. */
export function defineDdl(
  ddl: Ddl | (Record<string, unknown> & { kind: Ddl["kind"] }),
  options: DefineOptions = {},
): Ddl {
  switch (ddl.kind) {
    case "agent":
      return defineAgentDdl(ddl as unknown as AgentDdlSpec, options);
    case "data":
      return defineDataDdl(ddl as unknown as DataDdlSpec, options);
    case "discovery":
      return defineDiscoveryDdl(ddl as unknown as DiscoveryDdlSpec, options);
    case "metadata":
      return defineMetadataDdl(ddl as unknown as MetadataDdlSpec, options);
    default:
      throw new DdlDefinitionError(`Unknown DDL kind ${rubyToS((ddl as { kind: unknown }).kind)}`);
  }
}

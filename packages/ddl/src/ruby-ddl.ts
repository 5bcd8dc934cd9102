/**
 * Reads MCollective's own `.ddl` files (the Ruby DSL) into the DDL model,
 * without running Ruby: the tokenizer and parser turn the file into
 * statements, a small interpreter evaluates them, and the DSL methods
 * below do what `DDL::Base`, `AgentDDL`, `DataDDL` and `DiscoveryDDL` do,
 * raising their messages at the line that caused them. The result goes
 * through the same `define…` checks as a TypeScript DDL.
 *
 * Ruby semantics kept: `:validation => '^a$'` (a String) and `/a/` (a
 * Regexp) are both patterns — they become `RubyRegex` objects matching as
 * Ruby would and printing as Ruby prints them — while `:validation =>
 * :shellsafe` (a Symbol) names a validator. Symbols become strings and
 * hashes plain objects in the model.
 */
import { basename } from "node:path";
import { DdlDefinitionError } from "@phobos/errors";
import { RubyRegex } from "@phobos/ruby";
import {
  type AgentDdlSpec,
  aKind,
  type DataDdlSpec,
  type DefinitionPlace,
  defineAgentDdl,
  defineDataDdl,
  defineDiscoveryDdl,
  defineMetadataDdl,
  definitionError,
  normalizeAggregate,
  normalizeCapabilities,
  normalizeDisplay,
  normalizeInput,
  normalizeMetadata,
  normalizeOutput,
  normalizeRequires,
} from "./define.js";
import { setOwn } from "./plain-data.js";
import {
  type BlockFn,
  flatten,
  Interpreter,
  RFloat,
  RHash,
  RSym,
  type RValue,
  toPlain,
  toS,
  truthy,
} from "./ruby-eval.js";
import { parseRuby } from "./ruby-parser.js";
import type {
  Ddl,
  DdlAction,
  DdlAggregate,
  DdlInput,
  DdlMetadata,
  DdlOutput,
  DiscoveryCapability,
} from "./types.js";

/** Aggregate plugins MCollective ships: Ruby resolves these names even outside `summarize`. */
const SHIPPED_AGGREGATES = new Set(["summary", "sum", "average"]);

const KIND_OF_METHOD: Record<string, Ddl["kind"]> = {
  action: "agent",
  display: "agent",
  summarize: "agent",
  aggregate: "agent",
  dataquery: "data",
  discovery: "discovery",
  capabilities: "discovery",
};

interface ActionState {
  description: string;
  display: DdlAction["display"];
  input: Record<string, DdlInput>;
  output: Record<string, DdlOutput>;
  aggregate?: DdlAggregate[];
}

interface DataState {
  description: string;
  input: { query?: DdlInput };
  output: Record<string, DdlOutput>;
}

/** The Ruby-side facts a DDL file declares, before they become a model. */
class DdlBuilder {
  kind: Ddl["kind"] | undefined;
  metadata: DdlMetadata | undefined;
  requires: { mcollective?: string } | undefined;
  usage: string | undefined;
  readonly actions = new Map<string, ActionState>();
  data: DataState | undefined;
  capabilities: DiscoveryCapability[] | undefined;
  private current: { type: "action"; name: string } | { type: "data" } | { type: "discovery" } | undefined;
  private summarizing = false;
  readonly interpreter: Interpreter;

  constructor(
    private readonly file: string,
    forced: Ddl["kind"] | undefined,
    private readonly fallbackName: string,
  ) {
    this.kind = forced;
    this.interpreter = new Interpreter(file, (name, args, block, line) => this.call(name, args, block, line));
  }

  place(line?: number): DefinitionPlace {
    const where = line === undefined ? this.file : `${this.file}:${line}`;
    return { kind: this.kind ?? "metadata", plugin: this.metadata?.name ?? this.fallbackName, where };
  }

  private fail(line: number, message: string): never {
    throw definitionError(this.place(line), this.owner(), message);
  }

  private owner(): string[] {
    if (this.current?.type === "action") return [`action '${this.current.name}'`];
    if (this.current?.type === "data") return ["dataquery"];
    if (this.current?.type === "discovery") return ["discovery"];
    return [];
  }

  /** Every call without a receiver lands here, as it does on the Ruby DDL object. */
  private call(name: string, args: RValue[], block: BlockFn | undefined, line: number): RValue {
    const kind = Object.hasOwn(KIND_OF_METHOD, name) ? KIND_OF_METHOD[name] : undefined;
    if (kind) {
      if (this.kind === undefined) this.kind = kind;
      else if (this.kind !== kind)
        this.fail(line, `undefined method \`${name}' (not available in ${aKind(this.kind)} DDL)`);
    }
    switch (name) {
      case "metadata":
        return this.metadataCall(args, line);
      case "requires":
        return this.requiresCall(args, line);
      case "usage":
        this.arity(args, 1, line);
        if (typeof args[0] !== "string")
          this.fail(line, `usage should be a String, not ${toS(args[0] ?? null)}`);
        this.usage = args[0];
        return args[0];
      case "action":
        return this.actionCall(args, block, line);
      case "input":
        return this.inputCall(args, line);
      case "output":
        return this.outputCall(args, line);
      case "display":
        return this.displayCall(args, line);
      case "summarize":
        if (!block) this.fail(line, "summarize needs a block");
        this.summarizing = true;
        try {
          block([]);
        } finally {
          this.summarizing = false;
        }
        return null;
      case "aggregate":
        return this.aggregateCall(args, line);
      case "dataquery":
        return this.dataqueryCall(args, block, line);
      case "discovery":
        return this.discoveryCall(block, line);
      case "capabilities":
        return this.capabilitiesCall(args, line);
    }
    // Inside `summarize`, `summary(:x)` names an aggregate function (AgentDDL#method_missing).
    if (this.kind === "agent" && (this.summarizing || SHIPPED_AGGREGATES.has(name)) && args.length > 0) {
      const fn = new RHash();
      fn.set(new RSym("function"), new RSym(name));
      fn.set(new RSym("args"), args);
      return fn;
    }
    return this.fail(line, `undefined local variable or method \`${name}' (not part of the DDL language)`);
  }

  private arity(args: RValue[], n: number, line: number): void {
    if (args.length !== n) this.fail(line, `wrong number of arguments (given ${args.length}, expected ${n})`);
  }

  private hashArg(value: RValue | undefined, line: number, message: string): RHash {
    if (!(value instanceof RHash)) this.fail(line, message);
    return value;
  }

  private metadataCall(args: RValue[], line: number): RValue {
    this.arity(args, 1, line);
    const meta = this.hashArg(args[0], line, "Metadata needs a :name property");
    const spec: Record<string, unknown> = {};
    for (const key of ["name", "description", "author", "license", "version", "url"]) {
      if (meta.hasSym(key)) spec[key] = scalarText(meta.sym(key) ?? null);
    }
    if (meta.hasSym("timeout")) {
      const t = meta.sym("timeout") ?? null;
      spec.timeout = t instanceof RFloat ? t.value : typeof t === "bigint" ? Number(t) : t;
    }
    this.metadata = normalizeMetadata(this.place(line), spec);
    return args[0] ?? null;
  }

  private requiresCall(args: RValue[], line: number): RValue {
    this.arity(args, 1, line);
    const req = this.hashArg(
      args[0],
      line,
      "Requirement should be a hash in the form :item => 'requirement'",
    );
    const spec: Record<string, unknown> = {};
    for (const [k, v] of req.entries) spec[k instanceof RSym ? k.name : toS(k)] = scalarText(v);
    this.requires = { ...this.requires, ...normalizeRequires(this.place(line), spec) };
    return args[0] ?? null;
  }

  private withEntity(entity: DdlBuilder["current"], block: BlockFn | undefined): void {
    const previous = this.current;
    this.current = entity;
    try {
      block?.([]);
    } finally {
      this.current = previous;
    }
  }

  private actionCall(args: RValue[], block: BlockFn | undefined, line: number): RValue {
    this.arity(args, 2, line);
    const name = toS(args[0] ?? null);
    const props = args[1];
    if (!(props instanceof RHash) || !props.hasSym("description")) {
      throw definitionError(this.place(line), [`action '${name}'`], "Action needs a :description property");
    }
    if (!this.actions.has(name)) {
      this.actions.set(name, {
        description: scalarText(props.sym("description") ?? null) as string,
        display: "failed",
        input: {},
        output: {},
      });
    }
    this.withEntity({ type: "action", name }, block);
    return null;
  }

  private inputCall(args: RValue[], line: number): RValue {
    this.arity(args, 2, line);
    const name = toS(args[0] ?? null);
    const current = this.current;
    if (!current) this.fail(line, `Cannot figure out what entity input ${name} belongs to`);
    if (current.type === "discovery") this.fail(line, "input is not available in a discovery DDL");
    if (current.type === "data" && !(args[0] instanceof RSym && args[0].name === "query")) {
      this.fail(line, "The only valid input name for a data query is 'query'");
    }
    const props = args[1];
    const spec = props instanceof RHash ? inputSpec(props, (why) => this.fail(line, why)) : props;
    const input = normalizeInput(this.place(line), this.owner(), name, spec, {
      optionalRequired: current.type === "action",
    });
    if (current.type === "action") setOwn((this.actions.get(current.name) as ActionState).input, name, input);
    else (this.data as DataState).input.query = input;
    return null;
  }

  private outputCall(args: RValue[], line: number): RValue {
    this.arity(args, 2, line);
    const name = toS(args[0] ?? null);
    const current = this.current;
    if (!current || current.type === "discovery") {
      this.fail(line, `Cannot figure out what action input ${name} belongs to`);
    }
    const props = args[1];
    let spec: unknown = props;
    if (props instanceof RHash) {
      const out: Record<string, unknown> = {};
      if (props.hasSym("description")) out.description = scalarText(props.sym("description") ?? null);
      if (props.hasSym("display_as")) out.display_as = scalarText(props.sym("display_as") ?? null);
      if (props.hasSym("default")) out.default = toPlain(props.sym("default") ?? null);
      if (props.hasSym("type") && props.sym("type") !== null)
        out.type = scalarText(props.sym("type") ?? null);
      spec = out;
    }
    const output = normalizeOutput(this.place(line), this.owner(), name, spec);
    setOwn(
      current.type === "action"
        ? (this.actions.get(current.name) as ActionState).output
        : (this.data as DataState).output,
      name,
      output,
    );
    return null;
  }

  private currentAction(line: number, what: string): ActionState {
    const current = this.current;
    if (current?.type !== "action") this.fail(line, `${what} must be inside an action`);
    return this.actions.get(current.name) as ActionState;
  }

  private displayCall(args: RValue[], line: number): RValue {
    this.arity(args, 1, line);
    const action = this.currentAction(line, "display");
    const pref = args[0] ?? null;
    // Ruby compares with Symbols: display "always" (a String) is refused.
    if (!(pref instanceof RSym)) {
      this.fail(
        line,
        `Display preference ${toS(pref)} is not valid, should be :ok, :failed, :flatten or :always`,
      );
    }
    action.display = normalizeDisplay(this.place(line), this.owner(), pref.name);
    return null;
  }

  private aggregateCall(args: RValue[], line: number): RValue {
    if (args.length < 1 || args.length > 2)
      this.fail(line, `wrong number of arguments (given ${args.length}, expected 1..2)`);
    const action = this.currentAction(line, "aggregate");
    const [fn = null, format] = args;
    let formatText: string | undefined;
    if (format !== undefined) {
      if (!(format instanceof RHash))
        this.fail(line, "Formats supplied to aggregation functions should be a hash");
      if (!format.hasSym("format"))
        this.fail(line, "Formats supplied to aggregation functions must have a :format key");
      const f = format.sym("format") ?? null;
      if (f !== null) formatText = toS(f);
    }
    if (!(fn instanceof RHash)) this.fail(line, "Functions supplied to aggregate should be a hash");
    const current = this.current as { type: "action"; name: string };
    if (!truthy(fn.sym("args"))) {
      this.fail(line, `aggregate method for action '${current.name}' missing a function parameter`);
    }
    const spec: Record<string, unknown> = {
      function: toS(fn.sym("function") ?? null),
      args: toPlain(fn.sym("args") ?? null),
    };
    if (formatText !== undefined) spec.format = formatText;
    const aggregate = normalizeAggregate(this.place(line), this.owner(), current.name, spec);
    action.aggregate = [...(action.aggregate ?? []), aggregate];
    return null;
  }

  private dataqueryCall(args: RValue[], block: BlockFn | undefined, line: number): RValue {
    this.arity(args, 1, line);
    const props = args[0];
    if (!(props instanceof RHash) || !props.hasSym("description"))
      this.fail(line, "Data queries need a :description");
    if (this.data) this.fail(line, "Data queries can only have one definition");
    this.data = {
      description: scalarText(props.sym("description") ?? null) as string,
      input: {},
      output: {},
    };
    this.withEntity({ type: "data" }, block);
    return null;
  }

  private discoveryCall(block: BlockFn | undefined, line: number): RValue {
    if (this.capabilities) this.fail(line, "Discovery plugins can only have one definition");
    this.capabilities = [];
    this.withEntity({ type: "discovery" }, block);
    return null;
  }

  private capabilitiesCall(args: RValue[], line: number): RValue {
    if (!this.capabilities) this.fail(line, "capabilities must be inside a discovery block");
    const caps = flatten(args);
    if (caps.length === 0) this.fail(line, "Discovery plugin capabilities can't be empty");
    // Ruby compares with Symbols: a String capability is not valid.
    const names = caps.map((c) => {
      if (!(c instanceof RSym)) {
        this.fail(
          line,
          `${toS(c)} is not a valid capability, valid capabilities are :classes, :facts, :identity, :agents and :compound`,
        );
      }
      return c.name;
    });
    this.capabilities.push(...normalizeCapabilities(this.place(line), names));
    return null;
  }

  build(): Ddl {
    const where = { where: this.file, plugin: this.fallbackName };
    const common = {
      metadata: this.metadata as DdlMetadata,
      ...(this.requires ? { requires: this.requires } : {}),
      ...(this.usage !== undefined ? { usage: this.usage } : {}),
    };
    switch (this.kind ?? "metadata") {
      case "agent": {
        const actions: Record<string, ActionState> = {};
        for (const [name, a] of this.actions) setOwn(actions, name, a);
        return defineAgentDdl({ ...common, actions: actions as unknown as AgentDdlSpec["actions"] }, where);
      }
      case "data":
        if (!this.data) {
          throw definitionError(
            this.place(),
            [],
            `No dataquery has been defined in the DDL for data plugin ${this.place().plugin}`,
          );
        }
        return defineDataDdl(
          { ...common, dataquery: this.data as unknown as DataDdlSpec["dataquery"] },
          where,
        );
      case "discovery":
        return defineDiscoveryDdl({ ...common, discovery: { capabilities: this.capabilities ?? [] } }, where);
      default:
        return defineMetadataDdl(common, where);
    }
  }
}

/** Descriptions and the like: Ruby prints whatever was given with `to_s`. */
function scalarText(v: RValue): string | null {
  if (v === null) return null;
  return toS(v);
}

/** An `input` call's properties as a definition spec; only Symbol keys count, as in Ruby. */
function inputSpec(props: RHash, fail: (why: string) => never): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  for (const key of ["prompt", "description"])
    if (props.hasSym(key)) spec[key] = scalarText(props.sym(key) ?? null);
  if (props.hasSym("type")) {
    const t = props.sym("type") ?? null;
    const name = t instanceof RSym || typeof t === "string" ? (t instanceof RSym ? t.name : t) : toS(t);
    spec.type = name === "Hash" || name === "Array" ? name.toLowerCase() : name;
  }
  if (props.hasSym("optional")) spec.optional = truthy(props.sym("optional"));
  if (props.hasSym("default")) {
    const d = props.sym("default") ?? null;
    spec.default = d === null ? undefined : toPlain(d);
  }
  if (props.hasSym("validation")) {
    const v = props.sym("validation") ?? null;
    if (v === null) spec.validation = null;
    else if (v instanceof RSym) spec.validation = v.name;
    else if (v instanceof RubyRegex) spec.validation = v;
    else if (typeof v === "string") {
      try {
        spec.validation = new RubyRegex(v);
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e));
      }
    } else fail(`:validation should be a Symbol, a String or a Regexp, not ${toS(v)}`);
  }
  if (props.hasSym("maxlength")) {
    const m = props.sym("maxlength") ?? null;
    spec.maxlength =
      m === null
        ? null
        : typeof m === "bigint"
          ? Number(m)
          : m instanceof RFloat
            ? Math.trunc(m.value)
            : typeof m === "string"
              ? Number(toS(m))
              : m;
  }
  if (props.hasSym("list")) spec.list = toPlain(props.sym("list") ?? null);
  return spec;
}

export interface RubyDdlOptions {
  /** Shown in messages (`file:line: …`); also names the plugin until `metadata` does. */
  file?: string;
  /**
   * The plugin type the file was found under (MCollective picks the DDL
   * class from it). Left out, the kind follows from what the file declares:
   * actions → agent, dataquery → data, discovery → discovery, else metadata.
   */
  kind?: Ddl["kind"];
}

/**
 * Reads the text of a Ruby `.ddl` file into the model.
 * @throws DdlDefinitionError with `file:line` for syntax outside the DDL language or a DDL MCollective would refuse
 */
export function parseRubyDdl(source: string, options: RubyDdlOptions = {}): Ddl {
  const file = options.file ?? "(ddl)";
  const fallback = basename(file).replace(/\.ddl$/, "");
  const builder = new DdlBuilder(file, options.kind, fallback);
  try {
    builder.interpreter.run(parseRuby(source, file));
  } catch (e) {
    // Recursive descent has a depth limit: pathological nesting is a bad DDL, not a crash.
    if (e instanceof RangeError)
      throw new DdlDefinitionError(`${file}: nested too deeply to read`, { cause: e });
    throw e;
  }
  return builder.build();
}

/**
 * Evaluates parsed DDL statements over a handful of Ruby value types
 * (nil, booleans, Integer, Float, String, Symbol, Regexp, Array, Hash) with
 * the methods DDLs actually call on them: `each` and friends to declare
 * several similar actions or outputs, `to_s`/`capitalize`/… to build
 * descriptions, `+`/`*`. Calls without a receiver go to the DDL builder
 * (`metadata`, `action`, `input`…). No Ruby runs: an unknown method is a
 * DdlDefinitionError at `file:line`.
 */
import { DdlDefinitionError } from "@phobos/errors";
import {
  describeRubyRegexp,
  inspect as inspectRubyValue,
  RubyFloat,
  RubyRegex,
  RubyString,
  type RubyValue,
  rubyCompareStrings,
  rubyFloatToS,
  rubyFormat,
  rubyInspect,
  rubyToF,
  rubyToI,
} from "@phobos/ruby";
import { setOwn } from "./plain-data.js";
import type { RubyBlock, RubyNode } from "./ruby-parser.js";

export class RSym {
  constructor(readonly name: string) {}
}

export class RFloat {
  constructor(readonly value: number) {}
}

/** `a..b` / `a...b`. */
export class RRange {
  constructor(
    readonly from: RValue,
    readonly to: RValue,
    readonly exclusive: boolean,
  ) {}
}

/** A Ruby Hash: insertion-ordered, keys compared with `eql?`. */
export class RHash {
  readonly entries: [RValue, RValue][] = [];

  get(key: RValue): RValue | undefined {
    return this.entries.find(([k]) => rubyEql(k, key))?.[1];
  }

  has(key: RValue): boolean {
    return this.entries.some(([k]) => rubyEql(k, key));
  }

  set(key: RValue, value: RValue): void {
    const entry = this.entries.find(([k]) => rubyEql(k, key));
    if (entry) entry[1] = value;
    else this.entries.push([key, value]);
  }

  /** The value under the symbol `:name`. */
  sym(name: string): RValue | undefined {
    return this.get(new RSym(name));
  }

  hasSym(name: string): boolean {
    return this.has(new RSym(name));
  }
}

export type RValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | RSym
  | RFloat
  | RubyRegex
  | RRange
  | RValue[]
  | RHash;

export function rubyEql(a: RValue, b: RValue): boolean {
  if (a instanceof RSym && b instanceof RSym) return a.name === b.name;
  if (a instanceof RFloat && b instanceof RFloat) return a.value === b.value;
  if (a instanceof RubyRegex && b instanceof RubyRegex)
    return a.rubySource === b.rubySource && a.rubyOptions === b.rubyOptions;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => rubyEql(v, b[i] as RValue));
  if (typeof a === "number" && typeof b === "bigint") return BigInt(a) === b;
  if (typeof a === "bigint" && typeof b === "number") return a === BigInt(b);
  return a === b;
}

/** Ruby's `==`: like `eql?`, except that an Integer equals the Float of the same value. */
export function rubyEqual(a: RValue, b: RValue): boolean {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return x === y;
  if (a instanceof RHash && b instanceof RHash) {
    return (
      a.entries.length === b.entries.length &&
      a.entries.every(([k, v]) => b.has(k) && rubyEqual(v, b.get(k) ?? null))
    );
  }
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => rubyEqual(v, b[i] ?? null));
  return rubyEql(a, b);
}

/** Ruby's class name of a value, for error messages. */
export function className(v: RValue): string {
  if (v === null) return "NilClass";
  if (v === true) return "TrueClass";
  if (v === false) return "FalseClass";
  if (typeof v === "number" || typeof v === "bigint") return "Integer";
  if (typeof v === "string") return "String";
  if (v instanceof RSym) return "Symbol";
  if (v instanceof RFloat) return "Float";
  if (v instanceof RubyRegex) return "Regexp";
  if (v instanceof RRange) return "Range";
  if (Array.isArray(v)) return "Array";
  return "Hash";
}

export function inspect(v: RValue): string {
  if (v === null) return "nil";
  if (typeof v === "string" || v instanceof RubyRegex) return rubyInspect(v);
  if (v instanceof RSym) return rubyInspect(Symbol.for(v.name));
  if (v instanceof RRange) return `${inspect(v.from)}${v.exclusive ? "..." : ".."}${inspect(v.to)}`;
  if (Array.isArray(v)) return `[${v.map(inspect).join(", ")}]`;
  if (v instanceof RHash)
    return `{${v.entries.map(([k, val]) => `${inspect(k)}=>${inspect(val)}`).join(", ")}}`;
  return toS(v);
}

export function toS(v: RValue): string {
  if (v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (typeof v === "number") return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
  if (v instanceof RSym) return v.name;
  if (v instanceof RFloat) return rubyFloatToS(v.value);
  if (v instanceof RubyRegex) return describeRubyRegexp(v.rubySource, v.rubyOptions);
  if (v instanceof RRange) return `${toS(v.from)}${v.exclusive ? "..." : ".."}${toS(v.to)}`;
  return inspect(v);
}

/** Ruby truthiness: only nil and false are false. */
export function truthy(v: RValue | undefined): boolean {
  return v !== null && v !== false && v !== undefined;
}

/**
 * The model's plain form of a Ruby value: symbols become strings, hashes
 * objects with string keys, an integral Float a `RubyFloat` (so it stays a
 * Float on the wire and prints as `1.0`).
 */
export function toPlain(v: RValue): unknown {
  if (v instanceof RSym) return v.name;
  if (v instanceof RFloat) return Number.isInteger(v.value) ? new RubyFloat(v.value) : v.value;
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof RHash) {
    const out: Record<string, unknown> = {};
    for (const [k, val] of v.entries) setOwn(out, toS(k), toPlain(val));
    return out;
  }
  return v;
}

function capitalize(s: string): string {
  const chars = Array.from(s);
  return chars.length === 0 ? s : (chars[0] as string).toUpperCase() + chars.slice(1).join("").toLowerCase();
}

function swapcase(s: string): string {
  return Array.from(s)
    .map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()))
    .join("");
}

function isInteger(v: RValue): v is number | bigint {
  return typeof v === "number" || typeof v === "bigint";
}

function numeric(v: RValue): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof RFloat) return v.value;
  return undefined;
}

function normalizeInteger(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function compareValues(a: RValue, b: RValue): number {
  if (typeof a === "string" && typeof b === "string") return rubyCompareStrings(a, b);
  if (a instanceof RSym && b instanceof RSym) return rubyCompareStrings(a.name, b.name);
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i] as RValue, b[i] as RValue);
      if (c !== 0) return c;
    }
    return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
  }
  throw new Error(`comparison of ${className(a)} with ${b === null ? "nil" : inspect(b)} failed`);
}

export function flatten(list: readonly RValue[]): RValue[] {
  const out: RValue[] = [];
  for (const v of list) {
    if (Array.isArray(v)) out.push(...flatten(v));
    else out.push(v);
  }
  return out;
}

function toInt(v: RValue | undefined): number {
  if (v === undefined || !isInteger(v))
    throw new Error(`no implicit conversion of ${className(v ?? null)} into Integer`);
  return Number(v);
}

/** The `[start, length]` a Range selects from `size` items, or undefined when it starts outside them. */
function rangeBounds(range: RRange, size: number): [number, number] | undefined {
  let b = range.from === null ? 0 : toInt(range.from);
  let e = range.to === null ? size : toInt(range.to);
  if (b < 0) b += size;
  if (b < 0 || b > size) return undefined;
  if (e < 0) e += size;
  if (!range.exclusive && range.to !== null) e += 1;
  return [b, Math.max(0, Math.min(e, size) - b)];
}

/** `Array#[]` / `String#[]` by position: `[i]`, `[start, length]`, `[range]`. */
function slice<T>(items: readonly T[], args: readonly RValue[]): T | T[] | null {
  const size = items.length;
  const [first, second] = args;
  if (args.length === 2) {
    let start = toInt(first);
    const length = toInt(second);
    if (start < 0) start += size;
    if (start < 0 || start > size || length < 0) return null;
    return items.slice(start, start + length);
  }
  if (args.length !== 1) throw new Error(`wrong number of arguments (given ${args.length}, expected 1..2)`);
  if (first instanceof RRange) {
    const bounds = rangeBounds(first, size);
    return bounds ? items.slice(bounds[0], bounds[0] + bounds[1]) : null;
  }
  const i = toInt(first);
  return items[i < 0 ? size + i : i] ?? null;
}

/** Integer endpoints of a Range as the Array `to_a` gives. */
function rangeToArray(range: RRange): RValue[] {
  if (typeof range.from === "string" || !isInteger(range.from) || !isInteger(range.to)) {
    throw new Error(`can't iterate from ${className(range.from)}`);
  }
  const out: RValue[] = [];
  const last = Number(range.to) - (range.exclusive ? 1 : 0);
  if (last - Number(range.from) > 1_000_000) throw new Error("range too large to expand");
  for (let i = Number(range.from); i <= last; i++) out.push(i);
  return out;
}

/** Integer division and modulo round toward negative infinity in Ruby. */
function floorDiv(x: bigint, y: bigint): bigint {
  if (y === 0n) throw new Error("divided by 0");
  const q = x / y;
  return x % y !== 0n && x < 0n !== y < 0n ? q - 1n : q;
}

function floorMod(x: bigint, y: bigint): bigint {
  if (y === 0n) throw new Error("divided by 0");
  const r = x % y;
  return r !== 0n && r < 0n !== y < 0n ? r + y : r;
}

/** `Float#round(digits)`: half away from zero, corrected as Ruby's round_half_up is. */
function roundFloat(x: number, digits: number): number {
  const away = (v: number) => Math.sign(v) * Math.round(Math.abs(v));
  if (digits <= 0) {
    const s = 10 ** -digits;
    return away(x / s) * s;
  }
  if (digits > 15 || !Number.isFinite(x)) return x;
  const s = 10 ** digits;
  let f = away(x * s);
  if (x > 0 && (f + 0.5) / s <= x) f += 1;
  if (x < 0 && (f - 0.5) / s >= x) f -= 1;
  return f / s;
}

/** `x =~ pattern`: the index of the first match, or nil. */
function matchIndex(text: RValue, pattern: RValue): RValue {
  if (!(pattern instanceof RubyRegex))
    throw new Error(`wrong argument type ${className(pattern)} (expected Regexp)`);
  if (text === null) return null;
  if (typeof text !== "string" && !(text instanceof RSym))
    throw new Error(`no implicit conversion of ${className(text)} into String`);
  const s = typeof text === "string" ? text : text.name;
  const m = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "")).exec(s);
  return m ? Array.from(s.slice(0, m.index)).length : null;
}

/** `Enumerable#grep`: what `pattern === item` selects. */
function caseEqual(pattern: RValue, item: RValue): boolean {
  if (pattern instanceof RubyRegex)
    return (typeof item === "string" || item instanceof RSym) && matchIndex(item, pattern) !== null;
  if (pattern instanceof RRange) {
    try {
      const lo = compareValues(pattern.from, item);
      const hi = compareValues(item, pattern.to);
      return lo <= 0 && (pattern.exclusive ? hi < 0 : hi <= 0);
    } catch {
      return false;
    }
  }
  return rubyEqual(pattern, item);
}

/** Receives calls that have no receiver: the DDL language itself. */
export type SelfCall = (
  name: string,
  args: RValue[],
  block: BlockFn | undefined,
  line: number,
  node: RubyNode,
) => RValue;
/** A block made callable: evaluates its body with the given arguments bound to its parameters. */
export type BlockFn = (args: RValue[]) => RValue;

class Scope {
  readonly vars = new Map<string, RValue>();
  constructor(readonly parent?: Scope) {}

  lookup(name: string): { found: boolean; value: RValue } {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      if (s.vars.has(name)) return { found: true, value: s.vars.get(name) as RValue };
    }
    return { found: false, value: null };
  }

  assign(name: string, value: RValue): void {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      if (s.vars.has(name)) {
        s.vars.set(name, value);
        return;
      }
    }
    this.vars.set(name, value);
  }
}

export interface InterpreterOptions {
  /**
   * Errors read `file:line:column: \`expression\`: message`, quoting the
   * expression they are about, rather than `file:line: message`.
   */
  columns?: boolean;
}

export class Interpreter {
  constructor(
    private readonly file: string,
    private readonly selfCall: SelfCall,
    private readonly options: InterpreterOptions = {},
  ) {}

  fail(line: number, message: string): never {
    throw new DdlDefinitionError(`${this.file}:${line}: ${message}`);
  }

  /** An error about `node`, at its line (and column and text when asked for). */
  failAt(node: RubyNode, message: string): never {
    if (!this.options.columns) this.fail(node.line, message);
    const at = node.column === undefined ? `${node.line}` : `${node.line}:${node.column}`;
    // A call with a block spans lines: its first line says which one it is.
    const text = node.text?.includes("\n") ? `${node.text.split("\n")[0]} …` : node.text;
    const what = text === undefined ? "" : `\`${text}\`: `;
    throw new DdlDefinitionError(`${this.file}:${at}: ${what}${message}`);
  }

  /** Runs `fn`; a plain Error it throws becomes a DdlDefinitionError about `node`. */
  private about<T>(node: RubyNode, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof DdlDefinitionError || e instanceof RangeError) throw e;
      return this.failAt(node, e instanceof Error ? e.message : String(e));
    }
  }

  run(body: RubyNode[]): RValue {
    return this.evalBody(body, new Scope());
  }

  private evalBody(body: RubyNode[], scope: Scope): RValue {
    let last: RValue = null;
    for (const node of body) last = this.eval(node, scope);
    return last;
  }

  private blockFn(block: RubyBlock, scope: Scope): BlockFn {
    return (args) => {
      const inner = new Scope(scope);
      // A block with several parameters given one Array spreads it, as `each` over pairs does.
      const values =
        block.params.length > 1 && args.length === 1 && Array.isArray(args[0]) ? (args[0] as RValue[]) : args;
      block.params.forEach((p, i) => {
        inner.vars.set(p, values[i] ?? null);
      });
      return this.evalBody(block.body, inner);
    };
  }

  private eval(node: RubyNode, scope: Scope): RValue {
    switch (node.kind) {
      case "literal": {
        const v = node.value;
        if (v === null || typeof v !== "object") return v;
        if ("float" in v) return new RFloat(v.float);
        if ("symbol" in v) return new RSym(v.symbol);
        try {
          return new RubyRegex(v.regexp, v.options, true);
        } catch (e) {
          return this.failAt(node, e instanceof Error ? e.message : String(e));
        }
      }
      case "str":
        return node.parts.map((p) => (typeof p === "string" ? p : toS(this.eval(p, scope)))).join("");
      case "dsym":
        return new RSym(
          node.parts.map((p) => (typeof p === "string" ? p : toS(this.eval(p, scope)))).join(""),
        );
      case "words":
        return node.words.map((w) => (node.symbols ? new RSym(w) : w));
      case "array":
        return node.items.map((item) => this.eval(item, scope));
      case "hash": {
        const hash = new RHash();
        for (const [k, v] of node.pairs) hash.set(this.eval(k, scope), this.eval(v, scope));
        return hash;
      }
      case "ident": {
        const local = scope.lookup(node.name);
        if (local.found) return local.value;
        return this.about(node, () => this.selfCall(node.name, [], undefined, node.line, node));
      }
      case "assign": {
        const value = this.eval(node.value, scope);
        scope.assign(node.name, value);
        return value;
      }
      case "seq":
        return this.evalBody(node.body, scope);
      case "unary": {
        const v = this.eval(node.operand, scope);
        const n = numeric(v);
        if (n === undefined) this.failAt(node, `undefined method \`${node.op}@' for ${className(v)}`);
        if (node.op === "+") return v;
        return v instanceof RFloat
          ? new RFloat(-v.value)
          : typeof v === "bigint"
            ? normalizeInteger(-v)
            : -(v as number);
      }
      case "binary": {
        const left = this.eval(node.left, scope);
        const right = this.eval(node.right, scope);
        if (node.op === "==") return rubyEqual(left, right);
        if (node.op === "!=") return !rubyEqual(left, right);
        return this.about(node, () => this.method(left, node.op, [right], undefined));
      }
      case "range":
        return new RRange(this.eval(node.from, scope), this.eval(node.to, scope), node.exclusive);
      case "logical": {
        const left = this.eval(node.left, scope);
        if (node.op === "&&") return truthy(left) ? this.eval(node.right, scope) : left;
        return truthy(left) ? left : this.eval(node.right, scope);
      }
      case "not":
        return !truthy(this.eval(node.operand, scope));
      case "if":
        return this.evalBody(
          truthy(this.eval(node.condition, scope)) ? node.whenTrue : node.whenFalse,
          scope,
        );
      case "index": {
        const target = this.eval(node.target, scope);
        const args = node.args.map((a) => this.eval(a, scope));
        return this.about(node, () => this.method(target, "[]", args, undefined));
      }
      case "call": {
        if (!node.receiver) {
          const args = node.args.map((a) => this.eval(a, scope));
          const block = node.block ? this.blockFn(node.block, scope) : undefined;
          return this.about(node, () => this.selfCall(node.name, args, block, node.line, node));
        }
        const receiver = this.eval(node.receiver, scope);
        if (node.safe && receiver === null) return null;
        const args = node.args.map((a) => this.eval(a, scope));
        const block = node.block ? this.blockFn(node.block, scope) : undefined;
        return this.about(node, () => this.method(receiver, node.name, args, block));
      }
    }
  }

  /** The methods DDLs call on values; any other is reported as Ruby would (NoMethodError). */
  private method(recv: RValue, name: string, args: RValue[], block: BlockFn | undefined): RValue {
    const arity = (n: number) => {
      if (args.length !== n)
        throw new Error(`wrong number of arguments (given ${args.length}, expected ${n})`);
    };
    const needBlock = (): BlockFn => {
      if (!block) throw new Error(`${name} without a block is not supported`);
      return block;
    };
    switch (name) {
      case "to_s":
        if (args.length === 1 && isInteger(recv)) {
          const radix = toInt(args[0]);
          if (radix < 2 || radix > 36) throw new Error(`invalid radix ${radix}`);
          return BigInt(recv).toString(radix);
        }
        arity(0);
        return toS(recv);
      case "<":
      case ">":
      case "<=":
      case ">=":
        if (typeof recv === "string" || numeric(recv) !== undefined) {
          arity(1);
          const c = compareValues(recv, args[0] ?? null);
          return name === "<" ? c < 0 : name === ">" ? c > 0 : name === "<=" ? c <= 0 : c >= 0;
        }
        break;
      case "<=>":
        arity(1);
        try {
          return compareValues(recv, args[0] ?? null);
        } catch {
          return rubyEqual(recv, args[0] ?? null) ? 0 : null;
        }
      case "between?": {
        arity(2);
        return compareValues(recv, args[0] ?? null) >= 0 && compareValues(recv, args[1] ?? null) <= 0;
      }
      case "=~":
        arity(1);
        if (recv instanceof RubyRegex) return matchIndex(args[0] ?? null, recv);
        if (typeof recv === "string") return matchIndex(recv, args[0] ?? null);
        return null;
      case "!~":
        arity(1);
        return this.method(recv, "=~", args, block) === null;
      case "===":
        arity(1);
        return caseEqual(recv, args[0] ?? null);
      case "inspect":
        arity(0);
        return inspect(recv);
      case "nil?":
        arity(0);
        return recv === null;
      case "freeze":
      case "dup":
      case "clone":
      case "itself":
        arity(0);
        return recv;
      case "frozen?":
        return false;
    }

    if (typeof recv === "string" || recv instanceof RSym) {
      const s = typeof recv === "string" ? recv : recv.name;
      const same = (v: string): RValue => (typeof recv === "string" ? v : new RSym(v));
      switch (name) {
        case "to_sym":
        case "intern":
          return new RSym(s);
        case "to_str":
        case "id2name":
        case "name":
          return s;
        case "capitalize":
          return same(capitalize(s));
        case "upcase":
          return same(s.toUpperCase());
        case "downcase":
          return same(s.toLowerCase());
        case "swapcase":
          return same(swapcase(s));
        case "length":
        case "size":
          return Array.from(s).length;
        case "empty?":
          return s.length === 0;
      }
    }
    if (typeof recv === "string") {
      switch (name) {
        case "to_i":
          return rubyToI(recv);
        case "to_f": {
          const f = rubyToF(recv);
          return new RFloat(typeof f === "number" ? f : f.value);
        }
        case "strip":
          return recv.replace(/^[\t\n\v\f\r \0]+|[\t\n\v\f\r \0]+$/g, "");
        case "lstrip":
          return recv.replace(/^[\t\n\v\f\r \0]+/, "");
        case "rstrip":
          return recv.replace(/[\t\n\v\f\r \0]+$/, "");
        case "chomp":
          return recv.replace(/\r?\n$|\r$/, "");
        case "reverse":
          return Array.from(recv).reverse().join("");
        case "start_with?":
          return args.some((a) => typeof a === "string" && recv.startsWith(a));
        case "end_with?":
          return args.some((a) => typeof a === "string" && recv.endsWith(a));
        case "include?":
          arity(1);
          if (typeof args[0] !== "string")
            throw new Error(`no implicit conversion of ${className(args[0] ?? null)} into String`);
          return recv.includes(args[0]);
        case "sub":
        case "gsub": {
          if (args.length !== 2 || block)
            throw new Error(`${name} is supported with a pattern and a replacement String`);
          const [pattern, replacement] = args;
          if (typeof replacement !== "string")
            throw new Error(`no implicit conversion of ${className(replacement ?? null)} into String`);
          const flags = name === "gsub" ? "g" : "";
          let re: RegExp;
          if (pattern instanceof RubyRegex) re = new RegExp(pattern.source, pattern.flags + flags);
          else if (typeof pattern === "string")
            re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"), `u${flags}`);
          else throw new Error(`wrong argument type ${className(pattern ?? null)} (expected Regexp)`);
          // Ruby's \0, \& and \1 in the replacement; a literal $ must not become a JS group reference.
          const js = replacement
            .replace(/\$/g, "$$$$")
            .replace(/\\([0-9&\\])/g, (_m, g: string) =>
              g === "\\" ? "\\" : g === "&" || g === "0" ? "$&" : `$${g}`,
            );
          return recv.replace(re, js);
        }
        case "split": {
          const sep = args[0];
          if (sep === undefined || sep === " ") return recv.split(/[ \t\n\v\f\r]+/).filter((w) => w !== "");
          if (typeof sep !== "string") throw new Error("split only supports a String separator here");
          const parts = recv.split(sep);
          while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
          return parts;
        }
        case "[]":
        case "slice": {
          const key = args[0] ?? null;
          if (args.length === 1 && typeof key === "string") return recv.includes(key) ? key : null;
          if (args.length === 1 && key instanceof RubyRegex) {
            const m = new RegExp(key.source, key.flags.replace(/[gy]/g, "")).exec(recv);
            return m ? m[0] : null;
          }
          const part = slice(Array.from(recv), args);
          return part === null ? null : Array.isArray(part) ? part.join("") : part;
        }
        case "chars":
          arity(0);
          return Array.from(recv);
        case "center":
        case "ljust":
        case "rjust": {
          const width = toInt(args[0]);
          const pad = args.length > 1 ? args[1] : " ";
          if (typeof pad !== "string" || pad === "") throw new Error("zero width padding");
          const missing = width - Array.from(recv).length;
          if (missing <= 0) return recv;
          const fill = (n: number) =>
            Array.from(pad.repeat(Math.ceil(n / pad.length)))
              .slice(0, n)
              .join("");
          if (name === "ljust") return recv + fill(missing);
          if (name === "rjust") return fill(missing) + recv;
          const left = Math.floor(missing / 2);
          return fill(left) + recv + fill(missing - left);
        }
        case "match?":
          arity(1);
          return matchIndex(recv, args[0] ?? null) !== null;
        case "%": {
          arity(1);
          const values = Array.isArray(args[0]) ? args[0] : [args[0] ?? null];
          return rubyFormat(recv, values.map(toRubyValue));
        }
        case "+":
          arity(1);
          if (typeof args[0] !== "string")
            throw new Error(`no implicit conversion of ${className(args[0] ?? null)} into String`);
          return recv + args[0];
        case "*": {
          arity(1);
          const n = args[0];
          if (!isInteger(n ?? null) || Number(n) < 0)
            throw new Error("String#* needs a non-negative Integer");
          return recv.repeat(Number(n));
        }
      }
    }
    const n = numeric(recv);
    if (n !== undefined && (isInteger(recv) || recv instanceof RFloat)) {
      // The one argument of a binary operator, as a number or Ruby's TypeError.
      const operand = () => {
        arity(1);
        const other = args[0] ?? null;
        const m = numeric(other);
        if (m === undefined) throw new Error(`${className(other)} can't be coerced into ${className(recv)}`);
        return { other, m };
      };
      switch (name) {
        case "to_i":
          return recv instanceof RFloat ? Math.trunc(recv.value) : recv;
        case "to_f":
          return new RFloat(n);
        case "+":
        case "-":
        case "*": {
          const { other, m } = operand();
          if (isInteger(recv) && isInteger(other)) {
            const x = BigInt(recv);
            const y = BigInt(other);
            return normalizeInteger(name === "+" ? x + y : name === "-" ? x - y : x * y);
          }
          return new RFloat(name === "+" ? n + m : name === "-" ? n - m : n * m);
        }
        case "/":
        case "div":
        case "%":
        case "modulo":
        case "**": {
          const { other, m } = operand();
          if (isInteger(recv) && isInteger(other)) {
            const x = BigInt(recv);
            const y = BigInt(other);
            if (name === "**") {
              if (y < 0n) throw new Error("negative exponents (Rational results) are not supported");
              if (y > 100_000n) throw new Error("exponent too large");
              return normalizeInteger(x ** y);
            }
            return normalizeInteger(name === "/" || name === "div" ? floorDiv(x, y) : floorMod(x, y));
          }
          if (name === "**") return new RFloat(n ** m);
          if (name === "/") return new RFloat(n / m);
          if (name === "div") return Math.floor(n / m);
          return new RFloat(n - m * Math.floor(n / m));
        }
        case "abs":
          return isInteger(recv)
            ? normalizeInteger(BigInt(recv) < 0n ? -BigInt(recv) : BigInt(recv))
            : new RFloat(Math.abs(n));
        case "zero?":
          return n === 0;
        case "even?":
        case "odd?":
          if (!isInteger(recv)) break;
          return (BigInt(recv) % 2n === 0n) === (name === "even?");
        case "succ":
        case "next":
        case "pred":
          if (!isInteger(recv)) break;
          return normalizeInteger(BigInt(recv) + (name === "pred" ? -1n : 1n));
        case "round":
        case "floor":
        case "ceil":
        case "truncate": {
          const digits = args.length > 0 ? toInt(args[0]) : 0;
          if (isInteger(recv) && digits >= 0) return recv;
          const fn =
            name === "round"
              ? (x: number) => roundFloat(x, digits)
              : (x: number) => {
                  const s = 10 ** digits;
                  const op = name === "floor" ? Math.floor : name === "ceil" ? Math.ceil : Math.trunc;
                  return op(x * s) / s;
                };
          const r = fn(n);
          return digits > 0 ? new RFloat(r) : Number.isSafeInteger(r) ? r : BigInt(r);
        }
      }
    }
    if (recv instanceof RRange) {
      switch (name) {
        case "first":
          if (args.length === 0) return recv.from;
          break;
        case "last":
          if (args.length === 0) return recv.to;
          break;
        case "include?":
        case "member?":
        case "cover?":
          arity(1);
          return caseEqual(recv, args[0] ?? null);
      }
      return this.method(rangeToArray(recv), name, args, block);
    }
    if (recv === null && name === "to_a") return [];
    if (recv === null && name === "to_i") return 0;
    if (recv === null && name === "to_f") return new RFloat(0);
    if (Array.isArray(recv)) {
      switch (name) {
        case "each":
          for (const item of recv) needBlock()([item]);
          return recv;
        case "each_with_index":
          recv.forEach((item, i) => {
            needBlock()([item, i]);
          });
          return recv;
        case "map":
        case "collect":
          return recv.map((item) => needBlock()([item]));
        case "flat_map":
          return recv.flatMap((item) => {
            const r = needBlock()([item]);
            return Array.isArray(r) ? r : [r];
          });
        case "join":
          return flatten(recv)
            .map(toS)
            .join(typeof args[0] === "string" ? args[0] : "");
        case "first":
          return args.length === 0 ? (recv[0] ?? null) : recv.slice(0, Math.max(0, toInt(args[0])));
        case "last":
          return args.length === 0
            ? (recv[recv.length - 1] ?? null)
            : recv.slice(Math.max(0, recv.length - toInt(args[0])));
        case "take":
          return recv.slice(0, Math.max(0, toInt(args[0])));
        case "drop":
          return recv.slice(Math.max(0, toInt(args[0])));
        case "slice":
          return slice(recv, args);
        case "select":
        case "filter":
          return recv.filter((item) => truthy(needBlock()([item])));
        case "reject":
          return recv.filter((item) => !truthy(needBlock()([item])));
        case "find":
        case "detect":
          return recv.find((item) => truthy(needBlock()([item]))) ?? null;
        case "any?":
          return block ? recv.some((item) => truthy(block([item]))) : recv.some(truthy);
        case "all?":
          return block ? recv.every((item) => truthy(block([item]))) : recv.every(truthy);
        case "none?":
          return block ? !recv.some((item) => truthy(block([item]))) : !recv.some(truthy);
        case "count":
          if (block) return recv.filter((item) => truthy(block([item]))).length;
          if (args.length > 0) return recv.filter((item) => rubyEqual(item, args[0] ?? null)).length;
          return recv.length;
        case "index":
        case "find_index": {
          const i = block
            ? recv.findIndex((item) => truthy(block([item])))
            : recv.findIndex((item) => rubyEqual(item, args[0] ?? null));
          return i < 0 ? null : i;
        }
        case "min":
        case "max": {
          if (recv.length === 0) return null;
          const sign = name === "min" ? 1 : -1;
          return recv.reduce((best, item) => (sign * compareValues(item, best) < 0 ? item : best));
        }
        case "min_by":
        case "max_by": {
          if (recv.length === 0) return null;
          const sign = name === "min_by" ? 1 : -1;
          const keyed = recv.map((item) => [needBlock()([item]), item] as const);
          return keyed.reduce((best, k) => (sign * compareValues(k[0], best[0]) < 0 ? k : best))[1];
        }
        case "sum":
          return recv.reduce<RValue>(
            (total, item) => this.method(total, "+", [item], undefined),
            args[0] ?? 0,
          );
        case "sort_by": {
          const fn = needBlock();
          return recv
            .map((item) => [fn([item]), item] as const)
            .sort((a, b) => compareValues(a[0], b[0]))
            .map(([, item]) => item);
        }
        case "grep":
          arity(1);
          return recv.filter((item) => caseEqual(args[0] ?? null, item));
        case "-": {
          arity(1);
          const other = args[0];
          if (!Array.isArray(other))
            throw new Error(`no implicit conversion of ${className(other ?? null)} into Array`);
          return recv.filter((v) => !other.some((w) => rubyEql(v, w)));
        }
        case "&":
        case "|": {
          arity(1);
          const other = args[0];
          if (!Array.isArray(other))
            throw new Error(`no implicit conversion of ${className(other ?? null)} into Array`);
          const all =
            name === "&" ? recv.filter((v) => other.some((w) => rubyEql(v, w))) : [...recv, ...other];
          return all.filter((v, i) => all.findIndex((w) => rubyEql(v, w)) === i);
        }
        case "*": {
          arity(1);
          const by = args[0] ?? null;
          if (typeof by === "string") return this.method(recv, "join", [by], undefined);
          const times = toInt(by);
          if (times < 0) throw new Error("negative argument");
          return Array.from({ length: times }, () => recv).flat(1);
        }
        case "size":
        case "length":
          return recv.length;
        case "empty?":
          return recv.length === 0;
        case "include?":
          arity(1);
          return recv.some((v) => rubyEql(v, args[0] ?? null));
        case "flatten":
          return flatten(recv);
        case "compact":
          return recv.filter((v) => v !== null);
        case "uniq":
          return recv.filter((v, i) => recv.findIndex((w) => rubyEql(v, w)) === i);
        case "reverse":
          return [...recv].reverse();
        case "sort":
          if (block) return [...recv].sort((a, b) => toInt(block([a, b])));
          return [...recv].sort(compareValues);
        case "to_a":
          return recv;
        case "+": {
          arity(1);
          const other = args[0];
          if (!Array.isArray(other))
            throw new Error(`no implicit conversion of ${className(other ?? null)} into Array`);
          return [...recv, ...other];
        }
        case "[]":
          return slice(recv, args);
      }
    }
    if (recv instanceof RHash) {
      switch (name) {
        case "each":
        case "each_pair":
          for (const [k, v] of recv.entries) needBlock()([k, v]);
          return recv;
        case "map":
        case "collect":
          return recv.entries.map(([k, v]) => needBlock()([k, v]));
        case "keys":
          return recv.entries.map(([k]) => k);
        case "values":
          return recv.entries.map(([, v]) => v);
        case "size":
        case "length":
          return recv.entries.length;
        case "empty?":
          return recv.entries.length === 0;
        case "include?":
        case "key?":
        case "has_key?":
          arity(1);
          return recv.has(args[0] ?? null);
        case "[]":
          arity(1);
          return recv.get(args[0] ?? null) ?? null;
        case "fetch": {
          const v = recv.get(args[0] ?? null);
          if (v !== undefined) return v;
          if (args.length > 1) return args[1] ?? null;
          throw new Error(`key not found: ${inspect(args[0] ?? null)}`);
        }
        case "merge": {
          const out = new RHash();
          for (const [k, v] of recv.entries) out.set(k, v);
          for (const other of args) {
            if (!(other instanceof RHash))
              throw new Error(`no implicit conversion of ${className(other)} into Hash`);
            for (const [k, v] of other.entries) out.set(k, v);
          }
          return out;
        }
        case "to_a":
          return recv.entries.map(([k, v]) => [k, v]);
        case "dig": {
          let v: RValue = recv;
          for (const key of args) {
            if (v === null) return null;
            v = this.method(v, "[]", [key], undefined);
          }
          return v;
        }
        case "values_at":
          return args.map((k) => recv.get(k) ?? null);
        case "select":
        case "filter":
        case "reject": {
          const fn = needBlock();
          const out = new RHash();
          for (const [k, v] of recv.entries) if (truthy(fn([k, v])) === (name !== "reject")) out.set(k, v);
          return out;
        }
        case "value?":
        case "has_value?":
          arity(1);
          return recv.entries.some(([, v]) => rubyEqual(v, args[0] ?? null));
      }
      // Everything else Enumerable offers works on the [key, value] pairs.
      if (!["[]=", "store", "delete"].includes(name))
        return this.method(
          recv.entries.map(([k, v]) => [k, v]),
          name,
          args,
          block,
        );
    }
    throw new Error(`undefined method \`${name}' for ${inspect(recv)}:${className(recv)}`);
  }
}

/**
 * A value from the wire (the Marshal model: Symbols as JS symbols, Hashes as
 * Maps) as the evaluator's value; what the evaluator has no type for
 * (objects, structs…) becomes the text of its `inspect`.
 */
export function fromRubyValue(v: RubyValue): RValue {
  if (v === null || typeof v === "boolean" || typeof v === "string" || typeof v === "bigint") return v;
  if (typeof v === "number") return Number.isInteger(v) ? v : new RFloat(v);
  if (typeof v === "symbol") return new RSym(v.description ?? "");
  if (v instanceof RubyFloat) return new RFloat(v.value);
  if (v instanceof RubyString) return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("latin1");
  if (Array.isArray(v)) return v.map(fromRubyValue);
  if (v instanceof Map) {
    const hash = new RHash();
    for (const [k, val] of v) hash.set(fromRubyValue(k), fromRubyValue(val));
    return hash;
  }
  return inspectRubyValue(v);
}

/** The evaluator's value in the Marshal model, for `format` and the wire's `inspect`. */
export function toRubyValue(v: RValue): RubyValue {
  if (v instanceof RSym) return Symbol.for(v.name);
  if (v instanceof RFloat) return Number.isInteger(v.value) ? new RubyFloat(v.value) : v.value;
  if (v instanceof RHash) return new Map(v.entries.map(([k, val]) => [toRubyValue(k), toRubyValue(val)]));
  if (Array.isArray(v)) return v.map(toRubyValue);
  if (v instanceof RubyRegex || v instanceof RRange) return toS(v);
  return v;
}

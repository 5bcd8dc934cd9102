/**
 * Evaluates parsed DDL statements over a handful of Ruby value types
 * (nil, booleans, Integer, Float, String, Symbol, Regexp, Array, Hash) with
 * the methods DDLs actually call on them: `each` and friends to declare
 * several similar actions or outputs, `to_s`/`capitalize`/… to build
 * descriptions, `+`/`*`. Calls without a receiver go to the DDL builder
 * (`metadata`, `action`, `input`…). No Ruby runs: an unknown method is a
 * DdlDefinitionError at `file:line`.
 */
import { DdlDefinitionError } from "../errors.js";
import { RubyFloat } from "../marshal/types.js";
import { setOwn } from "./plain-data.js";
import type { RubyBlock, RubyNode } from "./ruby-parser.js";
import { RubyRegex } from "./ruby-regex.js";
import { compareRubyStrings, rubyFloatToS, rubyStringInspect, rubyToF, rubyToI } from "./ruby-values.js";

export class RSym {
  constructor(readonly name: string) {}
}

export class RFloat {
  constructor(readonly value: number) {}
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

export type RValue = null | boolean | number | bigint | string | RSym | RFloat | RubyRegex | RValue[] | RHash;

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
  if (Array.isArray(v)) return "Array";
  return "Hash";
}

export function inspect(v: RValue): string {
  if (v === null) return "nil";
  if (typeof v === "string") return rubyStringInspect(v);
  if (v instanceof RSym)
    return /^[A-Za-z_][A-Za-z0-9_]*[?!=]?$/.test(v.name) ? `:${v.name}` : `:${rubyStringInspect(v.name)}`;
  if (v instanceof RubyRegex) return `/${v.rubySource}/${v.rubyOptions}`;
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
  if (v instanceof RubyRegex) return RubyRegex.describe(v.rubySource, v.rubyOptions);
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
  if (typeof a === "string" && typeof b === "string") return compareRubyStrings(a, b);
  if (a instanceof RSym && b instanceof RSym) return compareRubyStrings(a.name, b.name);
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  throw new Error(`comparison of ${className(a)} with ${className(b)} failed`);
}

export function flatten(list: readonly RValue[]): RValue[] {
  const out: RValue[] = [];
  for (const v of list) {
    if (Array.isArray(v)) out.push(...flatten(v));
    else out.push(v);
  }
  return out;
}

/** Receives calls that have no receiver: the DDL language itself. */
export type SelfCall = (name: string, args: RValue[], block: BlockFn | undefined, line: number) => RValue;
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

export class Interpreter {
  constructor(
    private readonly file: string,
    private readonly selfCall: SelfCall,
  ) {}

  fail(line: number, message: string): never {
    throw new DdlDefinitionError(`${this.file}:${line}: ${message}`);
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
          return this.fail(node.line, e instanceof Error ? e.message : String(e));
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
        return this.selfCall(node.name, [], undefined, node.line);
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
        if (n === undefined) this.fail(node.line, `undefined method \`${node.op}@' for ${className(v)}`);
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
        return this.binary(node.op, left, right, node.line);
      }
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
      case "index":
        return this.index(
          this.eval(node.target, scope),
          node.args.map((a) => this.eval(a, scope)),
          node.line,
        );
      case "call": {
        const args = node.args.map((a) => this.eval(a, scope));
        const block = node.block ? this.blockFn(node.block, scope) : undefined;
        if (!node.receiver) return this.selfCall(node.name, args, block, node.line);
        const receiver = this.eval(node.receiver, scope);
        try {
          return this.method(receiver, node.name, args, block);
        } catch (e) {
          if (e instanceof DdlDefinitionError) throw e;
          return this.fail(node.line, e instanceof Error ? e.message : String(e));
        }
      }
    }
  }

  private binary(op: "+" | "-" | "*", a: RValue, b: RValue, line: number): RValue {
    try {
      return this.method(a, op, [b], undefined);
    } catch (e) {
      if (e instanceof DdlDefinitionError) throw e;
      return this.fail(line, e instanceof Error ? e.message : String(e));
    }
  }

  private index(target: RValue, args: RValue[], line: number): RValue {
    try {
      return this.method(target, "[]", args, undefined);
    } catch (e) {
      if (e instanceof DdlDefinitionError) throw e;
      return this.fail(line, e instanceof Error ? e.message : String(e));
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
        arity(0);
        return toS(recv);
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
      switch (name) {
        case "to_i":
          return recv instanceof RFloat ? Math.trunc(recv.value) : recv;
        case "to_f":
          return new RFloat(n);
        case "+":
        case "-":
        case "*": {
          arity(1);
          const other = args[0] ?? null;
          const m = numeric(other);
          if (m === undefined)
            throw new Error(`${className(other)} can't be coerced into ${className(recv)}`);
          if (isInteger(recv) && isInteger(other)) {
            const x = BigInt(recv);
            const y = BigInt(other);
            return normalizeInteger(name === "+" ? x + y : name === "-" ? x - y : x * y);
          }
          return new RFloat(name === "+" ? n + m : name === "-" ? n - m : n * m);
        }
      }
    }
    if (recv === null && name === "to_a") return [];
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
          return recv[0] ?? null;
        case "last":
          return recv[recv.length - 1] ?? null;
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
        case "[]": {
          arity(1);
          const i = args[0];
          if (!isInteger(i ?? null))
            throw new Error(`no implicit conversion of ${className(i ?? null)} into Integer`);
          const k = Number(i);
          return recv[k < 0 ? recv.length + k : k] ?? null;
        }
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
      }
    }
    throw new Error(`undefined method \`${name}' for ${inspect(recv)}:${className(recv)}`);
  }
}

import { MarshalError } from "@phobos/errors";
import { cachedAscii } from "./ascii-cache.js";
import { decodeText, encodingTag, isAsciiBytes, isValidUtf8 } from "./encodings.js";
import { parseMarshalFloat } from "./float-format.js";
import { MAX_NESTING } from "./limits.js";
import { defaultRegexpEncoding, regexpWireOptions } from "./regexp-encoding.js";
import {
  RubyClassRef,
  RubyData,
  RubyExtended,
  RubyFloat,
  RubyHash,
  RubyObject,
  RubyRegexp,
  RubyString,
  RubyStruct,
  RubySymbol,
  RubyUserClass,
  RubyUserDefined,
  RubyUserMarshal,
  type RubyValue,
  RubyWithIvars,
} from "./types.js";

export interface LoadOptions {
  /**
   * `"js"` (default): Strings with an encoding become JS strings, binary ones
   * Buffers. `"ruby"`: every String is a `RubyString` (bytes + encoding) and
   * shared objects stay shared, so `dump` gives back the input byte for byte.
   */
  strings?: "js" | "ruby";
}

/** Node's direct slice decoders: the same as toString(enc, start, end) without its argument handling. */
interface SliceBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

const HAS_SLICES = typeof (Buffer.prototype as Partial<SliceBuffer>).utf8Slice === "function";

/** Placeholder for an object whose index is taken but which is not built yet. */
const PENDING: unique symbol = Symbol("pending");
type Slot = RubyValue | typeof PENDING;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Decodes Ruby Marshal 4.8. Every failure, whatever the input, is a
 * `MarshalError` carrying the byte offset; lengths are checked against the
 * bytes actually present before anything is allocated, and nesting is bounded.
 */
export function load(bytes: Uint8Array, options?: LoadOptions): RubyValue {
  if (!(bytes instanceof Uint8Array)) throw new MarshalError("input is not a Buffer or Uint8Array", 0);
  if (bytes.length < 2) throw new MarshalError("marshal data too short", bytes.length);
  const major = bytes[0] as number;
  const minor = bytes[1] as number;
  if (major !== 4 || minor > 8) {
    throw new MarshalError(`incompatible marshal format ${major}.${minor} (4.8 or older 4.x required)`, 0);
  }
  const loader = new Loader(bytes, options?.strings === "ruby");
  try {
    return loader.read();
  } catch (err) {
    if (err instanceof MarshalError) throw err;
    // Anything else (a decoder refusing a label, an engine limit) still means bad input here.
    throw new MarshalError(`cannot decode: ${err instanceof Error ? err.message : String(err)}`, loader.pos);
  }
}

class Loader {
  pos = 2;
  private readonly b: SliceBuffer;
  private readonly end: number;
  /** Faithful mode's private copy of the input: RubyStrings are views into it, not one copy each. */
  private owned: Buffer | undefined;
  private readonly objects: Slot[] = [];
  private readonly symbols: (symbol | RubySymbol | typeof PENDING)[] = [];
  private readonly symbolNames: string[] = [];
  private depth = 0;

  constructor(
    bytes: Uint8Array,
    private readonly ruby: boolean,
  ) {
    this.b = (
      Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    ) as SliceBuffer;
    this.end = bytes.length;
  }

  read(): RubyValue {
    const at = this.pos;
    if (at >= this.end) throw this.tooShort(at);
    const type = this.b[at] as number;
    this.pos = at + 1;
    switch (type) {
      case 0x30: // 0
        return null;
      case 0x54: // T
        return true;
      case 0x46: // F
        return false;
      case 0x69: // i
        return this.long();
      case 0x3a: // :
        return this.symbolAt(this.symbolReal(false));
      case 0x3b: // ;
        return this.symbolAt(this.symbolLink());
      case 0x49: // I
        return this.withIvars();
      case 0x22: // "
        return this.bareString();
      case 0x5b: // [
        return this.array();
      case 0x7b: // {
        return this.hash(false);
      case 0x7d: // }
        return this.hash(true);
      case 0x40: // @
        return this.link();
      case 0x6c: // l
        return this.bignum();
      case 0x66: // f
        return this.float();
      case 0x2f: // /
        return this.regexp(false);
      case 0x6f: // o
        return this.object();
      case 0x53: // S
        return this.struct();
      case 0x75: // u
        return this.userDefined(false);
      case 0x55: // U
        return this.userMarshal();
      case 0x64: // d
        return this.data();
      case 0x63: // c
        return this.classRef("class", false);
      case 0x6d: // m
        return this.classRef("module", false);
      case 0x4d: // M
        return this.classRef("old-module", false);
      case 0x65: // e
        return this.extended();
      case 0x43: // C
        return this.userClass();
      default:
        throw new MarshalError(`unknown type code 0x${type.toString(16).padStart(2, "0")}`, at);
    }
  }

  // ---- primitives ---------------------------------------------------------

  private tooShort(at: number): MarshalError {
    return new MarshalError("marshal data too short", at);
  }

  private nest(): void {
    if (++this.depth > MAX_NESTING) {
      throw new MarshalError(`nesting deeper than ${MAX_NESTING} levels`, this.pos);
    }
  }

  /** Ruby's w_long format: one byte for -123..122, else a signed byte count and up to 4 little-endian bytes. */
  private long(): number {
    const b = this.b;
    const at = this.pos;
    if (at >= this.end) throw this.tooShort(at);
    const c = b[at] as number;
    if (c === 0) {
      this.pos = at + 1;
      return 0;
    }
    if (c >= 5 && c < 128) {
      this.pos = at + 1;
      return c - 5;
    }
    if (c >= 128 && c <= 251) {
      this.pos = at + 1;
      return c - 251;
    }
    const n = c <= 4 ? c : 256 - c;
    if (at + 1 + n > this.end) throw this.tooShort(at);
    let x = 0;
    let mul = 1;
    for (let i = 1; i <= n; i++) {
      x += (b[at + i] as number) * mul;
      mul *= 256;
    }
    this.pos = at + 1 + n;
    return c <= 4 ? x : x - mul;
  }

  /** A length or count that must fit in what is left, `unit` bytes at least per item. */
  private count(unit: number): number {
    const at = this.pos;
    const n = this.long();
    if (n < 0) throw new MarshalError(`negative length ${n}`, at);
    if (n * unit > this.end - this.pos) {
      throw new MarshalError(`length ${n} exceeds the ${this.end - this.pos} bytes left`, at);
    }
    return n;
  }

  /** A Buffer of its own (callers may reuse the input); pooled allocation beats Buffer.copyBytesFrom here. */
  private copy(start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(end - start);
    this.b.copy(out, 0, start, end);
    return out;
  }

  private view(start: number, end: number): Buffer {
    this.owned ??= Buffer.from(this.b);
    return this.owned.subarray(start, end);
  }

  private utf8(start: number, end: number): string {
    const cached = cachedAscii(this.b, start, end, this.latin1Slice);
    if (cached !== undefined) return cached;
    return HAS_SLICES ? this.b.utf8Slice(start, end) : this.b.toString("utf8", start, end);
  }

  private readonly latin1Slice = (start: number, end: number): string => this.latin1(start, end);

  private latin1(start: number, end: number): string {
    return HAS_SLICES ? this.b.latin1Slice(start, end) : this.b.toString("latin1", start, end);
  }

  private makeString(start: number, end: number, encoding: string | undefined): RubyValue {
    if (this.ruby) return new RubyString(this.view(start, end), encoding ?? "ASCII-8BIT");
    if (encoding === undefined) return this.copy(start, end);
    if (encoding === "UTF-8") return this.utf8(start, end);
    if (encoding === "US-ASCII") return this.latin1(start, end);
    return decodeText(this.b.subarray(start, end), encoding);
  }

  // ---- symbols ------------------------------------------------------------

  private symbolAt(index: number): symbol | RubySymbol {
    return this.symbols[index] as symbol | RubySymbol;
  }

  /** Reads `:`-data (type byte consumed) and its encoding ivars; returns its symbol-table index. */
  private symbolReal(hasIvars: boolean): number {
    const len = this.count(1);
    const start = this.pos;
    const end = start + len;
    this.pos = end;
    const index = this.symbols.length;
    this.symbols.push(PENDING);
    this.symbolNames.push("");
    let encoding: string | undefined;
    if (hasIvars) {
      const n = this.count(2);
      this.nest();
      for (let i = 0; i < n; i++) {
        const name = this.symbolNames[this.symbolIndex()];
        const value = this.read();
        const enc = encodingFromIvar(name, value);
        if (enc !== undefined) encoding = enc;
      }
      this.depth--;
    }
    let name: string;
    let sym: symbol | RubySymbol;
    const ascii =
      cachedAscii(this.b, start, end, this.latin1Slice) ??
      (isAsciiBytes(this.b, start, end) ? this.latin1(start, end) : undefined);
    if (ascii !== undefined) {
      name = ascii;
      this.symbols[index] = Symbol.for(name);
      this.symbolNames[index] = name;
      return index;
    }
    const raw = this.b.subarray(start, end);
    if (encoding !== undefined && encodingTag(encoding) === "utf8" && isValidUtf8(raw)) {
      name = raw.toString("utf8");
      sym = Symbol.for(name);
    } else {
      const enc = encoding ?? "ASCII-8BIT";
      name = decodeText(raw, enc);
      sym = this.ruby ? new RubySymbol(this.view(start, end), enc) : Symbol.for(name);
    }
    this.symbols[index] = sym;
    this.symbolNames[index] = name;
    return index;
  }

  private symbolLink(): number {
    const at = this.pos;
    const index = this.long();
    if (index < 0 || index >= this.symbols.length || this.symbols[index] === PENDING) {
      throw new MarshalError(`symbol link ${index} to no symbol`, at);
    }
    return index;
  }

  /** A symbol in a name position (class, ivar, struct member): `:`, `;` or `I:`. */
  private symbolIndex(): number {
    const at = this.pos;
    if (at >= this.end) throw this.tooShort(at);
    const type = this.b[at] as number;
    this.pos = at + 1;
    if (type === 0x3a) return this.symbolReal(false);
    if (type === 0x3b) return this.symbolLink();
    if (type === 0x49 && this.pos < this.end && this.b[this.pos] === 0x3a) {
      this.pos++;
      return this.symbolReal(true);
    }
    throw new MarshalError(`expected a Symbol, found type code 0x${type.toString(16).padStart(2, "0")}`, at);
  }

  private symbolName(): string {
    return this.symbolNames[this.symbolIndex()] as string;
  }

  // ---- objects ------------------------------------------------------------

  private link(): RubyValue {
    const at = this.pos;
    const index = this.long();
    if (index < 0 || index >= this.objects.length)
      throw new MarshalError(`link to unknown object ${index}`, at);
    const v = this.objects[index];
    if (v === PENDING) throw new MarshalError(`link to object ${index} before it is complete`, at);
    return v as RubyValue;
  }

  private bareString(): RubyValue {
    const len = this.count(1);
    const start = this.pos;
    this.pos = start + len;
    const v = this.makeString(start, start + len, undefined);
    this.objects.push(v);
    return v;
  }

  /** `I` followed by the object; strings, regexps, symbols, `u` and classes read their own ivars. */
  private withIvars(): RubyValue {
    const at = this.pos;
    if (at >= this.end) throw this.tooShort(at);
    switch (this.b[at]) {
      case 0x22:
        this.pos = at + 1;
        return this.stringWithIvars();
      case 0x3a:
        this.pos = at + 1;
        return this.symbolAt(this.symbolReal(true));
      case 0x2f:
        this.pos = at + 1;
        return this.regexp(true);
      case 0x75:
        this.pos = at + 1;
        return this.userDefined(true);
      case 0x63:
        this.pos = at + 1;
        return this.classRef("class", true);
      case 0x6d:
        this.pos = at + 1;
        return this.classRef("module", true);
    }
    this.nest();
    const before = this.objects.length;
    const inner = this.read();
    const result = this.applyIvars(inner, before);
    this.depth--;
    return result;
  }

  private stringWithIvars(): RubyValue {
    const len = this.count(1);
    const start = this.pos;
    const end = start + len;
    this.pos = end;
    const index = this.objects.length;
    this.objects.push(PENDING);
    const n = this.count(2);
    let encoding: string | undefined;
    let value: RubyValue | undefined;
    let extras: Map<string, RubyValue> | undefined;
    this.nest();
    for (let i = 0; i < n; i++) {
      const name = this.symbolNames[this.symbolIndex()] as string;
      if (value === undefined && (name === "E" || name === "encoding")) {
        const v = this.read();
        const enc = encodingFromIvar(name, v);
        if (enc !== undefined) {
          encoding = enc;
          continue;
        }
        value = this.makeString(start, end, encoding);
        this.objects[index] = value;
        extras ??= new Map();
        extras.set(name, v);
        continue;
      }
      if (value === undefined) {
        // Build the string before other ivars: one of them may link back to it.
        value = this.makeString(start, end, encoding);
        this.objects[index] = value;
      }
      extras ??= new Map();
      extras.set(name, this.read());
    }
    this.depth--;
    if (value === undefined) {
      value = this.makeString(start, end, encoding);
      this.objects[index] = value;
    }
    if (extras === undefined) return value;
    const wrapped = new RubyWithIvars(value, extras);
    this.objects[index] = wrapped;
    return wrapped;
  }

  /** Generic `I`: ivars after the object; an encoding among them belongs to a String/Regexp at its core. */
  private applyIvars(inner: RubyValue, before: number): RubyValue {
    const at = this.pos;
    const n = this.count(2);
    if (n === 0) return inner;
    if (!canHoldIvars(inner))
      throw new MarshalError("instance variables on an immediate or frozen value", at);
    const core = coreOf(inner);
    // Only a core read without an encoding (bare `"`, or `/` inside `C`/`e`) can take one now.
    const takesEncoding =
      (core instanceof RubyRegexp && core.encoding === "ASCII-8BIT") ||
      (core instanceof RubyString && core.encoding === "ASCII-8BIT") ||
      core instanceof Uint8Array;
    let encoding: string | undefined;
    const extras = new Map<string, RubyValue>();
    for (let i = 0; i < n; i++) {
      const name = this.symbolName();
      const v = this.read();
      const enc = takesEncoding && encoding === undefined ? encodingFromIvar(name, v) : undefined;
      if (enc !== undefined) encoding = enc;
      else extras.set(name, v);
    }
    let result = inner;
    if (encoding !== undefined) result = rewrap(inner, this.withEncoding(core, encoding));
    if (extras.size > 0) result = new RubyWithIvars(result, extras);
    if (result !== inner) this.replaceEntry(before, inner, result);
    return result;
  }

  private withEncoding(core: RubyValue, encoding: string): RubyValue {
    if (core instanceof RubyRegexp) {
      const bytes = Buffer.from(core.source, "latin1");
      return this.makeRegexp(bytes, 0, bytes.length, core.options, encoding);
    }
    let bytes: Uint8Array;
    if (core instanceof RubyString) bytes = core.bytes;
    else if (core instanceof Uint8Array) bytes = core;
    else return core;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.ruby) return new RubyString(bytes, encoding);
    return encodingTag(encoding) === "utf8" ? buf.toString("utf8") : decodeText(buf, encoding);
  }

  /** After a wrapper is built around an object, later links to its index must find the wrapper. */
  private replaceEntry(before: number, inner: RubyValue, outer: RubyValue): void {
    const objs = this.objects;
    if (before < objs.length && objs[before] === inner) {
      objs[before] = outer;
      return;
    }
    for (let i = objs.length - 1; i > before; i--) {
      if (objs[i] === inner) {
        objs[i] = outer;
        return;
      }
    }
  }

  private array(): RubyValue[] {
    const n = this.count(1);
    const a: RubyValue[] = [];
    this.objects.push(a);
    this.nest();
    for (let i = 0; i < n; i++) a.push(this.read());
    this.depth--;
    return a;
  }

  private hash(withDefault: boolean): Map<RubyValue, RubyValue> {
    const n = this.count(2);
    const m = withDefault ? new RubyHash() : new Map<RubyValue, RubyValue>();
    this.objects.push(m);
    this.nest();
    for (let i = 0; i < n; i++) {
      const k = this.read();
      m.set(k, this.read());
    }
    if (withDefault) (m as RubyHash).defaultValue = this.read();
    this.depth--;
    return m;
  }

  private bignum(): number | bigint {
    const at = this.pos;
    if (at >= this.end) throw this.tooShort(at);
    const negative = this.b[at] === 0x2d;
    this.pos = at + 1;
    const shorts = this.count(2);
    const start = this.pos;
    const end = start + shorts * 2;
    this.pos = end;
    const b = this.b;
    let top = end;
    while (top > start && b[top - 1] === 0) top--;
    let value: number | bigint;
    if (top - start <= 6) {
      let x = 0;
      let mul = 1;
      for (let i = start; i < top; i++) {
        x += (b[i] as number) * mul;
        mul *= 256;
      }
      value = negative && x !== 0 ? -x : x;
    } else {
      let hex = "";
      for (let i = top - 1; i >= start; i--)
        hex += ((b[i] as number) < 16 ? "0" : "") + (b[i] as number).toString(16);
      const big = BigInt(`0x${hex}`);
      if (big <= MAX_SAFE) value = negative ? -Number(big) : Number(big);
      else value = negative ? -big : big;
    }
    this.objects.push(value);
    return value;
  }

  private float(): RubyValue {
    const len = this.count(1);
    const start = this.pos;
    this.pos = start + len;
    const x = parseMarshalFloat(this.b, start, start + len);
    const v = Number.isInteger(x) ? new RubyFloat(x) : x;
    this.objects.push(v);
    return v;
  }

  private makeRegexp(
    bytes: Buffer,
    start: number,
    end: number,
    options: number,
    encoding: string,
  ): RubyRegexp {
    const source =
      encodingTag(encoding) === "utf8"
        ? bytes.toString("utf8", start, end)
        : bytes.toString("latin1", start, end);
    const derived = defaultRegexpEncoding(source, options);
    const keep = derived !== encoding || regexpWireOptions(new RubyRegexp(source, options)) !== options;
    return new RubyRegexp(source, options, keep ? encoding : undefined);
  }

  private regexp(hasIvars: boolean): RubyValue {
    const len = this.count(1);
    const start = this.pos;
    const end = start + len;
    if (end >= this.end) throw this.tooShort(end);
    const options = this.b[end] as number;
    this.pos = end + 1;
    const index = this.objects.length;
    this.objects.push(PENDING);
    let encoding: string | undefined;
    let extras: Map<string, RubyValue> | undefined;
    if (hasIvars) {
      const n = this.count(2);
      this.nest();
      for (let i = 0; i < n; i++) {
        const name = this.symbolName();
        const v = this.read();
        const enc = encoding === undefined ? encodingFromIvar(name, v) : undefined;
        if (enc !== undefined) encoding = enc;
        else {
          extras ??= new Map();
          extras.set(name, v);
        }
      }
      this.depth--;
    }
    const re = this.makeRegexp(this.b, start, end, options, encoding ?? "ASCII-8BIT");
    const v = extras === undefined ? re : new RubyWithIvars(re, extras);
    this.objects[index] = v;
    return v;
  }

  private object(): RubyObject {
    const index = this.objects.length;
    this.objects.push(PENDING);
    const o = new RubyObject(this.symbolName());
    this.objects[index] = o;
    const n = this.count(2);
    this.nest();
    for (let i = 0; i < n; i++) {
      const name = this.symbolName();
      o.ivars.set(name, this.read());
    }
    this.depth--;
    return o;
  }

  private struct(): RubyStruct {
    const index = this.objects.length;
    this.objects.push(PENDING);
    const s = new RubyStruct(this.symbolName());
    this.objects[index] = s;
    const n = this.count(2);
    this.nest();
    for (let i = 0; i < n; i++) {
      const name = this.symbolName();
      s.members.set(name, this.read());
    }
    this.depth--;
    return s;
  }

  /** `u`: Ruby gives the object its index only after the data string and its ivars. */
  private userDefined(hasIvars: boolean): RubyUserDefined {
    const className = this.symbolName();
    const len = this.count(1);
    const start = this.pos;
    this.pos = start + len;
    const ivars = new Map<string, RubyValue>();
    if (hasIvars) {
      const n = this.count(2);
      this.nest();
      for (let i = 0; i < n; i++) {
        const name = this.symbolName();
        ivars.set(name, this.read());
      }
      this.depth--;
    }
    const u = new RubyUserDefined(
      className,
      this.ruby ? this.view(start, start + len) : this.copy(start, start + len),
      ivars,
    );
    this.objects.push(u);
    return u;
  }

  private userMarshal(): RubyUserMarshal {
    const u = new RubyUserMarshal(this.symbolName(), null);
    this.objects.push(u);
    this.nest();
    (u as { data: RubyValue }).data = this.read();
    this.depth--;
    return u;
  }

  private data(): RubyData {
    const d = new RubyData(this.symbolName(), null);
    this.objects.push(d);
    this.nest();
    (d as { data: RubyValue }).data = this.read();
    this.depth--;
    return d;
  }

  private classRef(kind: RubyClassRef["kind"], hasIvars: boolean): RubyClassRef {
    const len = this.count(1);
    const start = this.pos;
    const end = start + len;
    this.pos = end;
    let encoding: string | undefined;
    if (hasIvars) {
      const at = this.pos;
      const n = this.count(2);
      this.nest();
      for (let i = 0; i < n; i++) {
        const name = this.symbolName();
        const enc = encodingFromIvar(name, this.read());
        if (enc === undefined) throw new MarshalError(`instance variable ${name} on a ${kind} reference`, at);
        encoding = enc;
      }
      this.depth--;
    }
    // Ruby writes class paths as raw bytes (UTF-8 source text) without an encoding.
    const utf8 = encoding === undefined ? isValidUtf8(this.b, start, end) : encodingTag(encoding) === "utf8";
    const name = utf8 ? this.b.toString("utf8", start, end) : this.latin1(start, end);
    const c = new RubyClassRef(kind, name);
    this.objects.push(c);
    return c;
  }

  private extended(): RubyValue {
    const module = this.symbolName();
    this.nest();
    const before = this.objects.length;
    const inner = this.read();
    this.depth--;
    const wrapped =
      inner instanceof RubyExtended
        ? new RubyExtended([module, ...inner.modules], inner.value)
        : new RubyExtended([module], inner);
    this.replaceEntry(before, inner, wrapped);
    return wrapped;
  }

  private userClass(): RubyValue {
    const at = this.pos;
    const className = this.symbolName();
    this.nest();
    const before = this.objects.length;
    const inner = this.read();
    this.depth--;
    if (!canHoldIvars(inner)) throw new MarshalError(`user class ${className} around an immediate value`, at);
    const wrapped = new RubyUserClass(className, inner);
    this.replaceEntry(before, inner, wrapped);
    return wrapped;
  }
}

/** `:E => true/false` or `:encoding => "Name"`, as Ruby's sym2encidx reads them; else undefined. */
function encodingFromIvar(name: string | undefined, value: RubyValue): string | undefined {
  if (name === "E") {
    if (value === true) return "UTF-8";
    if (value === false) return "US-ASCII";
    return undefined;
  }
  if (name === "encoding") {
    if (typeof value === "string") return value;
    if (value instanceof RubyString) return value.toString();
    if (value instanceof Uint8Array)
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1");
  }
  return undefined;
}

function canHoldIvars(v: RubyValue): boolean {
  return !(
    v === null ||
    typeof v === "boolean" ||
    typeof v === "number" ||
    typeof v === "bigint" ||
    typeof v === "symbol" ||
    v instanceof RubyFloat ||
    v instanceof RubySymbol
  );
}

function coreOf(v: RubyValue): RubyValue {
  let cur = v;
  while (cur instanceof RubyExtended || cur instanceof RubyUserClass) cur = cur.value;
  return cur;
}

function rewrap(v: RubyValue, core: RubyValue): RubyValue {
  if (v instanceof RubyExtended) return new RubyExtended(v.modules, rewrap(v.value, core));
  if (v instanceof RubyUserClass) return new RubyUserClass(v.className, rewrap(v.value, core));
  return core;
}

import { MarshalEncodeError } from "@phobos/errors";
import { type EncodingTag, encodingTag } from "./encodings.js";
import { isFlonum, marshalFloatText } from "./float-format.js";
import { MAX_NESTING } from "./limits.js";
import { regexpEncoding, regexpSourceBytes, regexpWireOptions } from "./regexp-encoding.js";
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

const FIXNUM_MIN = -(2 ** 30);
const FIXNUM_LIMIT = 2 ** 30;
const SCRATCH_KEEP = 1 << 20;

/** Reused output buffer: dump writes here and copies the result out once. */
let scratch: Buffer = Buffer.allocUnsafe(16 * 1024);
let scratchBusy = false;

/**
 * Encodes a value as Ruby Marshal 4.8, numbering objects and symbols exactly
 * as Ruby 2.x/3.x does so that links (`@`, `;`) land on the same indices.
 * Values with no Ruby counterpart throw `MarshalEncodeError` with the path.
 */
export function dump(value: RubyValue): Buffer {
  // A Proxy getter could re-enter dump; it then gets a buffer of its own.
  const own = !scratchBusy;
  const d = new Dumper(own ? scratch : Buffer.allocUnsafe(1024));
  if (own) scratchBusy = true;
  try {
    d.buf[0] = 4;
    d.buf[1] = 8;
    d.pos = 2;
    d.write(value);
    const out = Buffer.allocUnsafe(d.pos);
    d.buf.copy(out, 0, 0, d.pos);
    return out;
  } catch (err) {
    const u = err instanceof Unencodable ? err : new Unencodable(`a malformed value (${errorText(err)})`);
    throw new MarshalEncodeError(`cannot dump ${u.what} at $${u.path.reverse().join("")}`);
  } finally {
    if (own) {
      if (d.buf !== scratch && d.buf.length <= SCRATCH_KEEP) scratch = d.buf;
      scratchBusy = false;
    }
  }
}

/** Thrown inside the dumper; containers add their path segment on the way out. */
class Unencodable extends Error {
  readonly path: string[] = [];

  constructor(readonly what: string) {
    super(what);
  }
}

/** Adds a path segment; any other failure below (a malformed wrapper object) becomes one too. */
function withPath(err: unknown, segment: string): Unencodable {
  const u = err instanceof Unencodable ? err : new Unencodable(`a malformed value (${errorText(err)})`);
  u.path.push(segment);
  return u;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class Dumper {
  pos = 0;
  private readonly objects = new Map<object, number>();
  private objectCount = 0;
  private floats: Map<number, number> | undefined;
  private readonly symbols = new Map<string, number>();
  private symbolCount = 0;
  private eSymbol = -1;
  private encodingNames: Map<string, number> | undefined;
  private depth = 0;

  constructor(public buf: Buffer) {}

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private byte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = b;
  }

  /** Ruby's w_long; callers have reserved 5 bytes. */
  private long(x: number): void {
    const buf = this.buf;
    if (x === 0) {
      buf[this.pos++] = 0;
    } else if (x > 0 && x < 123) {
      buf[this.pos++] = x + 5;
    } else if (x < 0 && x > -124) {
      buf[this.pos++] = (x - 5) & 0xff;
    } else {
      if (x >= 2 ** 31 || x < -(2 ** 31))
        throw new Unencodable(`a length or index too big for Marshal (${x})`);
      const head = this.pos++;
      let v = x | 0;
      for (let i = 1; i <= 4; i++) {
        buf[this.pos++] = v & 0xff;
        v >>= 8;
        if (v === 0) {
          buf[head] = i;
          return;
        }
        if (v === -1) {
          buf[head] = 256 - i;
          return;
        }
      }
    }
  }

  private bytes(b: Uint8Array): void {
    this.ensure(b.length + 5);
    this.long(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Writes a short all-ASCII `s` as length + bytes and returns true; otherwise writes nothing. */
  private asciiText(s: string): boolean {
    const n = s.length;
    if (n >= 123) return false;
    this.ensure(n + 1);
    const buf = this.buf;
    const head = this.pos;
    let p = head + 1;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return false;
      buf[p++] = c;
    }
    buf[head] = n === 0 ? 0 : n + 5;
    this.pos = p;
    return true;
  }

  /** Writes `s` as length + bytes, UTF-8 or latin1. */
  private text(s: string, latin1: boolean): void {
    if (this.asciiText(s)) return;
    const n = s.length;
    const len = latin1 ? n : Buffer.byteLength(s, "utf8");
    this.ensure(len + 5);
    this.long(len);
    this.pos += this.buf.write(s, this.pos, len, latin1 ? "latin1" : "utf8");
  }

  private nest(): void {
    if (++this.depth > MAX_NESTING)
      throw new Unencodable(`a structure nested deeper than ${MAX_NESTING} levels`);
  }

  write(v: RubyValue): void {
    switch (typeof v) {
      case "string":
        this.jsString(v);
        return;
      case "number":
        this.number(v);
        return;
      case "symbol":
        this.symbol(symbolName(v));
        return;
      case "boolean":
        this.byte(v ? 0x54 : 0x46);
        return;
      case "bigint":
        this.bigint(v);
        return;
      case "object":
        if (v === null) this.byte(0x30);
        else this.object(v);
        return;
      default:
        throw new Unencodable(describe(v));
    }
  }

  private object(v: object): void {
    const seen = this.objects.get(v);
    if (seen !== undefined) {
      this.ensure(6);
      this.buf[this.pos++] = 0x40;
      this.long(seen);
      return;
    }
    if (v instanceof Map) this.hash(v);
    else if (Array.isArray(v)) this.array(v);
    else if (v instanceof RubyString) this.rubyString(v);
    else if (v instanceof Uint8Array) this.binary(v);
    else if (v instanceof RubyFloat) this.float(v.value, v);
    else if (v instanceof RubyWithIvars || v instanceof RubyUserClass || v instanceof RubyExtended)
      this.composite(v);
    else if (v instanceof RubySymbol) this.rubySymbol(v);
    else if (v instanceof RubyRegexp) this.regexp(v);
    else if (v instanceof RubyObject) this.rubyObject(v);
    else if (v instanceof RubyStruct) this.struct(v);
    else if (v instanceof RubyUserDefined) this.userDefined(v, undefined);
    else if (v instanceof RubyUserMarshal) this.wrapsValue(v, 0x55, v.className, v.data);
    else if (v instanceof RubyData) this.wrapsValue(v, 0x64, v.className, v.data);
    else if (v instanceof RubyClassRef) this.classRef(v);
    else throw new Unencodable(describe(v));
  }

  // ---- strings and symbols ------------------------------------------------

  private jsString(s: string): void {
    this.objectCount++;
    this.ensure(2);
    this.buf[this.pos++] = 0x49;
    this.buf[this.pos++] = 0x22;
    this.text(s, false);
    this.byte(6);
    this.encodingIvar("utf8", "UTF-8");
  }

  private binary(b: Uint8Array): void {
    this.objects.set(b, this.objectCount++);
    this.byte(0x22);
    this.bytes(b);
  }

  private rubyString(s: RubyString): void {
    this.objects.set(s, this.objectCount++);
    const tag = encodingTag(s.encoding);
    if (tag === "binary") {
      this.byte(0x22);
      this.bytes(s.bytes);
      return;
    }
    this.ensure(2);
    this.buf[this.pos++] = 0x49;
    this.buf[this.pos++] = 0x22;
    this.bytes(s.bytes);
    this.byte(6);
    this.encodingIvar(tag, s.encoding);
  }

  /** The `:E`/`:encoding` pair of an `I` block (count already written). */
  private encodingIvar(tag: EncodingTag, name: string): void {
    if (tag === "utf8" || tag === "ascii") {
      // `:E` follows nearly every String: keep its index at hand rather than look it up each time.
      if (this.eSymbol < 0) {
        this.symbol("E");
        this.eSymbol = this.symbols.get("E") as number;
      } else {
        this.ensure(6);
        this.buf[this.pos++] = 0x3b;
        this.long(this.eSymbol);
      }
      this.byte(tag === "utf8" ? 0x54 : 0x46);
    } else {
      this.symbol("encoding");
      this.encodingName(name);
    }
  }

  /** Ruby dumps one name String per encoding and links to it afterwards. */
  private encodingName(name: string): void {
    this.encodingNames ??= new Map();
    const key = name.toLowerCase();
    const seen = this.encodingNames.get(key);
    this.ensure(6);
    if (seen !== undefined) {
      this.buf[this.pos++] = 0x40;
      this.long(seen);
      return;
    }
    this.encodingNames.set(key, this.objectCount++);
    this.buf[this.pos++] = 0x22;
    this.text(name, true);
  }

  private symbol(name: string): void {
    const seen = this.symbols.get(name);
    this.ensure(6);
    if (seen !== undefined) {
      this.buf[this.pos++] = 0x3b;
      this.long(seen);
      return;
    }
    this.symbols.set(name, this.symbolCount++);
    this.buf[this.pos++] = 0x3a;
    if (this.asciiText(name)) return;
    if (isAscii(name)) {
      this.text(name, true);
      return;
    }
    this.buf[this.pos - 1] = 0x49;
    this.byte(0x3a);
    this.text(name, false);
    this.byte(6);
    this.encodingIvar("utf8", "UTF-8");
  }

  private rubySymbol(s: RubySymbol): void {
    const bytes = Buffer.from(s.bytes.buffer, s.bytes.byteOffset, s.bytes.byteLength);
    const tag = encodingTag(s.encoding);
    if (isAsciiBytes(bytes)) {
      this.symbol(bytes.toString("latin1"));
      return;
    }
    if (tag === "utf8") {
      this.symbol(bytes.toString("utf8"));
      return;
    }
    // Keyed apart from UTF-8 names: the same bytes in another encoding are another Symbol.
    const key = `\u0000${s.encoding}\u0000${bytes.toString("latin1")}`;
    const seen = this.symbols.get(key);
    this.ensure(6);
    if (seen !== undefined) {
      this.buf[this.pos++] = 0x3b;
      this.long(seen);
      return;
    }
    if (tag !== "binary") this.buf[this.pos++] = 0x49;
    this.buf[this.pos++] = 0x3a;
    this.symbols.set(key, this.symbolCount++);
    this.bytes(bytes);
    if (tag !== "binary") {
      this.byte(6);
      this.encodingIvar(tag, s.encoding);
    }
  }

  // ---- numbers ------------------------------------------------------------

  private number(n: number): void {
    if (Number.isInteger(n)) {
      if (n >= FIXNUM_MIN && n < FIXNUM_LIMIT) {
        this.ensure(6);
        this.buf[this.pos++] = 0x69;
        this.long(n | 0);
      } else {
        this.bignum(n < 0, Math.abs(n) <= Number.MAX_SAFE_INTEGER ? Math.abs(n) : BigInt(Math.abs(n)));
      }
      return;
    }
    this.float(n, undefined);
  }

  private bigint(n: bigint): void {
    if (n >= FIXNUM_MIN && n < FIXNUM_LIMIT) {
      this.ensure(6);
      this.buf[this.pos++] = 0x69;
      this.long(Number(n));
      return;
    }
    const negative = n < 0n;
    const abs = negative ? -n : n;
    this.bignum(negative, abs <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(abs) : abs);
  }

  /** `l`: sign, length in 16-bit words, magnitude little-endian. Each one is a new object to Ruby. */
  private bignum(negative: boolean, abs: number | bigint): void {
    this.objectCount++;
    let le: number[];
    if (typeof abs === "number") {
      le = [];
      let x = abs;
      while (x > 0) {
        le.push(x % 256);
        x = Math.floor(x / 256);
      }
    } else {
      let hex = abs.toString(16);
      if (hex.length & 1) hex = `0${hex}`;
      le = new Array<number>(hex.length / 2);
      for (let i = 0, j = hex.length - 2; j >= 0; i++, j -= 2)
        le[i] = Number.parseInt(hex.slice(j, j + 2), 16);
    }
    if (le.length & 1) le.push(0);
    this.ensure(le.length + 8);
    const buf = this.buf;
    buf[this.pos++] = 0x6c;
    buf[this.pos++] = negative ? 0x2d : 0x2b;
    this.long(le.length / 2);
    for (const b of le) buf[this.pos++] = b;
  }

  private float(x: number, holder: RubyFloat | undefined): void {
    if (isFlonum(x)) {
      this.floats ??= new Map();
      const seen = this.floats.get(x);
      if (seen !== undefined) {
        this.ensure(6);
        this.buf[this.pos++] = 0x40;
        this.long(seen);
        return;
      }
      this.floats.set(x, this.objectCount);
    }
    if (holder !== undefined) this.objects.set(holder, this.objectCount);
    this.objectCount++;
    this.byte(0x66);
    this.text(marshalFloatText(x), true);
  }

  // ---- containers ---------------------------------------------------------

  private array(a: RubyValue[]): void {
    this.objects.set(a, this.objectCount++);
    const n = a.length;
    this.ensure(6);
    this.buf[this.pos++] = 0x5b;
    this.long(n);
    this.nest();
    let i = 0;
    try {
      for (; i < n; i++) this.write(a[i] as RubyValue);
    } catch (err) {
      throw withPath(err, `[${i}]`);
    }
    this.depth--;
  }

  private hash(m: Map<RubyValue, RubyValue>): void {
    this.objects.set(m, this.objectCount++);
    const withDefault = m instanceof RubyHash && m.defaultValue !== null && m.defaultValue !== undefined;
    this.ensure(6);
    this.buf[this.pos++] = withDefault ? 0x7d : 0x7b;
    this.long(m.size);
    this.nest();
    let key: RubyValue = null;
    let stage: "key" | "value" | "default" = "key";
    try {
      for (const [k, v] of m) {
        key = k;
        stage = "key";
        this.write(k);
        stage = "value";
        this.write(v);
      }
      if (withDefault) {
        stage = "default";
        this.write((m as RubyHash).defaultValue);
      }
    } catch (err) {
      throw withPath(
        err,
        stage === "default" ? ".default" : stage === "key" ? `{key ${label(key)}}` : `[${label(key)}]`,
      );
    }
    this.depth--;
  }

  private ivarList(ivars: Map<string, RubyValue>): void {
    let name = "";
    try {
      for (const [k, v] of ivars) {
        name = k;
        this.symbol(k);
        this.write(v);
      }
    } catch (err) {
      throw withPath(err, `.${name}`);
    }
  }

  private regexp(r: RubyRegexp): void {
    this.objects.set(r, this.objectCount++);
    const encoding = regexpEncoding(r);
    const tag = encodingTag(encoding);
    this.ensure(2);
    if (tag !== "binary") this.buf[this.pos++] = 0x49;
    this.buf[this.pos++] = 0x2f;
    this.bytes(regexpSourceBytes(r));
    this.byte(regexpWireOptions(r));
    if (tag !== "binary") {
      this.byte(6);
      this.encodingIvar(tag, encoding);
    }
  }

  private rubyObject(o: RubyObject): void {
    this.objects.set(o, this.objectCount++);
    this.byte(0x6f);
    this.symbol(o.className);
    this.ensure(5);
    this.long(o.ivars.size);
    this.nest();
    this.ivarList(o.ivars);
    this.depth--;
  }

  private struct(s: RubyStruct): void {
    this.objects.set(s, this.objectCount++);
    this.byte(0x53);
    this.symbol(s.className);
    this.ensure(5);
    this.long(s.members.size);
    this.nest();
    this.ivarList(s.members);
    this.depth--;
  }

  /** `u`: Ruby numbers it after its data and ivars, unlike every other object. */
  private userDefined(
    u: RubyUserDefined,
    extra: Map<string, RubyValue> | undefined,
    alsoKnownAs: object[] = [],
  ): void {
    const count = u.ivars.size + (extra?.size ?? 0);
    if (count > 0 && alsoKnownAs.length === 0) this.byte(0x49);
    this.byte(0x75);
    this.symbol(u.className);
    this.bytes(u.data);
    if (count > 0) {
      this.ensure(5);
      this.long(count);
      this.nest();
      let name = "";
      try {
        for (const [k, v] of u.ivars) {
          name = k;
          this.symbol(k);
          const enc = k === "encoding" ? stringText(v) : undefined;
          if (enc !== undefined) this.encodingName(enc);
          else this.write(v);
        }
      } catch (err) {
        throw withPath(err, `.${name}`);
      }
      if (extra) this.ivarList(extra);
      this.depth--;
    }
    const index = this.objectCount++;
    this.objects.set(u, index);
    for (const o of alsoKnownAs) this.objects.set(o, index);
  }

  private wrapsValue(o: RubyUserMarshal | RubyData, type: number, className: string, data: RubyValue): void {
    this.objects.set(o, this.objectCount++);
    this.byte(type);
    this.symbol(className);
    this.nest();
    try {
      this.write(data);
    } catch (err) {
      throw withPath(err, type === 0x55 ? ".marshal_dump" : "._dump_data");
    }
    this.depth--;
  }

  /** Ruby 3.1 writes the class path's bytes with no encoding ivar, even when not ASCII. */
  private classRef(c: RubyClassRef): void {
    this.objects.set(c, this.objectCount++);
    this.byte(c.kind === "class" ? 0x63 : c.kind === "module" ? 0x6d : 0x4d);
    this.text(c.name, false);
  }

  /**
   * `I`, `e` and `C` around one object. On the wire `I` comes first, then the
   * `e` modules, then `C`, then the object without its ivars, then one ivar
   * list whose first entry is the core String's or Regexp's encoding.
   */
  private composite(top: RubyWithIvars | RubyUserClass | RubyExtended): void {
    let extras: Map<string, RubyValue> | undefined;
    let inner: RubyValue = top;
    if (top instanceof RubyWithIvars) {
      extras = top.ivars.size > 0 ? top.ivars : undefined;
      inner = top.value;
    }
    const layers: (RubyExtended | RubyUserClass)[] = [];
    let core = inner;
    while (core instanceof RubyExtended || core instanceof RubyUserClass) {
      layers.push(core);
      core = core.value;
    }
    const aliases: object[] = [top, ...layers];
    if (typeof core === "object" && core !== null) {
      const seen = this.objects.get(core);
      if (seen !== undefined) {
        for (const o of aliases) this.objects.set(o, seen);
        this.ensure(6);
        this.buf[this.pos++] = 0x40;
        this.long(seen);
        return;
      }
    }
    if (
      core === null ||
      typeof core === "boolean" ||
      typeof core === "number" ||
      typeof core === "bigint" ||
      typeof core === "symbol" ||
      core instanceof RubyFloat ||
      core instanceof RubySymbol
    ) {
      throw new Unencodable(`instance variables or a class on an immediate value (${describe(core)})`);
    }
    let encTag: EncodingTag | undefined;
    let encName = "";
    if (typeof core === "string") {
      encTag = "utf8";
    } else if (core instanceof RubyString) {
      encName = core.encoding;
      encTag = encodingTag(encName);
    } else if (core instanceof RubyRegexp) {
      encName = regexpEncoding(core);
      encTag = encodingTag(encName);
    }
    if (encTag === "binary") encTag = undefined;
    if (core instanceof RubyUserDefined) {
      const hasIvars = core.ivars.size > 0 || extras !== undefined;
      if (hasIvars) this.byte(0x49);
      this.prefixes(layers);
      this.userDefined(core, extras, aliases);
      return;
    }
    const count = (encTag === undefined ? 0 : 1) + (extras?.size ?? 0);
    if (count > 0) this.byte(0x49);
    this.prefixes(layers);
    const index = this.objectCount;
    for (const o of aliases) this.objects.set(o, index);
    this.nest();
    this.coreBody(core);
    if (count > 0) {
      this.ensure(5);
      this.long(count);
      if (encTag !== undefined) this.encodingIvar(encTag, encName);
      if (extras !== undefined) this.ivarList(extras);
    }
    this.depth--;
  }

  private prefixes(layers: (RubyExtended | RubyUserClass)[]): void {
    for (const layer of layers) {
      if (layer instanceof RubyExtended) {
        for (const m of layer.modules) {
          this.byte(0x65);
          this.symbol(m);
        }
      } else {
        this.byte(0x43);
        this.symbol(layer.className);
      }
    }
  }

  /** An object inside `composite`, without the ivars its own writer would add. */
  private coreBody(core: RubyValue): void {
    if (typeof core === "string") {
      this.objectCount++;
      this.byte(0x22);
      this.text(core, false);
    } else if (core instanceof RubyString || core instanceof Uint8Array) {
      const bytes = core instanceof RubyString ? core.bytes : core;
      this.objects.set(core, this.objectCount++);
      this.byte(0x22);
      this.bytes(bytes);
    } else if (core instanceof RubyRegexp) {
      this.objects.set(core, this.objectCount++);
      this.byte(0x2f);
      this.bytes(regexpSourceBytes(core));
      this.byte(regexpWireOptions(core));
    } else {
      this.write(core);
    }
  }
}

function symbolName(s: symbol): string {
  const name = s.description;
  if (name === undefined) throw new Unencodable("a JS symbol without a description");
  return name;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

function isAsciiBytes(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if ((b[i] as number) >= 0x80) return false;
  return true;
}

function stringText(v: RubyValue): string | undefined {
  if (typeof v === "string") return v;
  if (v instanceof RubyString) return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("latin1");
  return undefined;
}

function describe(v: unknown): string {
  if (v === undefined) return "undefined";
  if (typeof v === "function") return "a function";
  if (typeof v !== "object" || v === null) return typeof v;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null)
    return "a plain object (use fromNatural to turn it into a Map)";
  const name = (proto as { constructor?: { name?: string } }).constructor?.name;
  return `an instance of ${name || "an anonymous class"}`;
}

function label(k: RubyValue): string {
  if (typeof k === "symbol") return `:${k.description ?? ""}`;
  if (typeof k === "string") return JSON.stringify(k);
  if (k instanceof RubyString) return JSON.stringify(k.toString());
  if (typeof k === "number" || typeof k === "bigint" || typeof k === "boolean" || k === null)
    return String(k);
  return describe(k);
}

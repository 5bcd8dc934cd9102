import { rubyFloatToS } from "../float-to-s.js";
import {
  type CharFamily,
  charFamily,
  charLength,
  codePointAt,
  encodingTag,
  isUnicodeFamily,
  minCharLength,
} from "./encodings.js";
import { regexpEncoding, regexpSourceBytes } from "./regexp-encoding.js";
import { isBareSymbolName } from "./symbol-name.js";
import {
  RubyClassRef,
  RubyData,
  RubyExtended,
  RubyFloat,
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
import { isPrintableCodePoint } from "./unicode-print.js";

export interface InspectOptions {
  /**
   * Stop once the text reaches this many characters and end it with "...".
   * Shared objects print in full at each place, as in Ruby, so a small
   * hostile message can describe an astronomically long inspect; callers that
   * log peer data should pass a small limit. Default 4 Mi characters.
   */
  maxLength?: number;
}

const DEFAULT_MAX_LENGTH = 4 * 1024 * 1024;

/**
 * Ruby 3.1's `#inspect` of a value, as `p` prints it with a UTF-8 locale:
 * `{:agent=>"rpcutil", "fact"=>[], :f=>0.0, :big=>12345678901234567890}`.
 * Strings escape exactly as Ruby does for their encoding. Objects whose Ruby
 * inspect shows a memory address print without it: `#<Foo @a=1>`.
 */
export function inspect(value: RubyValue, options?: InspectOptions): string {
  const limit = options?.maxLength ?? DEFAULT_MAX_LENGTH;
  const p = new Printer(limit);
  p.value(value);
  return p.text.length > limit ? `${p.text.slice(0, Math.max(0, limit - 3))}...` : p.text;
}

class Printer {
  text = "";
  private readonly open = new Set<object>();

  constructor(private readonly limit: number) {}

  private get full(): boolean {
    return this.text.length > this.limit;
  }

  /** Characters a string may still add before the text is cut: past them, inspecting it is wasted. */
  private get room(): number {
    return this.limit - this.text.length;
  }

  private seq(items: Iterable<RubyValue>, each: (item: RubyValue) => void): void {
    let first = true;
    for (const item of items) {
      if (this.full) return;
      if (!first) this.text += ", ";
      first = false;
      each(item);
    }
  }

  value(v: RubyValue): void {
    if (this.full) return;
    switch (typeof v) {
      case "string":
        this.text += inspectString(v, this.room);
        return;
      case "number":
        this.text += inspectNumber(v);
        return;
      case "boolean":
        this.text += v ? "true" : "false";
        return;
      case "bigint":
        this.text += v.toString();
        return;
      case "symbol":
        this.text += inspectSymbol(v.description ?? "");
        return;
      case "object":
        break;
      default:
        this.text += String(v);
        return;
    }
    if (v === null) this.text += "nil";
    else if (v instanceof RubyString) this.text += inspectBytes(v.bytes, v.encoding, this.room);
    else if (v instanceof Uint8Array) this.text += inspectBytes(v, "ASCII-8BIT", this.room);
    else if (v instanceof RubyFloat) this.text += rubyFloatToS(v.value);
    else if (v instanceof RubySymbol) this.text += inspectRubySymbol(v);
    else if (v instanceof RubyRegexp) this.text += inspectRegexp(v);
    else if (v instanceof RubyClassRef) this.text += v.name;
    else if (v instanceof RubyWithIvars || v instanceof RubyUserClass || v instanceof RubyExtended)
      this.value(v.value);
    else if (v instanceof RubyUserDefined)
      this.text += `#<${v.className} _dump=${inspectBytes(v.data, "ASCII-8BIT")}>`;
    else this.container(v);
  }

  private container(v: object): void {
    const open = this.open;
    if (Array.isArray(v)) {
      if (open.has(v)) {
        this.text += "[...]";
        return;
      }
      open.add(v);
      this.text += "[";
      this.seq(v, (item) => this.value(item));
      this.text += "]";
    } else if (v instanceof Map) {
      if (v.size === 0) {
        this.text += "{}";
        return;
      }
      if (open.has(v)) {
        this.text += "{...}";
        return;
      }
      open.add(v);
      this.text += "{";
      let first = true;
      for (const [k, val] of v) {
        if (this.full) break;
        if (!first) this.text += ", ";
        first = false;
        this.value(k);
        this.text += "=>";
        this.value(val);
      }
      this.text += "}";
    } else if (v instanceof RubyStruct || v instanceof RubyObject) {
      const struct = v instanceof RubyStruct;
      if (open.has(v)) {
        this.text += struct ? `#<struct ${v.className}:...>` : `#<${v.className} ...>`;
        return;
      }
      open.add(v);
      const fields = struct ? v.members : v.ivars;
      this.text += struct ? `#<struct ${v.className}` : `#<${v.className}`;
      let first = true;
      for (const [k, val] of fields) {
        if (this.full) break;
        this.text += first ? " " : ", ";
        first = false;
        this.text += `${k}=`;
        this.value(val);
      }
      this.text += ">";
    } else if (v instanceof RubyUserMarshal || v instanceof RubyData) {
      if (open.has(v)) {
        this.text += `#<${v.className} ...>`;
        return;
      }
      open.add(v);
      this.text += `#<${v.className} ${v instanceof RubyData ? "_dump_data" : "marshal_dump"}=`;
      this.value(v.data);
      this.text += ">";
    } else {
      this.text += String(v);
      return;
    }
    open.delete(v);
  }
}

function inspectNumber(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n === 0 ? 0 : n) : BigInt(n).toString();
  return rubyFloatToS(n);
}

// ---- strings --------------------------------------------------------------

const PLAIN = /^[ !$-[\]-~]*$/;

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, "0");
}

function specialEscape(c: number): string | undefined {
  switch (c) {
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x0c:
      return "\\f";
    case 0x0b:
      return "\\v";
    case 0x08:
      return "\\b";
    case 0x07:
      return "\\a";
    case 0x1b:
      return "\\e";
    default:
      return undefined;
  }
}

/** rb_str_buf_cat_escaped_char */
function escapedChar(c: number, unicode: boolean): string {
  if (unicode) {
    if (c < 0x7f && c >= 0x20) return String.fromCharCode(c);
    return c < 0x10000 ? `\\u${hex(c, 4)}` : `\\u{${hex(c, 1)}}`;
  }
  return c < 0x100 ? `\\x${hex(c, 2)}` : `\\x{${hex(c, 1)}}`;
}

/**
 * A UTF-8 String (every JS string is one to Ruby). With `maxLength`, stops
 * (unterminated) once the text is longer: a caller that cuts it there gets
 * the same text without building the rest, which for a string of megabytes
 * costs tens of bytes per character.
 */
export function inspectString(s: string, maxLength = Number.POSITIVE_INFINITY): string {
  if (PLAIN.test(s)) return `"${s}"`;
  let out = '"';
  const n = s.length;
  for (let i = 0; i < n; ) {
    if (out.length > maxLength) return out;
    const c = s.codePointAt(i) as number;
    i += c > 0xffff ? 2 : 1;
    if (c === 0x22 || c === 0x5c) {
      out += `\\${String.fromCharCode(c)}`;
      continue;
    }
    if (c === 0x23) {
      const d = s.charCodeAt(i);
      out += i < n && (d === 0x24 || d === 0x40 || d === 0x7b) ? "\\#" : "#";
      continue;
    }
    const special = specialEscape(c);
    if (special !== undefined) out += special;
    else if (c >= 0xd800 && c <= 0xdfff) out += escapedChar(c, true);
    else if (isPrintableCodePoint(c)) out += String.fromCodePoint(c);
    else out += escapedChar(c, true);
  }
  return `${out}"`;
}

/**
 * A String with explicit bytes and encoding (rb_str_inspect, with UTF-8 as
 * the output encoding). `maxLength` as for {@link inspectString}.
 */
export function inspectBytes(
  bytes: Uint8Array,
  encoding: string,
  maxLength = Number.POSITIVE_INFINITY,
): string {
  const family = charFamily(encoding);
  // Ruby shows characters as themselves only in the output encoding (UTF-8 here).
  const isOutputEncoding = encodingTag(encoding) === "utf8";
  const unicode = isUnicodeFamily(family);
  const asciiCompatible = !(family.startsWith("utf") && family !== "utf8");
  let out = '"';
  const end = bytes.length;
  for (let i = 0; i < end; ) {
    if (out.length > maxLength) return out;
    const n = charLength(family, bytes, i, end);
    if (n === 0) {
      const m = Math.min(minCharLength(family), end - i);
      for (let k = 0; k < m; k++) out += `\\x${hex(bytes[i + k] as number, 2)}`;
      i += m;
      continue;
    }
    const c = codePointAt(family, bytes, i, n);
    i += n;
    if (asciiCompatible || unicode) {
      let escapeIt = c === 0x22 || c === 0x5c;
      if (c === 0x23 && i < end) {
        const nn = charLength(family, bytes, i, end);
        if (nn > 0) {
          const d = codePointAt(family, bytes, i, nn);
          escapeIt = d === 0x24 || d === 0x40 || d === 0x7b;
        }
      }
      if (escapeIt) {
        out += "\\";
        if (asciiCompatible || isOutputEncoding) {
          out += String.fromCharCode(c);
          continue;
        }
      }
    }
    const special = specialEscape(c);
    if (special !== undefined) {
      out += special;
      continue;
    }
    if ((isOutputEncoding && isPrintableCodePoint(c)) || (asciiCompatible && c >= 0x20 && c < 0x7f)) {
      out += String.fromCodePoint(c);
      continue;
    }
    out += escapedChar(c, unicode);
  }
  return `${out}"`;
}

// ---- symbols --------------------------------------------------------------

export function inspectSymbol(name: string): string {
  return isBareSymbolName(name) ? `:${name}` : `:${inspectString(name)}`;
}

function inspectRubySymbol(s: RubySymbol): string {
  const bytes = s.bytes;
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) >= 0x80) ascii = false;
  if (ascii || encodingTag(s.encoding) === "utf8") return inspectSymbol(s.toString());
  // A non-ASCII Symbol outside the output encoding is always quoted.
  return `:${inspectBytes(bytes, s.encoding)}`;
}

// ---- regexps --------------------------------------------------------------

function inspectRegexp(re: RubyRegexp): string {
  const encoding = regexpEncoding(re);
  const bytes = regexpSourceBytes(re);
  let flags = "";
  if (re.options & 4) flags += "m";
  if (re.options & 1) flags += "i";
  if (re.options & 2) flags += "x";
  if (re.options & 32) flags += "n";
  return `/${regexpSource(bytes, encoding)}/${flags}`;
}

function isAsciiSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** rb_reg_expr_str with `/` as the terminator. */
function regexpSource(b: Uint8Array, encoding: string): string {
  const family: CharFamily = charFamily(encoding);
  const isOutputEncoding = encodingTag(encoding) === "utf8";
  const asciiCompatible = !(family.startsWith("utf") && family !== "utf8");
  const end = b.length;
  let needEscape = !asciiCompatible;
  for (let i = 0; i < end && !needEscape; ) {
    const n = charLength(family, b, i, end);
    if (n === 0) needEscape = true;
    else {
      const c = b[i] as number;
      if (c >= 0x80 || n > 1) {
        if (!isOutputEncoding) needEscape = true;
      } else if (c === 0x2f || c < 0x20 || c === 0x7f) needEscape = true;
      i += n;
    }
  }
  if (!needEscape)
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString(isOutputEncoding ? "utf8" : "latin1");
  const unicode = isUnicodeFamily(family);
  let out = "";
  for (let i = 0; i < end; ) {
    const c = b[i] as number;
    const ascii = c < 0x80 && asciiCompatible;
    if (ascii && c === 0x5c && i + 1 < end) {
      const n = 1 + Math.max(1, charLength(family, b, i + 1, end));
      out += sliceText(b, i, Math.min(end, i + n), isOutputEncoding);
      i += n;
      continue;
    }
    if (!ascii) {
      const n = charLength(family, b, i, end);
      if (n === 0) {
        out += `\\x${hex(c, 2)}`;
        i += 1;
      } else {
        out += escapedChar(codePointAt(family, b, i, n), unicode);
        i += n;
      }
      continue;
    }
    if (c === 0x2f) out += "\\/";
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else if (!isAsciiSpace(c)) out += `\\x${hex(c, 2)}`;
    else out += String.fromCharCode(c);
    i += 1;
  }
  return out;
}

function sliceText(b: Uint8Array, start: number, end: number, utf8: boolean): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString(utf8 ? "utf8" : "latin1");
}

/**
 * What the codec needs to know about Ruby encodings: which ivar Marshal writes
 * for one, how to turn its bytes into JS text, and where its characters begin
 * and end (for `inspect`, which escapes per character, not per byte).
 */

/** How Marshal tags a String's encoding: `:E` true/false, none, or `:encoding` "Name". */
export type EncodingTag = "utf8" | "ascii" | "binary" | "named";

export function encodingTag(name: string): EncodingTag {
  switch (name) {
    case "UTF-8":
      return "utf8";
    case "US-ASCII":
      return "ascii";
    case "ASCII-8BIT":
      return "binary";
  }
  switch (name.toUpperCase()) {
    case "UTF-8":
    case "CP65001":
      return "utf8";
    case "US-ASCII":
    case "ASCII":
    case "ANSI_X3.4-1968":
    case "646":
      return "ascii";
    case "ASCII-8BIT":
    case "BINARY":
      return "binary";
    default:
      return "named";
  }
}

/**
 * Character layout families. `utf8` and the UTF-16/32 ones are Unicode (Ruby
 * escapes their characters as `\u`); the CJK ones are multibyte with
 * `\x{…}` escapes; everything else is one byte per character.
 */
export type CharFamily =
  | "utf8"
  | "utf16le"
  | "utf16be"
  | "utf32le"
  | "utf32be"
  | "sjis"
  | "eucjp"
  | "euc"
  | "dbcs"
  | "gb18030"
  | "single";

const families = new Map<string, CharFamily>();

function addFamily(family: CharFamily, names: string[]): void {
  for (const n of names) families.set(n.toUpperCase(), family);
}

addFamily("utf8", [
  "UTF-8",
  "CP65001",
  "UTF8-MAC",
  "UTF-8-MAC",
  "UTF-8-HFS",
  "CESU-8",
  "UTF8-DoCoMo",
  "UTF8-KDDI",
  "UTF8-SoftBank",
]);
addFamily("utf16le", ["UTF-16LE"]);
addFamily("utf16be", ["UTF-16BE", "UCS-2BE", "UTF-16"]);
addFamily("utf32le", ["UTF-32LE", "UCS-4LE"]);
addFamily("utf32be", ["UTF-32BE", "UCS-4BE", "UTF-32"]);
addFamily("sjis", [
  "Shift_JIS",
  "Windows-31J",
  "CP932",
  "csWindows31J",
  "SJIS",
  "PCK",
  "MacJapanese",
  "MacJapan",
  "SJIS-DoCoMo",
  "SJIS-KDDI",
  "SJIS-SoftBank",
]);
addFamily("eucjp", [
  "EUC-JP",
  "eucJP",
  "eucJP-ms",
  "euc-jp-ms",
  "CP51932",
  "EUC-JIS-2004",
  "EUC-JISX0213",
  "EUC-JP-2004",
]);
addFamily("euc", ["EUC-KR", "eucKR", "EUC-CN", "eucCN", "GB2312", "EUC-TW", "eucTW", "GB12345"]);
addFamily("dbcs", ["GBK", "CP936", "CP949", "Big5", "CP950", "CP951", "Big5-HKSCS", "Big5-UAO"]);
addFamily("gb18030", ["GB18030"]);

export function charFamily(encoding: string): CharFamily {
  return families.get(encoding.toUpperCase()) ?? "single";
}

export function isUnicodeFamily(family: CharFamily): boolean {
  return family === "utf8" || family.startsWith("utf");
}

/** Bytes of a UTF-8 character starting at `i` (Ruby's rules: no overlongs, no surrogates), or 0. */
export function utf8CharLength(b: Uint8Array, i: number, end: number): number {
  const c = b[i] as number;
  if (c < 0x80) return 1;
  if (c < 0xc2) return 0;
  const c1 = i + 1 < end ? (b[i + 1] as number) : -1;
  if (c < 0xe0) return c1 >= 0x80 && c1 <= 0xbf ? 2 : 0;
  const c2 = i + 2 < end ? (b[i + 2] as number) : -1;
  if (c < 0xf0) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return c1 >= lo && c1 <= hi && c2 >= 0x80 && c2 <= 0xbf ? 3 : 0;
  }
  if (c > 0xf4) return 0;
  const c3 = i + 3 < end ? (b[i + 3] as number) : -1;
  const lo = c === 0xf0 ? 0x90 : 0x80;
  const hi = c === 0xf4 ? 0x8f : 0xbf;
  return c1 >= lo && c1 <= hi && c2 >= 0x80 && c2 <= 0xbf && c3 >= 0x80 && c3 <= 0xbf ? 4 : 0;
}

/**
 * Length of the character at `i` in `family`, or 0 when the bytes there are
 * not a valid character (Ruby then escapes them one minimum-length unit at a time).
 */
export function charLength(family: CharFamily, b: Uint8Array, i: number, end: number): number {
  const c = b[i] as number;
  const at = (k: number): number => (i + k < end ? (b[i + k] as number) : -1);
  switch (family) {
    case "utf8":
      return utf8CharLength(b, i, end);
    case "utf16le":
    case "utf16be": {
      if (i + 2 > end) return 0;
      const unit = family === "utf16le" ? c | (at(1) << 8) : (c << 8) | at(1);
      if (unit < 0xd800 || unit > 0xdfff) return 2;
      if (unit > 0xdbff || i + 4 > end) return 0;
      const next = family === "utf16le" ? at(2) | (at(3) << 8) : (at(2) << 8) | at(3);
      return next >= 0xdc00 && next <= 0xdfff ? 4 : 0;
    }
    case "utf32le":
    case "utf32be": {
      if (i + 4 > end) return 0;
      const cp = codePointAt(family, b, i, 4);
      return cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : 4;
    }
    case "sjis":
      if ((c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc)) {
        const t = at(1);
        return (t >= 0x40 && t <= 0x7e) || (t >= 0x80 && t <= 0xfc) ? 2 : 0;
      }
      return 1;
    case "eucjp":
      if (c === 0x8e) return at(1) >= 0xa1 && at(1) <= 0xfe ? 2 : 0;
      if (c === 0x8f) return at(1) >= 0xa1 && at(1) <= 0xfe && at(2) >= 0xa1 && at(2) <= 0xfe ? 3 : 0;
      if (c >= 0xa1 && c <= 0xfe) return at(1) >= 0xa1 && at(1) <= 0xfe ? 2 : 0;
      return c < 0x80 ? 1 : 0;
    case "euc":
      if (c >= 0xa1 && c <= 0xfe) return at(1) >= 0xa1 && at(1) <= 0xfe ? 2 : 0;
      return c < 0x80 ? 1 : 0;
    case "dbcs":
      if (c >= 0x81 && c <= 0xfe) {
        const t = at(1);
        return (t >= 0x40 && t <= 0x7e) || (t >= 0x80 && t <= 0xfe) ? 2 : 0;
      }
      return c < 0x80 ? 1 : 0;
    case "gb18030":
      if (c >= 0x81 && c <= 0xfe) {
        const t = at(1);
        if (t >= 0x30 && t <= 0x39) {
          return at(2) >= 0x81 && at(2) <= 0xfe && at(3) >= 0x30 && at(3) <= 0x39 ? 4 : 0;
        }
        return (t >= 0x40 && t <= 0x7e) || (t >= 0x80 && t <= 0xfe) ? 2 : 0;
      }
      return c < 0x80 ? 1 : 0;
    default:
      return 1;
  }
}

/** Smallest unit Ruby escapes on its own when bytes are invalid. */
export function minCharLength(family: CharFamily): number {
  if (family === "utf16le" || family === "utf16be") return 2;
  if (family === "utf32le" || family === "utf32be") return 4;
  return 1;
}

/** Code point of a valid character; non-Unicode multibyte characters read big-endian, as Ruby does. */
export function codePointAt(family: CharFamily, b: Uint8Array, i: number, len: number): number {
  switch (family) {
    case "utf8": {
      const c = b[i] as number;
      if (len === 1) return c;
      if (len === 2) return ((c & 0x1f) << 6) | ((b[i + 1] as number) & 0x3f);
      if (len === 3)
        return ((c & 0x0f) << 12) | (((b[i + 1] as number) & 0x3f) << 6) | ((b[i + 2] as number) & 0x3f);
      return (
        ((c & 0x07) << 18) |
        (((b[i + 1] as number) & 0x3f) << 12) |
        (((b[i + 2] as number) & 0x3f) << 6) |
        ((b[i + 3] as number) & 0x3f)
      );
    }
    case "utf16le":
    case "utf16be": {
      const le = family === "utf16le";
      const unit = (k: number): number =>
        le
          ? (b[i + k] as number) | ((b[i + k + 1] as number) << 8)
          : ((b[i + k] as number) << 8) | (b[i + k + 1] as number);
      const hi = unit(0);
      return len === 2 ? hi : 0x10000 + ((hi - 0xd800) << 10) + (unit(2) - 0xdc00);
    }
    case "utf32le":
      return (
        ((b[i] as number) |
          ((b[i + 1] as number) << 8) |
          ((b[i + 2] as number) << 16) |
          ((b[i + 3] as number) << 24)) >>>
        0
      );
    case "utf32be":
      return (
        (((b[i] as number) << 24) |
          ((b[i + 1] as number) << 16) |
          ((b[i + 2] as number) << 8) |
          (b[i + 3] as number)) >>>
        0
      );
    default: {
      let cp = 0;
      for (let k = 0; k < len; k++) cp = cp * 256 + (b[i + k] as number);
      return cp;
    }
  }
}

// The global TextDecoder: importing node:util for it costs every mco run about a millisecond.
type Decoder = InstanceType<typeof TextDecoder>;

const decoders = new Map<string, Decoder | null>();

function decoderFor(encoding: string): Decoder | null {
  let d = decoders.get(encoding);
  if (d === undefined) {
    try {
      d = new TextDecoder(encoding);
    } catch {
      d = null;
    }
    // Only remember names a peer could plausibly send; junk names stay uncached.
    if (d !== null || decoders.size < 64) decoders.set(encoding, d);
  }
  return d;
}

/**
 * JS text of bytes in a Ruby encoding. UTF-8 invalid sequences become U+FFFD;
 * encodings Node cannot decode (and ISO-8859-1, which WHATWG maps to
 * windows-1252) come through as latin1, one char per byte, nothing lost.
 */
export function decodeText(bytes: Uint8Array, encoding: string): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (encodingTag(encoding)) {
    case "utf8":
      return buf.toString("utf8");
    case "ascii":
    case "binary":
      return buf.toString("latin1");
    default:
      break;
  }
  const upper = encoding.toUpperCase();
  if (upper === "ISO-8859-1" || upper === "ISO8859-1") return buf.toString("latin1");
  if (upper === "UTF-32LE" || upper === "UTF-32BE" || upper === "UTF-32") {
    const be = upper !== "UTF-32LE";
    let out = "";
    for (let i = 0; i + 4 <= buf.length; i += 4) {
      const cp = be ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
      out += cp <= 0x10ffff ? String.fromCodePoint(cp) : "\ufffd";
    }
    return out;
  }
  const d = decoderFor(encoding);
  return d === null ? buf.toString("latin1") : d.decode(buf);
}

/** Whether every byte is below 0x80. */
export function isAsciiBytes(b: Uint8Array, start = 0, end = b.length): boolean {
  for (let i = start; i < end; i++) if ((b[i] as number) >= 0x80) return false;
  return true;
}

/** Whether the bytes are well-formed UTF-8 by Ruby's rules. */
export function isValidUtf8(b: Uint8Array, start = 0, end = b.length): boolean {
  let i = start;
  while (i < end) {
    if ((b[i] as number) < 0x80) {
      i++;
      continue;
    }
    const n = utf8CharLength(b, i, end);
    if (n === 0) return false;
    i += n;
  }
  return true;
}

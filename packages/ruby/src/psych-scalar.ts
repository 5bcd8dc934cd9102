/**
 * Psych's ScalarScanner#tokenize (Ruby 3.1, Psych 4.0): what an untagged
 * plain scalar means. The loader uses it to read plain scalars; the dumper
 * uses it to decide that a String must be quoted because, written plain, it
 * would read back as something else (`'123'`, `'true'`, `':x'`).
 *
 * Ruby's `^` and `$` match at every line; Psych's patterns rely on that, so
 * multi-line text is handled the way Ruby handles it.
 */

export type PsychToken =
  | { type: "string" }
  | { type: "null" }
  | { type: "boolean"; value: boolean }
  | { type: "integer"; value: bigint }
  | { type: "float"; value: number }
  | { type: "symbol"; name: string }
  /**
   * Looks like a Time or a Date. `valid`: Ruby could build one (YAML.dump
   * then quotes the String); safe_load refuses the text either way, since
   * it asks for the class before parsing.
   */
  | { type: "time"; class: "Time" | "Date"; valid: boolean };

const STRING: PsychToken = { type: "string" };

// Onigmo's POSIX brackets on UTF-8 text are Unicode-aware.
const ALPHA = String.raw`\p{Alphabetic}`;
const RUBY_SPACE = String.raw` \t\n\v\f\r`;
const STRINGISH = new RegExp(String.raw`^[^\d.:\-]?[${ALPHA}_${RUBY_SPACE}!@#$%^&*(){}<>|/\\~;=]+`, "u");

const TIME =
  /^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|[ \t\n\v\f\r]+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:[ \t\n\v\f\r]*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$/;
const DATE = /^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$/;
const FLOAT = /^(?:[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?)$/;
const INTEGER =
  /^(?:[-+]?0b[0-1_,]+|[-+]?0[0-7_,]+|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[0-9a-fA-F_,]+)$/;
const SEXAGESIMAL_INT = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}$/;
const SEXAGESIMAL_FLOAT = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9]){1,2}\.[0-9_]*$/;

/** The lines of `text` as Ruby's `^…$` sees them: each line without its `\n`. */
function lines(text: string): string[] {
  return text.split("\n");
}

/** `text =~ /^…$/` (line anchors) for a pattern written with JS `^…$`. */
function anyLine(text: string, pattern: RegExp): boolean {
  return lines(text).some((line) => pattern.test(line));
}

/** `text =~ /^…/` (no `$`): a match starting at any line start. */
function anyLineStart(text: string, pattern: RegExp): boolean {
  let start = 0;
  for (;;) {
    if (pattern.test(text.slice(start))) return true;
    const next = text.indexOf("\n", start);
    if (next < 0) return false;
    start = next + 1;
  }
}

export function psychTokenize(text: string): PsychToken {
  if (text === "") return { type: "null" };

  if (anyLineStart(text, STRINGISH) || text.includes("\n")) {
    if ([...text].length > 5) return STRING;
    if (anyLineStart(text, /^[^ytonf~]/i)) return STRING;
    if (text === "~" || anyLine(text, /^null$/i)) return { type: "null" };
    if (anyLine(text, /^(yes|true|on)$/i)) return { type: "boolean", value: true };
    if (anyLine(text, /^(no|false|off)$/i)) return { type: "boolean", value: false };
    return STRING;
  }
  // From here on the text is one line: Ruby's anchors are plain ones.
  if (TIME.test(text)) return { type: "time", class: "Time", valid: validTime(text) };
  if (DATE.test(text)) return { type: "time", class: "Date", valid: validDate(text) };
  if (/^\+?\.inf$/i.test(text)) return { type: "float", value: Number.POSITIVE_INFINITY };
  if (/^-\.inf$/i.test(text)) return { type: "float", value: Number.NEGATIVE_INFINITY };
  if (/^\.nan$/i.test(text)) return { type: "float", value: Number.NaN };
  if (/^:./.test(text)) {
    const quoted = /^:(["'])(.*)\1/.exec(text);
    return { type: "symbol", name: quoted ? (quoted[2] as string).replace(/^:/, "") : text.slice(1) };
  }
  if (SEXAGESIMAL_INT.test(text)) return { type: "integer", value: sexagesimal(text) };
  if (SEXAGESIMAL_FLOAT.test(text)) return { type: "float", value: sexagesimalFloat(text) };
  if (FLOAT.test(text)) {
    if (/^[-+]?\.$/.test(text)) return STRING;
    return { type: "float", value: rubyFloat(text.replace(/[,_]|\.([Ee]|$)/g, "$1")) };
  }
  if (INTEGER.test(text)) {
    const value = rubyInteger(text.replace(/[,_]/g, ""));
    // Ruby's Integer() raises on what is left ("0b"): Psych fails too.
    if (value === undefined) throw new Error(`invalid value for Integer(): ${JSON.stringify(text)}`);
    return { type: "integer", value };
  }
  return STRING;
}

/** `Kernel#Integer` on what INTEGER admits: optional sign, then 0b / 0 / 0x prefixes. */
function rubyInteger(text: string): bigint | undefined {
  const m = /^([-+]?)(0b([01]+)|0x([0-9a-fA-F]+)|0([0-7]+)|([0-9]+))$/.exec(text);
  if (!m) return undefined;
  const negative = m[1] === "-";
  let value: bigint;
  if (m[3] !== undefined) value = BigInt(`0b${m[3]}`);
  else if (m[4] !== undefined) value = BigInt(`0x${m[4]}`);
  else if (m[5] !== undefined) value = BigInt(`0o${m[5]}`);
  else value = BigInt(m[6] as string);
  return negative ? -value : value;
}

function rubyFloat(text: string): number {
  // What FLOAT admits after Psych's clean-up is decimal text Number() reads alike.
  return Number(
    text.startsWith(".") || text.startsWith("-.") || text.startsWith("+.") ? text.replace(".", "0.") : text,
  );
}

function sexagesimal(text: string): bigint {
  const parts = text.split(":");
  let total = 0n;
  parts.forEach((part, e) => {
    const n = rubyToI(part);
    total += n * 60n ** BigInt(Math.abs(e - 2));
  });
  return total;
}

function sexagesimalFloat(text: string): number {
  const parts = text.split(":");
  let total = 0;
  parts.forEach((part, e) => {
    total += rubyToF(part) * 60 ** Math.abs(e - 2);
  });
  return total;
}

/** `String#to_i`: leading sign and digits, underscores between digits allowed. */
function rubyToI(text: string): bigint {
  const m = /^([-+]?)(\d+(?:_\d+)*)/.exec(text);
  if (!m) return 0n;
  const value = BigInt((m[2] as string).replace(/_/g, ""));
  return m[1] === "-" ? -value : value;
}

function rubyToF(text: string): number {
  const m = /^[-+]?\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?/.exec(text);
  return m ? Number(m[0].replace(/_/g, "")) : 0;
}

/** Whether `Time.utc` accepts the fields Psych's parse_time reads (else it raises and the text stays a String). */
function validTime(text: string): boolean {
  const [date, time] = splitOnce(text, /[ tT]/);
  const d = /^(-?\d{4})-(\d{1,2})-(\d{1,2})/.exec(date);
  const t = time === undefined ? null : /(\d+):(\d+):(\d+)/.exec(time);
  if (!d || !t) return true;
  const [month, day] = [Number(d[2]), Number(d[3])];
  const [hour, minute, second] = [Number(t[1]), Number(t[2]), Number(t[3])];
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= 31 &&
    (hour < 24 || (hour === 24 && minute === 0 && second === 0)) &&
    minute <= 59 &&
    second <= 60
  );
}

/** `Date.strptime(text, '%Y-%m-%d')` succeeds: a real calendar date. */
function validDate(text: string): boolean {
  const [y, m, d] = text.split("-").map(Number) as [number, number, number];
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] as number;
  return d <= days;
}

function splitOnce(text: string, separator: RegExp): [string, string | undefined] {
  const m = separator.exec(text);
  if (!m) return [text, undefined];
  return [text.slice(0, m.index), text.slice(m.index + m[0].length)];
}

/**
 * The text of quoted and block scalars, decoded as libyaml's scanner decodes
 * it (YAML 1.1), from the source ranges js-yaml's events give. js-yaml
 * follows YAML 1.2, which differs where Psych's output goes: U+2028, U+2029
 * are line breaks to libyaml (kept, not folded) and NEL folds like `\n`, and
 * a root block scalar's indentation indicator counts from column 0.
 */

export class ScalarTextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScalarTextError";
  }
}

const isBreak = (c: string | undefined) =>
  c === "\r" || c === "\n" || c === "\u0085" || c === "\u2028" || c === "\u2029";
const isBlank = (c: string | undefined) => c === " " || c === "\t";

class Cursor {
  readonly chars: string[];
  i = 0;
  column = 0;

  constructor(text: string) {
    this.chars = [...text];
  }

  get c(): string | undefined {
    return this.chars[this.i];
  }

  at(offset: number): string | undefined {
    return this.chars[this.i + offset];
  }

  get done(): boolean {
    return this.i >= this.chars.length;
  }

  skip(): void {
    this.i++;
    this.column++;
  }

  /** READ_LINE: a break as the scalar gets it (`\r\n`, `\r`, NEL become `\n`; LS and PS stay). */
  readLine(): string {
    const c = this.c;
    this.column = 0;
    if (c === "\r" && this.at(1) === "\n") {
      this.i += 2;
      return "\n";
    }
    this.i++;
    return c === "\r" || c === "\n" || c === "\u0085" ? "\n" : (c as string);
  }
}

/** The inside of a `'…'` or `"…"` scalar (quotes excluded). */
export function decodeQuoted(inner: string, single: boolean): string {
  const s = new Cursor(inner);
  let out = "";
  while (!s.done) {
    let leadingBlanks = false;
    while (!s.done && !isBlank(s.c) && !isBreak(s.c)) {
      const c = s.c as string;
      if (single && c === "'" && s.at(1) === "'") {
        out += "'";
        s.skip();
        s.skip();
      } else if (!single && c === "\\" && isBreak(s.at(1))) {
        s.skip();
        s.readLine();
        leadingBlanks = true;
        break;
      } else if (!single && c === "\\") {
        s.skip();
        out += readEscape(s);
      } else {
        out += c;
        s.skip();
      }
    }
    if (s.done) break;
    let whitespaces = "";
    let leadingBreak = "";
    let trailingBreaks = "";
    while (isBlank(s.c) || isBreak(s.c)) {
      if (isBlank(s.c)) {
        if (!leadingBlanks) whitespaces += s.c;
        s.skip();
      } else if (!leadingBlanks) {
        whitespaces = "";
        leadingBreak = s.readLine();
        leadingBlanks = true;
      } else {
        trailingBreaks += s.readLine();
      }
    }
    if (leadingBlanks) {
      if (leadingBreak.startsWith("\n")) out += trailingBreaks === "" ? " " : trailingBreaks;
      else out += leadingBreak + trailingBreaks;
    } else {
      out += whitespaces;
    }
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  "\t": "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "'": "'",
  "\\": "\\",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
};

function readEscape(s: Cursor): string {
  const c = s.c;
  if (c === undefined) throw new ScalarTextError("a double-quoted scalar ends in a lone backslash");
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) {
    s.skip();
    return simple;
  }
  const width = c === "x" ? 2 : c === "u" ? 4 : c === "U" ? 8 : 0;
  if (width === 0) throw new ScalarTextError(`found unknown escape character '${c}'`);
  s.skip();
  let hex = "";
  for (let k = 0; k < width; k++) {
    const d = s.c;
    if (d === undefined || !/[0-9A-Fa-f]/.test(d))
      throw new ScalarTextError("did not find expected hexdecimal number");
    hex += d;
    s.skip();
  }
  const code = Number.parseInt(hex, 16);
  if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) {
    throw new ScalarTextError("found invalid Unicode character escape code");
  }
  return String.fromCodePoint(code);
}

/**
 * The content lines of a `|` or `>` scalar. `indent` is the content's
 * column (negative when unknown: detected from the text, as libyaml does).
 * `chomping`: "clip" keeps one final break, "strip" none, "keep" all.
 */
export function decodeBlock(
  content: string,
  options: { indent: number; chomping: "clip" | "strip" | "keep"; folded: boolean },
): string {
  const s = new Cursor(content);
  let indent = options.indent;
  let trailing = "";
  let leadingBreak = "";
  let out = "";

  const breaks = () => {
    let maxIndent = 0;
    for (;;) {
      while ((indent <= 0 || s.column < indent) && s.c === " ") s.skip();
      if (s.column > maxIndent) maxIndent = s.column;
      if ((indent <= 0 || s.column < indent) && s.c === "\t") {
        throw new ScalarTextError("found a tab character where an indentation space is expected");
      }
      if (!isBreak(s.c)) break;
      trailing += s.readLine();
    }
    if (indent <= 0) indent = Math.max(maxIndent, 1);
  };

  breaks();
  let leadingBlank = false;
  while (s.column === indent && !s.done) {
    const trailingBlank = isBlank(s.c);
    if (options.folded && leadingBreak.startsWith("\n") && !leadingBlank && !trailingBlank) {
      if (trailing === "") out += " ";
      leadingBreak = "";
    } else {
      out += leadingBreak;
      leadingBreak = "";
    }
    out += trailing;
    trailing = "";
    leadingBlank = isBlank(s.c);
    while (!s.done && !isBreak(s.c)) {
      out += s.c;
      s.skip();
    }
    if (s.done) break;
    leadingBreak = s.readLine();
    breaks();
  }
  if (options.chomping !== "strip") out += leadingBreak;
  if (options.chomping === "keep") out += trailing;
  return out;
}

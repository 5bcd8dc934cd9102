/**
 * The tokenizer for MCollective's Ruby DDL files. It knows Ruby's literal
 * syntax as far as DDLs use it — single and double quoted strings with
 * escapes and `#{…}` interpolation, heredocs (`<<EOS`, `<<-EOS`, `<<~EOS`,
 * quoted identifiers), `%w[]`/`%i[]`/`%q()`/`%Q()`/`%r{}`, symbols
 * (`:name`, `:"text"`), `name:` labels, integers in every base, floats,
 * regexp literals, comments and `=begin`/`=end` — and reports anything else
 * as a DdlDefinitionError at `file:line`. Nothing is evaluated: interpolated
 * code is kept as text for the parser.
 */
import { DdlDefinitionError } from "@phobos/errors";

/** A piece of a string literal: text, or the source of a `#{…}` to evaluate. */
export type StringPart = string | { code: string; line: number; column?: number };

interface TokenPosition {
  /** 1-based line the token starts on. */
  line: number;
  /** Whitespace came right before it: `foo [1]` is a call, `foo[1]` an index. */
  spaceBefore: boolean;
  /** 1-based column (in UTF-16 units) the token starts at, for messages that point into a line. */
  column?: number;
  /** Where the token's text starts and ends in the source, so a message can quote an expression. */
  offset?: number;
  end?: number;
}

export type RubyToken = TokenPosition &
  (
    | { type: "int"; value: number | bigint }
    | { type: "float"; value: number }
    | { type: "string"; parts: StringPart[] }
    | { type: "dsym"; parts: StringPart[] }
    | { type: "symbol"; name: string }
    | { type: "regexp"; source: string; options: string }
    | { type: "words"; words: string[]; symbols: boolean }
    | { type: "ident"; name: string }
    | { type: "const"; name: string }
    | { type: "label"; name: string }
    | { type: "keyword"; name: string }
    | { type: "variable"; name: string }
    | { type: "op"; value: string }
    | { type: "newline" }
    | { type: "eof" }
  );

const KEYWORDS = new Set([
  "alias",
  "and",
  "begin",
  "BEGIN",
  "break",
  "case",
  "class",
  "def",
  "defined?",
  "do",
  "else",
  "elsif",
  "end",
  "END",
  "ensure",
  "false",
  "for",
  "if",
  "in",
  "module",
  "next",
  "nil",
  "not",
  "or",
  "redo",
  "rescue",
  "retry",
  "return",
  "self",
  "super",
  "then",
  "true",
  "undef",
  "unless",
  "until",
  "when",
  "while",
  "yield",
  "__FILE__",
  "__LINE__",
  "__ENCODING__",
]);

const OPERATORS = [
  "**=",
  "<=>",
  "===",
  "...",
  "<<=",
  ">>=",
  "&&=",
  "||=",
  "**",
  "=>",
  "==",
  "!=",
  "=~",
  "!~",
  "<=",
  ">=",
  "<<",
  ">>",
  "&&",
  "||",
  "..",
  "::",
  "->",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "|=",
  "&=",
  "^=",
  "&.",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ".",
  "=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "!",
  "?",
  ":",
  ";",
  "|",
  "&",
  "^",
  "~",
  "<",
  ">",
];

const SYMBOL_OPERATORS = [
  "[]=",
  "[]",
  "<=>",
  "===",
  "==",
  "=~",
  "!=",
  "!~",
  "**",
  "<<",
  ">>",
  "<=",
  ">=",
  "+@",
  "-@",
  "+",
  "-",
  "*",
  "/",
  "%",
  "<",
  ">",
  "!",
  "&",
  "|",
  "^",
  "~",
];

const PAIRS: Record<string, string> = { "(": ")", "[": "]", "{": "}", "<": ">" };
const BLANK = new Set([" ", "\t", "\r", "\f", "\v"]);

function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && (/[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80);
}

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && (/[A-Za-z0-9_]/.test(c) || c.charCodeAt(0) >= 0x80);
}

interface PendingHeredoc {
  token: RubyToken & { type: "string" };
  id: string;
  indented: boolean;
  squiggly: boolean;
  raw: boolean;
  line: number;
}

class Lexer {
  private pos = 0;
  private line = 1;
  private space = false;
  private readonly tokens: RubyToken[] = [];
  private pending: PendingHeredoc[] = [];
  /** Where the token being read starts. */
  private start = 0;

  constructor(
    private readonly src: string,
    private readonly file: string,
    private readonly options: TokenizeOptions = {},
  ) {}

  private get language(): string {
    return this.options.language ?? "the DDL language";
  }

  fail(message: string, line = this.line): never {
    const at =
      this.options.columns && line === this.line ? `${line}:${this.columnAt(this.start)}` : `${line}`;
    throw new DdlDefinitionError(`${this.file}:${at}: ${message}`);
  }

  private push(token: Record<string, unknown> & { type: RubyToken["type"] }, line = this.line): void {
    this.tokens.push({
      ...token,
      line,
      spaceBefore: this.space,
      column: this.columnAt(this.start),
      offset: this.start,
      end: this.pos,
    } as RubyToken);
    this.space = false;
  }

  private columnAt(offset: number): number {
    return offset - (this.src.lastIndexOf("\n", offset - 1) + 1) + 1;
  }

  private get last(): RubyToken | undefined {
    return this.tokens[this.tokens.length - 1];
  }

  /** Whether the previous token ends a value, so `/` and `%` are operators rather than literals. */
  private valueEnded(): boolean {
    const t = this.last;
    if (!t) return false;
    switch (t.type) {
      case "int":
      case "float":
      case "string":
      case "dsym":
      case "symbol":
      case "regexp":
      case "words":
      case "ident":
      case "const":
      case "variable":
        return true;
      case "keyword":
        return ["end", "true", "false", "nil", "self"].includes(t.name);
      case "op":
        return [")", "]", "}"].includes(t.value);
      default:
        return false;
    }
  }

  /** `foo /x/` and `foo %w[a]`: after a bare method name and a space, a literal starts an argument. */
  private literalAllowed(): boolean {
    if (!this.valueEnded()) return true;
    const next = this.src[this.pos + 1];
    return this.last?.type === "ident" && this.space && next !== " " && next !== "=" && next !== undefined;
  }

  private atLineStart(): boolean {
    return this.pos === 0 || this.src[this.pos - 1] === "\n";
  }

  run(): RubyToken[] {
    const src = this.src;
    while (this.pos < src.length) {
      const c = src[this.pos] as string;
      if (BLANK.has(c)) {
        this.pos++;
        this.space = true;
        continue;
      }
      if (c === "\\" && (src[this.pos + 1] === "\n" || src.startsWith("\r\n", this.pos + 1))) {
        this.pos += src[this.pos + 1] === "\n" ? 2 : 3;
        this.line++;
        this.space = true;
        continue;
      }
      if (c === "\n") {
        this.newline();
        continue;
      }
      if (c === "#") {
        while (this.pos < src.length && src[this.pos] !== "\n") this.pos++;
        continue;
      }
      if (this.atLineStart() && /^=begin(?:[ \t\r\n]|$)/.test(src.slice(this.pos, this.pos + 7))) {
        this.skipEmbeddedDocument();
        continue;
      }
      if (this.atLineStart() && /^__END__(?:\r?\n|$)/.test(src.slice(this.pos, this.pos + 9))) break;
      this.start = this.pos;
      this.token(c);
    }
    if (this.pending.length > 0) {
      const h = this.pending[0] as PendingHeredoc;
      this.fail(`can't find string "${h.id}" anywhere before EOF`, h.line);
    }
    this.start = this.pos;
    this.push({ type: "eof" });
    return this.tokens;
  }

  private skipEmbeddedDocument(): void {
    const start = this.line;
    for (;;) {
      const eol = this.src.indexOf("\n", this.pos);
      if (eol < 0) this.fail("embedded document meets end of file", start);
      this.pos = eol + 1;
      this.line++;
      if (/^=end(?:[ \t\r\n]|$)/.test(this.src.slice(this.pos, this.pos + 5))) {
        const end = this.src.indexOf("\n", this.pos);
        this.pos = end < 0 ? this.src.length : end;
        return;
      }
    }
  }

  private newline(): void {
    this.pos++;
    this.line++;
    if (this.pending.length > 0) this.readHeredocBodies();
    const last = this.last;
    this.space = true;
    if (!last || last.type === "newline" || this.leadingDotAhead()) return;
    this.tokens.push({ type: "newline", line: this.line - 1, spaceBefore: false });
  }

  /** A line starting with `.name` continues the previous expression. */
  private leadingDotAhead(): boolean {
    const src = this.src;
    let p = this.pos;
    for (;;) {
      while (p < src.length && BLANK.has(src[p] as string)) p++;
      if (src[p] === "\n") {
        p++;
        continue;
      }
      if (src[p] === "#") {
        while (p < src.length && src[p] !== "\n") p++;
        continue;
      }
      break;
    }
    return (src[p] === "." && src[p + 1] !== ".") || src.startsWith("&.", p);
  }

  private token(c: string): void {
    const src = this.src;
    if (/[0-9]/.test(c)) {
      this.number();
      return;
    }
    if (c === '"' || c === "'") {
      this.pos++;
      const line = this.line;
      const rawAt = this.pos;
      const raw = this.scanDelimited(c, c, c === '"');
      this.stringOrLabel(
        c === '"' ? this.interpolated(raw, line, rawAt) : [singleQuoted(raw, "'", "'")],
        line,
      );
      return;
    }
    if (c === "`") this.fail(`command literals (\`…\`) are not part of ${this.language}`);
    if (c === ":") {
      this.colon();
      return;
    }
    if (c === "@" || c === "$") {
      this.variable();
      return;
    }
    if (isIdentStart(c)) {
      this.identifier();
      return;
    }
    if (c === "/" && this.literalAllowed()) {
      this.pos++;
      this.regexp("/", "/");
      return;
    }
    if (c === "%" && this.literalAllowed() && this.percent()) return;
    if (c === "<" && src.startsWith("<<", this.pos) && this.literalAllowed() && this.heredoc()) return;
    if (
      c === "?" &&
      /^\?[A-Za-z0-9_]/.test(src.slice(this.pos, this.pos + 2)) &&
      !isIdentChar(src[this.pos + 2])
    ) {
      if (!this.valueEnded()) this.fail(`character literals (?x) are not part of ${this.language}`);
    }
    const op = OPERATORS.find((o) => src.startsWith(o, this.pos));
    if (!op) this.fail(`unexpected character ${JSON.stringify(c)}`);
    this.pos += op.length;
    this.push({ type: "op", value: op });
  }

  private number(): void {
    const rest = this.src.slice(this.pos, this.pos + 400);
    const m =
      /^(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|0[dD][0-9_]+|[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9][0-9_]*)?)/.exec(
        rest,
      );
    const text = m?.[0] ?? "";
    const decimal = !/^0[xXbBoOdD]/.test(text);
    if (/__|_$|^0[xXbBoOdD]_/.test(text) || (decimal && /_\.|\._|_[eE]|[eE][+-]?_/.test(text))) {
      this.fail(`trailing '_' in number ${text}`);
    }
    const after = this.src[this.pos + text.length];
    if (isIdentChar(after)) this.fail(`unexpected ${JSON.stringify(after)} after number ${text}`);
    this.pos += text.length;
    const digits = text.replace(/_/g, "");
    if (/[.eE]/.test(digits) && !/^0[xX]/.test(digits)) {
      this.push({ type: "float", value: Number(digits) });
      return;
    }
    let big: bigint;
    const prefix = digits.slice(0, 2).toLowerCase();
    if (prefix === "0x" || prefix === "0b" || prefix === "0o")
      big = BigInt(`0${prefix[1]}${digits.slice(2)}`);
    else if (prefix === "0d") big = BigInt(digits.slice(2));
    else if (digits.length > 1 && digits.startsWith("0")) {
      if (/[89]/.test(digits)) this.fail(`Invalid octal digit in ${text}`);
      big = BigInt(`0o${digits.slice(1)}`);
    } else big = BigInt(digits);
    const safe = big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER);
    this.push({ type: "int", value: safe ? Number(big) : big });
  }

  /**
   * Reads up to the closing delimiter (the opening one already consumed),
   * skipping escapes, balanced nested delimiters and `#{…}` bodies.
   */
  private scanDelimited(open: string, close: string, interpolating: boolean): string {
    const src = this.src;
    const startLine = this.line;
    const start = this.pos;
    let depth = 0;
    for (;;) {
      if (this.pos >= src.length) this.fail("unterminated string meets end of file", startLine);
      const c = src[this.pos] as string;
      if (c === "\\") {
        if (src[this.pos + 1] === "\n") this.line++;
        this.pos += 2;
        continue;
      }
      if (c === "\n") this.line++;
      if (interpolating && c === "#" && src[this.pos + 1] === "{") {
        this.pos += 2;
        this.skipCode();
        continue;
      }
      if (c === close && depth === 0) {
        this.pos++;
        return src.slice(start, this.pos - 1);
      }
      if (open !== close) {
        if (c === open) depth++;
        else if (c === close) depth--;
      }
      this.pos++;
    }
  }

  /** Skips the body of `#{…}` up to its closing brace, stepping over nested strings. */
  private skipCode(): void {
    const src = this.src;
    const startLine = this.line;
    let depth = 0;
    for (;;) {
      if (this.pos >= src.length) this.fail("unterminated string interpolation", startLine);
      const c = src[this.pos] as string;
      if (c === "\n") this.line++;
      if (c === "'" || c === '"') {
        this.pos++;
        this.scanDelimited(c, c, c === '"');
        continue;
      }
      if (c === "{") depth++;
      if (c === "}") {
        if (depth === 0) {
          this.pos++;
          return;
        }
        depth--;
      }
      this.pos++;
    }
  }

  /** Escapes and interpolation of a double-quoted body. */
  interpolated(raw: string, startLine: number, rawAt?: number): StringPart[] {
    const parts: StringPart[] = [];
    let text = "";
    let line = startLine;
    let i = 0;
    while (i < raw.length) {
      const c = raw[i] as string;
      if (c === "\\") {
        const [value, used] = this.escape(raw, i + 1, line);
        if (raw[i + 1] === "\n") line++;
        text += value;
        i = i + 1 + used;
        continue;
      }
      if (c === "#" && raw[i + 1] === "{") {
        const end = matchingBrace(raw, i + 2);
        if (end < 0) this.fail("unterminated string interpolation", line);
        if (text) parts.push(text);
        text = "";
        const code: StringPart = { code: raw.slice(i + 2, end), line };
        if (rawAt !== undefined) code.column = this.columnAt(rawAt + i + 2);
        parts.push(code);
        for (const ch of raw.slice(i, end)) if (ch === "\n") line++;
        i = end + 1;
        continue;
      }
      if (c === "#" && /^#(?:@@?|\$)[A-Za-z_]/.test(raw.slice(i, i + 4))) {
        this.fail(`instance and global variable interpolation is not part of ${this.language}`, line);
      }
      if (c === "\n") line++;
      text += c;
      i++;
    }
    if (text || parts.length === 0) parts.push(text);
    return parts;
  }

  /** One escape of a double-quoted string: its value and how many characters after `\` it used. */
  private escape(raw: string, at: number, line: number): [string, number] {
    const c = raw[at];
    if (c === undefined) this.fail("unterminated escape", line);
    const simple: Record<string, string> = {
      n: "\n",
      t: "\t",
      s: " ",
      r: "\r",
      e: "\x1b",
      a: "\x07",
      b: "\b",
      f: "\f",
      v: "\v",
      "\n": "",
    };
    if (Object.hasOwn(simple, c)) return [simple[c] as string, 1];
    if (/[0-7]/.test(c)) {
      const oct = /^[0-7]{1,3}/.exec(raw.slice(at))?.[0] ?? c;
      return [String.fromCharCode(Number.parseInt(oct, 8) & 0xff), oct.length];
    }
    if (c === "x") {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(raw.slice(at + 1))?.[0];
      if (!hex) this.fail("invalid hex escape", line);
      return [String.fromCharCode(Number.parseInt(hex, 16)), 1 + hex.length];
    }
    if (c === "u") {
      if (raw[at + 1] === "{") {
        const close = raw.indexOf("}", at + 2);
        const body = close < 0 ? "" : raw.slice(at + 2, close).trim();
        if (close < 0 || !/^[0-9a-fA-F]{1,6}(?:[ \t]+[0-9a-fA-F]{1,6})*$/.test(body)) {
          this.fail("invalid Unicode escape", line);
        }
        const chars = body
          .split(/[ \t]+/)
          .map((h) => codePoint(Number.parseInt(h, 16), () => this.fail("invalid Unicode codepoint", line)));
        return [chars.join(""), close - at + 1];
      }
      const hex = raw.slice(at + 1, at + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("invalid Unicode escape", line);
      return [codePoint(Number.parseInt(hex, 16), () => this.fail("invalid Unicode codepoint", line)), 5];
    }
    if (c === "c" || c === "C" || c === "M")
      this.fail(`control/meta escapes (\\${c}) are not supported`, line);
    // Any other escaped character stands for itself (`\"`, `\\`, `\#`, the delimiter, …).
    const ch = String.fromCodePoint(raw.codePointAt(at) ?? 0);
    return [ch, ch.length];
  }

  private stringOrLabel(parts: StringPart[], line: number): void {
    const src = this.src;
    if (src[this.pos] === ":" && src[this.pos + 1] !== ":" && parts.every((p) => typeof p === "string")) {
      this.pos++;
      this.push({ type: "label", name: parts.join("") }, line);
      return;
    }
    this.push({ type: "string", parts }, line);
  }

  private colon(): void {
    const src = this.src;
    const next = src[this.pos + 1];
    if (next === ":") {
      this.pos += 2;
      this.push({ type: "op", value: "::" });
      return;
    }
    const line = this.line;
    if (next === '"') {
      this.pos += 2;
      const rawAt = this.pos;
      const raw = this.scanDelimited('"', '"', true);
      this.push({ type: "dsym", parts: this.interpolated(raw, line, rawAt) }, line);
      return;
    }
    if (next === "'") {
      this.pos += 2;
      const raw = this.scanDelimited("'", "'", false);
      this.push({ type: "symbol", name: singleQuoted(raw, "'", "'") }, line);
      return;
    }
    if (isIdentStart(next) || next === "@" || next === "$") {
      let end = this.pos + 1;
      while (src[end] === "@" || src[end] === "$") end++;
      while (isIdentChar(src[end])) end++;
      const after = src[end];
      if ((after === "?" || after === "!") && src[end + 1] !== "=") end++;
      else if (after === "=" && ![">", "=", "~"].includes(src[end + 1] ?? "")) end++;
      const name = src.slice(this.pos + 1, end);
      this.pos = end;
      this.push({ type: "symbol", name });
      return;
    }
    const op = SYMBOL_OPERATORS.find((o) => src.startsWith(o, this.pos + 1));
    if (op && (this.space || !this.valueEnded())) {
      this.pos += 1 + op.length;
      this.push({ type: "symbol", name: op });
      return;
    }
    this.pos++;
    this.push({ type: "op", value: ":" });
  }

  private variable(): void {
    const src = this.src;
    let end = this.pos + 1;
    if (src[end] === "@") end++;
    if (!isIdentChar(src[end])) this.fail(`unexpected character ${JSON.stringify(src[this.pos])}`);
    while (isIdentChar(src[end])) end++;
    const name = src.slice(this.pos, end);
    this.pos = end;
    this.push({ type: "variable", name });
  }

  private identifier(): void {
    const src = this.src;
    let end = this.pos;
    while (isIdentChar(src[end])) end++;
    if ((src[end] === "?" || src[end] === "!") && src[end + 1] !== "=") end++;
    const name = src.slice(this.pos, end);
    const afterDot = this.last?.type === "op" && (this.last.value === "." || this.last.value === "&.");
    if (src[end] === ":" && src[end + 1] !== ":" && !afterDot) {
      this.pos = end + 1;
      this.push({ type: "label", name });
      return;
    }
    this.pos = end;
    if (!afterDot && KEYWORDS.has(name)) this.push({ type: "keyword", name });
    else if (!afterDot && /^[A-Z]/.test(name)) this.push({ type: "const", name });
    else this.push({ type: "ident", name });
  }

  private regexp(open: string, close: string): void {
    const src = this.src;
    const line = this.line;
    let source = "";
    let depth = 0;
    for (;;) {
      if (this.pos >= src.length) this.fail("unterminated regexp meets end of file", line);
      const c = src[this.pos] as string;
      if (c === "\\") {
        const n = src[this.pos + 1];
        if (n === undefined) this.fail("unterminated regexp meets end of file", line);
        if (n === "\n") this.line++;
        // Ruby drops the backslash from an escaped delimiter that is not itself special.
        if (n === "/" || ((n === close || n === open) && !"()[]{}<>|.*+?^$\\".includes(n))) source += n;
        else source += c + n;
        this.pos += 2;
        continue;
      }
      if (c === "#" && src[this.pos + 1] === "{")
        this.fail("interpolation in a regexp is not supported", this.line);
      if (c === "\n") this.line++;
      if (c === close && depth === 0) {
        this.pos++;
        break;
      }
      if (open !== close) {
        if (c === open) depth++;
        else if (c === close) depth--;
      }
      source += c;
      this.pos++;
    }
    let options = "";
    while (/[a-z]/.test(src[this.pos] ?? "")) {
      const o = src[this.pos] as string;
      if (!"imxounse".includes(o)) this.fail(`unknown regexp option - ${o}`);
      if ("mix".includes(o) && !options.includes(o)) options += o;
      this.pos++;
    }
    this.push({ type: "regexp", source, options }, line);
  }

  /** `%w[…]`, `%i[…]`, `%q(…)`, `%Q(…)`, `%(…)`, `%r{…}`, `%s(…)`; false when `%` is an operator. */
  private percent(): boolean {
    const src = this.src;
    let kind = src[this.pos + 1];
    let delimAt = this.pos + 2;
    if (kind !== undefined && !/[A-Za-z0-9\s]/.test(kind)) {
      kind = "Q";
      delimAt = this.pos + 1;
    }
    const open = src[delimAt];
    if (!kind || !"wWiIqQrs".includes(kind) || open === undefined || /[A-Za-z0-9\s]/.test(open)) return false;
    const close = PAIRS[open] ?? open;
    const line = this.line;
    this.pos = delimAt + 1;
    if (kind === "r") {
      this.regexp(open, close);
      return true;
    }
    const raw = this.scanDelimited(open, close, kind === "Q" || kind === "W" || kind === "I");
    switch (kind) {
      case "q":
        this.push({ type: "string", parts: [singleQuoted(raw, open, close)] }, line);
        break;
      case "Q":
        this.push({ type: "string", parts: this.interpolated(raw, line, delimAt + 1) }, line);
        break;
      case "s":
        this.push({ type: "symbol", name: singleQuoted(raw, open, close) }, line);
        break;
      default: {
        const interpolating = kind === "W" || kind === "I";
        const words = splitWords(raw, open, close, interpolating).map((w) => {
          if (!interpolating) return w;
          const parts = this.interpolated(w, line);
          if (parts.some((p) => typeof p !== "string"))
            this.fail("interpolation in %W/%I is not supported", line);
          return parts.join("");
        });
        this.push({ type: "words", words, symbols: kind === "i" || kind === "I" }, line);
      }
    }
    return true;
  }

  /** `<<ID`, `<<-ID`, `<<~ID`, `<<'ID'`, `<<"ID"`; the body is read at the end of the line. */
  private heredoc(): boolean {
    const m = /^<<([-~]?)(?:(["'`])([^"'`\n]+)\2|([A-Za-z_][A-Za-z0-9_]*))/.exec(
      this.src.slice(this.pos, this.pos + 200),
    );
    if (!m) return false;
    if (m[2] === "`") this.fail(`command heredocs are not part of ${this.language}`);
    const token = {
      type: "string" as const,
      parts: [] as StringPart[],
      line: this.line,
      spaceBefore: this.space,
      column: this.columnAt(this.pos),
      offset: this.pos,
      end: this.pos + m[0].length,
    };
    this.tokens.push(token);
    this.space = false;
    this.pending.push({
      token,
      id: m[3] ?? m[4] ?? "",
      indented: m[1] !== "",
      squiggly: m[1] === "~",
      raw: m[2] === "'",
      line: this.line,
    });
    this.pos += m[0].length;
    return true;
  }

  private readHeredocBodies(): void {
    const src = this.src;
    for (const h of this.pending) {
      const bodyLine = this.line;
      const lines: string[] = [];
      for (;;) {
        if (this.pos >= src.length) this.fail(`can't find string "${h.id}" anywhere before EOF`, h.line);
        const eol = src.indexOf("\n", this.pos);
        const text = eol < 0 ? src.slice(this.pos) : src.slice(this.pos, eol);
        this.pos = eol < 0 ? src.length : eol + 1;
        this.line++;
        const bare = text.endsWith("\r") ? text.slice(0, -1) : text;
        if ((h.indented ? bare.replace(/^[ \t]+/, "") : bare) === h.id) break;
        lines.push(eol < 0 ? text : `${text}\n`);
      }
      const body = (h.squiggly ? dedent(lines) : lines).join("");
      h.token.parts = h.raw ? [body] : this.interpolated(body, bodyLine);
    }
    this.pending = [];
  }
}

function codePoint(code: number, invalid: () => never): string {
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) invalid();
  return String.fromCodePoint(code);
}

/** Single-quoted rules: only `\\` and an escaped delimiter are escapes. */
function singleQuoted(raw: string, open: string, close: string): string {
  let out = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    const n = raw[i + 1];
    if (c === "\\" && (n === "\\" || n === open || n === close)) {
      out += n;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

/** `%w` words: split on unescaped whitespace; `\ ` keeps a blank inside a word. */
function splitWords(raw: string, open: string, close: string, interpolating: boolean): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === "\\" && i + 1 < raw.length) {
      const n = raw[i + 1] as string;
      if (/\s/.test(n) || (!interpolating && (n === "\\" || n === open || n === close))) word += n;
      else word += c + n;
      inWord = true;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    word += c;
    inWord = true;
  }
  if (inWord) words.push(word);
  return words;
}

/** `<<~`: remove the smallest indentation of the non-blank lines (a tab reaches the next multiple of 8). */
function dedent(lines: string[]): string[] {
  const width = (line: string) => {
    let col = 0;
    for (const c of line) {
      if (c === " ") col++;
      else if (c === "\t") col = (Math.floor(col / 8) + 1) * 8;
      else break;
    }
    return col;
  };
  const indents = lines.filter((l) => /[^ \t\r\n]/.test(l)).map(width);
  const min = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => {
    let col = 0;
    let i = 0;
    while (i < line.length && col < min) {
      const c = line[i];
      const next = c === " " ? col + 1 : c === "\t" ? (Math.floor(col / 8) + 1) * 8 : -1;
      if (next < 0 || next > min) break;
      col = next;
      i++;
    }
    return line.slice(i);
  });
}

/** The index of the `}` closing a `#{` whose body starts at `from`, or -1. */
function matchingBrace(raw: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/**
 * Splits Ruby DDL source into tokens.
 * @throws DdlDefinitionError (`file:line: …`) on anything that is not DDL syntax
 */
export interface TokenizeOptions {
  /** How messages name the accepted language: "the DDL language" unless told. */
  language?: string;
  /** Messages point at `file:line:column` (where the token starts) rather than `file:line`. */
  columns?: boolean;
}

export function tokenizeRuby(source: string, file = "(ddl)", options: TokenizeOptions = {}): RubyToken[] {
  return new Lexer(source, file, options).run();
}

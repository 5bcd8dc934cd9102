/**
 * libyaml 0.2.5's emitter (what Psych writes through), for the block-style
 * documents Psych produces: one document, `---` start, implicit end, block
 * mappings and sequences, empty collections in flow style, and scalars whose
 * final style libyaml picks from Psych's request and its own analysis of the
 * text. Column counting, line folding at 80 columns, indentation and
 * quoting follow emitter.c step for step, so the bytes match Ruby's
 * `YAML.dump`. Anchors, flow collections with items, canonical mode and
 * other options Psych does not use here are left out.
 */
import type { MappingNode, ScalarNode, ScalarStyle, SequenceNode, YamlNode } from "./nodes.js";

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

type Final = Exclude<ScalarStyle, "any">;

interface Analysis {
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

const isBreak = (c: number | undefined) =>
  c === 0x0d || c === 0x0a || c === 0x85 || c === 0x2028 || c === 0x2029;
const isSpace = (c: number | undefined) => c === 0x20;
const isBlank = (c: number | undefined) => c === 0x20 || c === 0x09;
/** Blank, break, NUL — and the end of the text, which libyaml sees as its NUL terminator. */
const isBlankZ = (c: number | undefined) => c === undefined || c === 0 || isBlank(c) || isBreak(c);

/** libyaml's IS_PRINTABLE, on code points rather than UTF-8 bytes. */
function isPrintable(c: number): boolean {
  return (
    c === 0x0a ||
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)
  );
}

function analyze(chars: readonly number[]): Analysis {
  if (chars.length === 0) {
    return {
      multiline: false,
      flowPlainAllowed: false,
      blockPlainAllowed: true,
      singleQuotedAllowed: true,
      blockAllowed: false,
    };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;

  const three = (c: number) => chars[0] === c && chars[1] === c && chars[2] === c;
  if (three(0x2d) || three(0x2e)) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  let followedByWhitespace = isBlankZ(chars[1]);

  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as number;
    const ch = String.fromCodePoint(c);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      }
      if (ch === "?" || ch === ":") {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === "-" && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else {
      if (",?[]{}".includes(ch)) flowIndicators = true;
      if (ch === ":") {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === "#" && precededByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }
    if (!isPrintable(c)) specialCharacters = true;
    if (isBreak(c)) lineBreaks = true;

    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankZ(c);
    if (i + 1 < chars.length) followedByWhitespace = isBlankZ(chars[i + 2]);
  }

  const a: Analysis = {
    multiline: lineBreaks,
    flowPlainAllowed: true,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
  };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
  }
  if (trailingSpace) a.blockAllowed = false;
  if (breakSpace) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
    a.blockAllowed = false;
  }
  if (lineBreaks) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
  }
  if (flowIndicators) a.flowPlainAllowed = false;
  if (blockIndicators) a.blockPlainAllowed = false;
  return a;
}

/** Tag handle and suffix as the default %TAG directives shorten them (`!!str`, `!binary`). */
function splitTag(tag: string): { handle: string | undefined; suffix: string } {
  const secondary = "tag:yaml.org,2002:";
  if (tag.length > secondary.length && tag.startsWith(secondary)) {
    return { handle: "!!", suffix: tag.slice(secondary.length) };
  }
  if (tag.length > 1 && tag.startsWith("!")) return { handle: "!", suffix: tag.slice(1) };
  return { handle: undefined, suffix: tag };
}

const TAG_CHAR = /[0-9A-Za-z_\-;/?:@&=+$,.~*'()[\]]/;

interface Context {
  root: boolean;
  sequence: boolean;
  mapping: boolean;
  simpleKey: boolean;
}

/** Writes `node` as one YAML document, the way `YAML.dump` does. */
export function emitDocument(node: YamlNode): string {
  return new Emitter().document(node);
}

class Emitter {
  #out: string[] = [];
  #column = 0;
  #whitespace = true;
  #indention = true;
  #indent = -1;
  readonly #indents: number[] = [];
  #flowLevel = 0;
  #openEnded = 0;
  #context: Context = { root: false, sequence: false, mapping: false, simpleKey: false };

  document(node: YamlNode): string {
    this.#writeIndent();
    this.#writeIndicator("---", true, false, false);
    this.#openEnded = 0;
    this.#node(node, { root: true, sequence: false, mapping: false, simpleKey: false });
    // Document end, implicit.
    this.#writeIndent();
    if (!this.#openEnded) this.#openEnded = 1;
    // Stream end: a kept trailing blank line needs the explicit end marker.
    if (this.#openEnded === 2) {
      this.#writeIndicator("...", true, false, false);
      this.#openEnded = 0;
      this.#writeIndent();
    }
    return this.#out.join("");
  }

  // ------------------------------------------------------------- primitives

  #put(text: string): void {
    this.#out.push(text);
    this.#column += [...text].length;
  }

  #putBreak(): void {
    this.#out.push("\n");
    this.#column = 0;
  }

  /** WRITE_BREAK: `\n` becomes the emitter's line break, other breaks are copied. */
  #writeBreak(c: number): void {
    if (c === 0x0a) this.#putBreak();
    else {
      this.#out.push(String.fromCodePoint(c));
      this.#column = 0;
    }
  }

  #increaseIndent(flow: boolean, indentless: boolean): void {
    this.#indents.push(this.#indent);
    if (this.#indent < 0) this.#indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.#indent += BEST_INDENT;
  }

  #popIndent(): void {
    this.#indent = this.#indents.pop() ?? -1;
  }

  #writeIndent(): void {
    const indent = Math.max(this.#indent, 0);
    if (!this.#indention || this.#column > indent || (this.#column === indent && !this.#whitespace)) {
      this.#putBreak();
    }
    while (this.#column < indent) this.#put(" ");
    this.#whitespace = true;
    this.#indention = true;
  }

  #writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean) {
    if (needWhitespace && !this.#whitespace) this.#put(" ");
    this.#put(indicator);
    this.#whitespace = isWhitespace;
    this.#indention = this.#indention && isIndention;
  }

  // ------------------------------------------------------------------ nodes

  #node(node: YamlNode, context: Context): void {
    this.#context = context;
    if (node.kind === "scalar") this.#scalar(node);
    else if (node.kind === "sequence") this.#sequence(node);
    else this.#mapping(node);
  }

  #sequence(node: SequenceNode): void {
    if (this.#flowLevel > 0 || node.items.length === 0) {
      this.#writeIndicator("[", true, true, false);
      this.#increaseIndent(true, false);
      this.#flowLevel++;
      if (node.items.length > 0) throw new Error("flow sequences with items are not emitted");
      this.#flowLevel--;
      this.#popIndent();
      this.#writeIndicator("]", false, false, false);
      return;
    }
    this.#increaseIndent(false, this.#context.mapping && !this.#indention);
    for (const item of node.items) {
      this.#writeIndent();
      this.#writeIndicator("-", true, false, true);
      this.#node(item, { root: false, sequence: true, mapping: false, simpleKey: false });
    }
    this.#popIndent();
  }

  #mapping(node: MappingNode): void {
    if (this.#flowLevel > 0 || node.pairs.length === 0) {
      this.#writeIndicator("{", true, true, false);
      this.#increaseIndent(true, false);
      this.#flowLevel++;
      if (node.pairs.length > 0) throw new Error("flow mappings with items are not emitted");
      this.#flowLevel--;
      this.#popIndent();
      this.#writeIndicator("}", false, false, false);
      return;
    }
    this.#increaseIndent(false, false);
    for (const [key, value] of node.pairs) {
      this.#writeIndent();
      if (this.#isSimpleKey(key)) {
        this.#node(key, { root: false, sequence: false, mapping: true, simpleKey: true });
        this.#writeIndicator(":", false, false, false);
      } else {
        this.#writeIndicator("?", true, false, true);
        this.#node(key, { root: false, sequence: false, mapping: true, simpleKey: false });
        this.#writeIndent();
        this.#writeIndicator(":", true, false, true);
      }
      this.#node(value, { root: false, sequence: false, mapping: true, simpleKey: false });
    }
    this.#popIndent();
  }

  #isSimpleKey(node: YamlNode): boolean {
    let length = 0;
    if (node.kind === "scalar") {
      if (analyze(codePoints(node.value)).multiline) return false;
      const tag = this.#tagFor(node);
      length +=
        (tag.handle?.length ?? 0) +
        (tag.handle || tag.suffix ? Buffer.byteLength(tag.suffix) : 0) +
        Buffer.byteLength(node.value);
    } else if (node.kind === "sequence") {
      if (node.items.length > 0) return false;
    } else if (node.pairs.length > 0) {
      return false;
    }
    return length <= 128;
  }

  /** The tag libyaml analyses: only when the scalar cannot be read back untagged. */
  #tagFor(node: ScalarNode): { handle: string | undefined; suffix: string } {
    if (node.tag !== undefined && !node.plainImplicit && !node.quotedImplicit) return splitTag(node.tag);
    return { handle: undefined, suffix: "" };
  }

  #scalar(node: ScalarNode): void {
    const chars = codePoints(node.value);
    const a = analyze(chars);
    let tag = this.#tagFor(node);
    const noTag = tag.handle === undefined && tag.suffix === "";
    if (noTag && !node.plainImplicit && !node.quotedImplicit) {
      throw new Error("neither tag nor implicit flags are specified");
    }

    let style: Final = node.style === "any" ? "plain" : node.style;
    if (this.#context.simpleKey && a.multiline) style = "double";
    if (style === "plain") {
      if ((this.#flowLevel > 0 && !a.flowPlainAllowed) || (this.#flowLevel === 0 && !a.blockPlainAllowed)) {
        style = "single";
      }
      if (chars.length === 0 && (this.#flowLevel > 0 || this.#context.simpleKey)) style = "single";
      if (noTag && !node.plainImplicit) style = "single";
    }
    if (style === "single" && !a.singleQuotedAllowed) style = "double";
    if (style === "literal" || style === "folded") {
      if (!a.blockAllowed || this.#flowLevel > 0 || this.#context.simpleKey) style = "double";
    }
    if (noTag && !node.quotedImplicit && style !== "plain") tag = { handle: "!", suffix: "" };

    this.#writeTag(tag);
    this.#increaseIndent(true, false);
    const allowBreaks = !this.#context.simpleKey;
    if (style === "plain") this.#plain(chars, allowBreaks);
    else if (style === "single") this.#singleQuoted(chars, allowBreaks);
    else if (style === "double") this.#doubleQuoted(chars, allowBreaks);
    else if (style === "literal") this.#literal(chars);
    else throw new Error("folded scalars are not emitted");
    this.#popIndent();
  }

  #writeTag(tag: { handle: string | undefined; suffix: string }): void {
    if (tag.handle === undefined && tag.suffix === "") return;
    if (tag.handle !== undefined) {
      if (!this.#whitespace) this.#put(" ");
      this.#put(tag.handle);
      this.#whitespace = false;
      this.#indention = false;
      if (tag.suffix !== "") this.#tagContent(tag.suffix, false);
    } else {
      this.#writeIndicator("!<", true, false, false);
      this.#tagContent(tag.suffix, false);
      this.#writeIndicator(">", false, false, false);
    }
  }

  #tagContent(text: string, needWhitespace: boolean): void {
    if (needWhitespace && !this.#whitespace) this.#put(" ");
    for (const ch of text) {
      if (TAG_CHAR.test(ch)) this.#put(ch);
      else {
        for (const byte of Buffer.from(ch, "utf8")) {
          this.#put(`%${byte.toString(16).toUpperCase().padStart(2, "0")}`);
        }
      }
    }
    this.#whitespace = false;
    this.#indention = false;
  }

  // ---------------------------------------------------------------- scalars

  #plain(chars: readonly number[], allowBreaks: boolean): void {
    if (!this.#whitespace && (chars.length > 0 || this.#flowLevel > 0)) this.#put(" ");
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as number;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.#column > BEST_WIDTH && !isSpace(chars[i + 1])) {
          this.#writeIndent();
        } else {
          this.#put(" ");
        }
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.#putBreak();
        this.#writeBreak(c);
        this.#indention = true;
        breaks = true;
      } else {
        if (breaks) this.#writeIndent();
        this.#put(String.fromCodePoint(c));
        this.#indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.#whitespace = false;
    this.#indention = false;
  }

  #singleQuoted(chars: readonly number[], allowBreaks: boolean): void {
    this.#writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as number;
      if (isSpace(c)) {
        if (
          allowBreaks &&
          !spaces &&
          this.#column > BEST_WIDTH &&
          i !== 0 &&
          i !== chars.length - 1 &&
          !isSpace(chars[i + 1])
        ) {
          this.#writeIndent();
        } else {
          this.#put(" ");
        }
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.#putBreak();
        this.#writeBreak(c);
        this.#indention = true;
        breaks = true;
      } else {
        if (breaks) this.#writeIndent();
        if (c === 0x27) this.#put("'");
        this.#put(String.fromCodePoint(c));
        this.#indention = false;
        spaces = false;
        breaks = false;
      }
    }
    if (breaks) this.#writeIndent();
    this.#writeIndicator("'", false, false, false);
    this.#whitespace = false;
    this.#indention = false;
  }

  #doubleQuoted(chars: readonly number[], allowBreaks: boolean): void {
    this.#writeIndicator('"', true, false, false);
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as number;
      if (!isPrintable(c) || c === 0xfeff || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.#put(`\\${escapeFor(c)}`);
        spaces = false;
      } else if (isSpace(c)) {
        if (allowBreaks && !spaces && this.#column > BEST_WIDTH && i !== 0 && i !== chars.length - 1) {
          this.#writeIndent();
          if (isSpace(chars[i + 1])) this.#put("\\");
        } else {
          this.#put(" ");
        }
        spaces = true;
      } else {
        this.#put(String.fromCodePoint(c));
        spaces = false;
      }
    }
    this.#writeIndicator('"', false, false, false);
    this.#whitespace = false;
    this.#indention = false;
  }

  #literal(chars: readonly number[]): void {
    this.#writeIndicator("|", true, false, false);
    this.#blockHints(chars);
    this.#putBreak();
    this.#indention = true;
    this.#whitespace = true;
    let breaks = true;
    for (const c of chars) {
      if (isBreak(c)) {
        this.#writeBreak(c);
        this.#indention = true;
        breaks = true;
      } else {
        if (breaks) this.#writeIndent();
        this.#put(String.fromCodePoint(c));
        this.#indention = false;
        breaks = false;
      }
    }
  }

  #blockHints(chars: readonly number[]): void {
    if (isSpace(chars[0]) || isBreak(chars[0])) {
      this.#writeIndicator(String(BEST_INDENT), false, false, false);
    }
    this.#openEnded = 0;
    let chomp: string | undefined;
    const last = chars[chars.length - 1];
    if (chars.length === 0 || !isBreak(last)) chomp = "-";
    else if (chars.length === 1 || isBreak(chars[chars.length - 2])) {
      chomp = "+";
      this.#openEnded = 2;
    }
    if (chomp !== undefined) this.#writeIndicator(chomp, false, false, false);
  }
}

function codePoints(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) out.push(ch.codePointAt(0) as number);
  return out;
}

/** The escape after `\` in a double-quoted scalar. */
function escapeFor(c: number): string {
  switch (c) {
    case 0x00:
      return "0";
    case 0x07:
      return "a";
    case 0x08:
      return "b";
    case 0x09:
      return "t";
    case 0x0a:
      return "n";
    case 0x0b:
      return "v";
    case 0x0c:
      return "f";
    case 0x0d:
      return "r";
    case 0x1b:
      return "e";
    case 0x22:
      return '"';
    case 0x5c:
      return "\\";
    case 0x85:
      return "N";
    case 0xa0:
      return "_";
    case 0x2028:
      return "L";
    case 0x2029:
      return "P";
    default: {
      const [letter, width] = c <= 0xff ? ["x", 2] : c <= 0xffff ? ["u", 4] : ["U", 8];
      return `${letter}${c.toString(16).toUpperCase().padStart(width, "0")}`;
    }
  }
}

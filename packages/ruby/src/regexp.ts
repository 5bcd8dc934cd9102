/**
 * Ruby (Onigmo) regular expressions, rewritten as JavaScript ones.
 *
 * Filters carry regex source written for Ruby daemons (`-I /web\d+/`,
 * `-F "os=/(?i)debian/"`, `fact('x').value=/re/`) and DDLs validate inputs
 * with Ruby patterns (`:validation => '^\w+$'`), so Phobos has to give the
 * answer Ruby gives. The differences that matter:
 *
 * - `^` and `$` are line anchors in Ruby, and `.` never matches `\n` (Ruby's
 *   `m` option makes it match); `\A \z \Z \h \R` exist; `\s` is ASCII only.
 * - inline options `(?i)`, `(?mix-mix)`, `(?i:…)`, which Node 20 lacks: an
 *   option change that does not cover the whole pattern is done by spelling
 *   each letter in both cases. Onigmo lets an isolated `(?i)` run to the end
 *   of its group, alternatives included (`a(?i)b|c` is `a(?i:b|c)`).
 * - once a pattern names a group, its plain `( )` groups stop capturing.
 * - POSIX brackets, nested classes (a union), `{,n}`, unknown escapes taken
 *   literally (`\y` is `y`), a leading `]` in a class taken literally.
 *
 * What cannot be rewritten faithfully (atomic groups, possessive quantifiers,
 * `\G \K \X \g`, class intersection, …) raises `RubyRegexpError` of kind
 * "unsupported"; a pattern Ruby itself would refuse raises kind "invalid".
 * Callers turn either into a non-match: never a wider match than Ruby's.
 */

/** `Regexp::IGNORECASE`, `EXTENDED`, `MULTILINE`: the bits of `Regexp#options`. */
export const RUBY_REGEXP_IGNORECASE = 1;
export const RUBY_REGEXP_EXTENDED = 2;
export const RUBY_REGEXP_MULTILINE = 4;

export type RubyRegexpFailure = "invalid" | "unsupported";

export class RubyRegexpError extends Error {
  readonly kind: RubyRegexpFailure;
  readonly source: string;
  /** What is wrong, without the pattern. */
  readonly reason: string;

  constructor(kind: RubyRegexpFailure, message: string, source: string) {
    super(`${kind} Ruby regular expression /${source}/: ${message}`);
    this.name = "RubyRegexpError";
    this.kind = kind;
    this.source = source;
    this.reason = message;
  }
}

interface Flags {
  i: boolean;
  m: boolean;
  x: boolean;
}

interface Frame {
  saved: Flags;
  /** Opened by an isolated `(?i)`; closes with the enclosing group. */
  implicit: boolean;
}

/** Restart signals between translation passes (never escape this module). */
class NeedsCaseExpansion {}
class HasNamedGroups {}

const RUBY_SPACE = " \\t\\n\\v\\f\\r";
const RUBY_SPACE_CHARS = new Set([" ", "\t", "\n", "\v", "\f", "\r"]);
const SYNTAX = new Set([..."^$\\.*+?()[]{}|/"]);
const CLASS_SYNTAX = new Set([..."\\]^-["]);
// Ruby's `^` matches at the start and after a newline, but not after a newline that ends the
// string. JS `^`/`$` (no m flag) mark the ends of input: V8's u-mode `(?![\s\S])` misfires
// inside surrogate pairs.
const BOL = "(?:^|(?<=\\n)(?!$))";
const EOL = "(?=\\n|$)";

/** POSIX bracket and Onigmo property names → contents of a JS class (Unicode, like Ruby on UTF-8 strings). */
const NAMED_SETS: Record<string, string> = {
  alpha: "\\p{Alphabetic}",
  alnum: "\\p{Alphabetic}\\p{Nd}",
  digit: "\\p{Nd}",
  lower: "\\p{Lowercase}",
  upper: "\\p{Uppercase}",
  space: "\\p{White_Space}",
  blank: "\\p{Zs}\\t",
  cntrl: "\\p{Cc}",
  punct: "\\p{P}$+<=>^`|~",
  xdigit: "0-9a-fA-F",
  word: "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}",
  ascii: "\\x00-\\x7F",
  any: "\\s\\S",
};

const NEGATED_NAMED_SETS: Record<string, string> = {
  alpha: "\\P{Alphabetic}",
  digit: "\\P{Nd}",
  lower: "\\P{Lowercase}",
  upper: "\\P{Uppercase}",
  space: "\\P{White_Space}",
  cntrl: "\\P{Cc}",
  xdigit: "\\P{AHex}",
  ascii: "\\P{ASCII}",
};

/** A name from the pattern looked up in a table: never an Object.prototype member (`constructor`). */
function lookup(table: Record<string, string>, name: string): string | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

const GENERAL_CATEGORIES = new Set(
  "L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn".split(
    " ",
  ),
);

const SCRIPTS = new Map(
  [
    "Latin",
    "Greek",
    "Cyrillic",
    "Armenian",
    "Hebrew",
    "Arabic",
    "Devanagari",
    "Bengali",
    "Thai",
    "Georgian",
    "Hangul",
    "Hiragana",
    "Katakana",
    "Han",
    "Common",
  ].map((s) => [s.toLowerCase(), s]),
);

function caseVariants(c: string): string[] {
  const variants = new Set([c]);
  for (const v of [c.toLowerCase(), c.toUpperCase()]) {
    if ([...v].length === 1) variants.add(v);
  }
  return [...variants];
}

function codePointEscape(c: string): string {
  return `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`;
}

function classLiteral(c: string): string {
  if (CLASS_SYNTAX.has(c)) return `\\${c}`;
  // Control characters are safe inside the pattern, but escaping keeps the output printable.
  const code = c.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? codePointEscape(c) : c;
}

function literal(c: string): string {
  if (SYNTAX.has(c)) return `\\${c}`;
  const code = c.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? codePointEscape(c) : c;
}

/** A class item: one character (can start or end a range) or a prepared set. */
type ClassItem = { char: string } | { set: string };

class Translator {
  private readonly chars: string[];
  private pos = 0;
  private flags: Flags;
  private readonly frames: Frame[] = [];
  private readonly initialIgnoreCase: boolean;

  constructor(
    body: string,
    initial: Flags,
    /** Spell letters in both cases where `i` applies, instead of the JS `i` flag. */
    private readonly expandCase: boolean,
    private readonly namedGroups: boolean,
    /** The pattern as written, for messages. */
    private readonly source: string,
  ) {
    this.chars = Array.from(body);
    this.flags = { ...initial };
    this.initialIgnoreCase = initial.i;
  }

  translate(): string {
    let out = "";
    while (this.pos < this.chars.length) out += this.term();
    while (this.frames.at(-1)?.implicit) out += this.closeFrame();
    if (this.frames.length > 0) this.invalid("end pattern with unmatched parenthesis");
    return out;
  }

  private invalid(message: string): never {
    throw new RubyRegexpError("invalid", message, this.source);
  }

  private unsupported(message: string): never {
    throw new RubyRegexpError("unsupported", message, this.source);
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.pos + offset];
  }

  private setFlags(next: Flags): void {
    if (!this.expandCase && next.i !== this.initialIgnoreCase) throw new NeedsCaseExpansion();
    this.flags = next;
  }

  private closeFrame(): string {
    const frame = this.frames.pop();
    if (!frame) this.invalid("unmatched close parenthesis");
    this.flags = frame.saved;
    return ")";
  }

  private char(c: string): string {
    if (this.expandCase && this.flags.i) {
      const variants = caseVariants(c);
      if (variants.length > 1) return `[${variants.map(classLiteral).join("")}]`;
    }
    return literal(c);
  }

  private term(): string {
    const c = this.chars[this.pos] as string;
    if (this.flags.x) {
      if (RUBY_SPACE_CHARS.has(c)) {
        this.pos += 1;
        return "";
      }
      if (c === "#") {
        while (this.pos < this.chars.length && this.chars[this.pos] !== "\n") this.pos += 1;
        return "";
      }
    }
    switch (c) {
      case "\\":
        return this.escape();
      case "(":
        return this.group();
      case ")": {
        this.pos += 1;
        let out = "";
        while (this.frames.at(-1)?.implicit) out += this.closeFrame();
        return out + this.closeFrame();
      }
      case "[":
        return this.charClass();
      case ".":
        this.pos += 1;
        return this.flags.m ? "[\\s\\S]" : "[^\\n]";
      case "^":
        this.pos += 1;
        return BOL;
      case "$":
        this.pos += 1;
        return EOL;
      case "*":
      case "+":
      case "?":
        this.pos += 1;
        return c + this.quantifierSuffix();
      case "{":
        return this.brace();
      case "|":
        this.pos += 1;
        return "|";
      default:
        this.pos += 1;
        return this.char(c);
    }
  }

  private quantifierSuffix(): string {
    const next = this.peek();
    if (next === "?") {
      this.pos += 1;
      return "?";
    }
    if (next === "+") this.unsupported("possessive quantifier");
    return "";
  }

  private brace(): string {
    const rest = this.chars.slice(this.pos, this.pos + 40).join("");
    const m = /^\{(\d*)(,?)(\d*)\}/.exec(rest);
    if (!m || (m[1] === "" && m[3] === "")) {
      // Not an interval: Ruby (like Annex B JavaScript) reads the brace literally.
      this.pos += 1;
      return "\\{";
    }
    this.pos += m[0].length;
    const body = `{${m[1] === "" ? "0" : m[1]}${m[2]}${m[3]}}`;
    const next = this.peek();
    if (next === "?") {
      this.pos += 1;
      return `${body}?`;
    }
    if (next === "+") this.unsupported("a quantifier on an interval");
    return body;
  }

  private group(): string {
    this.pos += 1;
    if (this.peek() !== "?") {
      this.frames.push({ saved: this.flags, implicit: false });
      return this.namedGroups ? "(?:" : "(";
    }
    this.pos += 1;
    const c = this.peek();
    switch (c) {
      case "#": {
        while (this.pos < this.chars.length && this.chars[this.pos] !== ")") this.pos += 1;
        if (this.pos >= this.chars.length) this.invalid("end pattern in group");
        this.pos += 1;
        return "";
      }
      case ":":
      case "=":
      case "!":
        this.pos += 1;
        this.frames.push({ saved: this.flags, implicit: false });
        return `(?${c}`;
      case "<":
      case "'": {
        const after = this.peek(1);
        if (c === "<" && (after === "=" || after === "!")) {
          this.pos += 2;
          this.frames.push({ saved: this.flags, implicit: false });
          return `(?<${after}`;
        }
        const close = c === "<" ? ">" : "'";
        this.pos += 1;
        let name = "";
        while (this.pos < this.chars.length && this.chars[this.pos] !== close) name += this.chars[this.pos++];
        if (this.pos >= this.chars.length || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
          this.invalid(`invalid group name <${name}>`);
        }
        this.pos += 1;
        if (!this.namedGroups) throw new HasNamedGroups();
        this.frames.push({ saved: this.flags, implicit: false });
        return `(?<${name}>`;
      }
      case ">":
        return this.unsupported("atomic group");
      case "~":
        return this.unsupported("absence operator");
      case "(":
        return this.unsupported("conditional group");
      default:
        return this.optionGroup();
    }
  }

  private optionGroup(): string {
    const next: Flags = { ...this.flags };
    let on = true;
    for (;;) {
      const c = this.peek();
      this.pos += 1;
      if (c === "-" && on) {
        on = false;
      } else if (c === "i" || c === "m" || c === "x") {
        next[c] = on;
      } else if (c === ")") {
        // Isolated option: it governs the rest of the enclosing group, alternatives too.
        this.frames.push({ saved: this.flags, implicit: true });
        this.setFlags(next);
        return "(?:";
      } else if (c === ":") {
        this.frames.push({ saved: this.flags, implicit: false });
        this.setFlags(next);
        return "(?:";
      } else {
        return this.invalid("undefined group option");
      }
    }
  }

  private backreference(text: string): string {
    if (this.expandCase && this.flags.i) this.unsupported("backreference under a scoped (?i)");
    return `(?:${text})`;
  }

  /** `\x41`, `\u0041`, `\u{41}`, `\101`, `\cA`: one character, or undefined if not such an escape. */
  private characterEscape(): string | undefined {
    const d = this.peek(1) as string;
    const take = (n: number): void => {
      this.pos += n;
    };
    switch (d) {
      case "n":
        take(2);
        return "\n";
      case "t":
        take(2);
        return "\t";
      case "r":
        take(2);
        return "\r";
      case "f":
        take(2);
        return "\f";
      case "v":
        take(2);
        return "\v";
      case "a":
        take(2);
        return "\x07";
      case "e":
        take(2);
        return "\x1b";
      case "x": {
        const m = /^[0-9a-fA-F]{1,2}/.exec(this.chars.slice(this.pos + 2, this.pos + 4).join(""));
        if (!m) this.invalid("invalid hex escape");
        take(2 + m[0].length);
        return String.fromCodePoint(Number.parseInt(m[0], 16));
      }
      case "u": {
        const rest = this.chars.slice(this.pos + 2, this.pos + 12).join("");
        const braced = /^\{([0-9a-fA-F]{1,6})\}/.exec(rest);
        const plain = /^[0-9a-fA-F]{4}/.exec(rest);
        const hex = braced ? braced[1] : plain?.[0];
        if (hex === undefined) this.invalid("invalid Unicode escape");
        const cp = Number.parseInt(hex, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.invalid("invalid Unicode range");
        take(2 + (braced ? braced[0].length : 4));
        return String.fromCodePoint(cp);
      }
      case "0": {
        const m = /^[0-7]{0,2}/.exec(this.chars.slice(this.pos + 2, this.pos + 4).join(""));
        const digits = m?.[0] ?? "";
        take(2 + digits.length);
        return String.fromCodePoint(Number.parseInt(`0${digits}`, 8));
      }
      case "c": {
        const x = this.peek(2);
        if (x === undefined) this.invalid("end pattern at control");
        take(3);
        return String.fromCodePoint((x.codePointAt(0) ?? 0) & 0x1f);
      }
      case "C": {
        const x = this.peek(3);
        if (this.peek(2) !== "-" || x === undefined) this.invalid("invalid control-code syntax");
        take(4);
        return String.fromCodePoint((x.codePointAt(0) ?? 0) & 0x1f);
      }
      case "M":
        return this.invalid("invalid multibyte escape");
      default:
        return undefined;
    }
  }

  /** `\p{Alpha}`, `\p{^Greek}`, `\P{L}` → contents of a JS class, and whether it is negated. */
  private property(): { body: string; negated: boolean } {
    const upper = this.peek(1) === "P";
    const rest = this.chars.slice(this.pos + 2, this.pos + 64).join("");
    const m = /^\{(\^?)([^}]*)\}/.exec(rest);
    if (!m) this.invalid("invalid character property name");
    this.pos += 2 + m[0].length;
    const negated = upper !== (m[1] === "^");
    const name = (m[2] ?? "").replace(/[\s_-]/g, "");
    const lower = name.toLowerCase();
    if (GENERAL_CATEGORIES.has(name)) return { body: `\\p{${name}}`, negated };
    if (this.expandCase && this.flags.i && (lower === "upper" || lower === "lower"))
      this.unsupported(`\\p{${m[2]}} under a scoped (?i)`);
    const named = lookup(NAMED_SETS, lower);
    if (named !== undefined) return { body: named, negated };
    const script = SCRIPTS.get(lower);
    if (script !== undefined) return { body: `\\p{Script=${script}}`, negated };
    return this.unsupported(`character property {${m[2]}}`);
  }

  private escape(): string {
    const d = this.peek(1);
    if (d === undefined) this.invalid("too short escape sequence");
    switch (d) {
      case "A":
        this.pos += 2;
        return "^";
      case "z":
        this.pos += 2;
        return "$";
      case "Z":
        this.pos += 2;
        return "(?=\\n?$)";
      case "b":
      case "B":
      case "d":
      case "D":
      case "w":
      case "W":
        this.pos += 2;
        return `\\${d}`;
      case "s":
        this.pos += 2;
        return `[${RUBY_SPACE}]`;
      case "S":
        this.pos += 2;
        return `[^${RUBY_SPACE}]`;
      case "h":
        this.pos += 2;
        return "[0-9a-fA-F]";
      case "H":
        this.pos += 2;
        return "[^0-9a-fA-F]";
      case "R":
        this.pos += 2;
        return "(?:\\r\\n|[\\n\\v\\f\\r\\u0085\\u2028\\u2029])";
      case "G":
      case "K":
      case "X":
      case "g":
        return this.unsupported(`\\${d}`);
      case "p":
      case "P": {
        const { body, negated } = this.property();
        return negated ? `[^${body}]` : `[${body}]`;
      }
      case "k": {
        const rest = this.chars.slice(this.pos + 2, this.pos + 64).join("");
        const m = /^(?:<([^>]*)>|'([^']*)')/.exec(rest);
        if (!m) this.invalid("invalid backref name");
        this.pos += 2 + m[0].length;
        const name = m[1] ?? m[2] ?? "";
        if (/^[1-9][0-9]*$/.test(name)) return this.backreference(`\\${name}`);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) this.unsupported(`backreference \\k<${name}>`);
        return this.backreference(`\\k<${name}>`);
      }
      default:
        break;
    }
    if (d >= "1" && d <= "9") {
      let digits = "";
      let i = this.pos + 1;
      while (i < this.chars.length && /[0-9]/.test(this.chars[i] as string)) digits += this.chars[i++];
      if (digits.length > 1) this.unsupported("multi-digit backreference or octal escape");
      if (this.namedGroups) this.invalid("numbered backref/call is not allowed (use name)");
      this.pos = i;
      return this.backreference(`\\${digits}`);
    }
    const single = this.characterEscape();
    if (single !== undefined) return this.char(single);
    this.pos += 2;
    // Ruby takes an unknown escape literally (`\y` matches "y").
    return this.char(d);
  }

  private charClass(): string {
    this.pos += 1;
    let negated = false;
    if (this.peek() === "^") {
      negated = true;
      this.pos += 1;
    }
    const body = this.classBody();
    return `[${negated ? "^" : ""}${body}]`;
  }

  /** Reads up to and including the closing `]`; returns the contents of the JS class. */
  private classBody(): string {
    let out = "";
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.invalid("premature end of char-class");
      if (c === "]" && !first) {
        this.pos += 1;
        return out;
      }
      first = false;
      if (c === "&" && this.peek(1) === "&") this.unsupported("character class intersection");
      const item: ClassItem = c === "[" ? { set: this.nestedClass() } : this.classItem();
      if ("set" in item) {
        if (this.peek() === "-" && this.peek(1) !== "]")
          this.invalid("unmatched range specifier in char-class");
        out += item.set;
        continue;
      }
      if (this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== undefined) {
        this.pos += 1;
        const hi = this.peek() === "[" ? undefined : this.classItem();
        if (!hi || "set" in hi) this.invalid("char-class value at end of range");
        out += this.range(item.char, hi.char);
      } else {
        out += this.classChar(item.char);
      }
    }
  }

  private nestedClass(): string {
    const rest = this.chars.slice(this.pos, this.pos + 16).join("");
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(rest);
    if (posix) {
      this.pos += posix[0].length;
      const name = posix[2] as string;
      // Under (?i) Onigmo's [[:upper:]] also matches what case-folds to an upper-case
      // letter; the JS i flag folds the same way, letter-by-letter expansion cannot.
      if (this.expandCase && this.flags.i && (name === "upper" || name === "lower"))
        this.unsupported(`[:${name}:] under a scoped (?i)`);
      if (posix[1] === "^") {
        const negated = lookup(NEGATED_NAMED_SETS, name);
        if (negated === undefined) this.unsupported(`negated POSIX bracket [:^${name}:]`);
        return negated;
      }
      const set = lookup(NAMED_SETS, name);
      if (set === undefined || name === "any") this.invalid(`invalid POSIX bracket type [:${name}:]`);
      return set;
    }
    this.pos += 1;
    if (this.peek() === "^") this.unsupported("negated nested character class");
    // A nested class is a union: its members simply join the outer class.
    return this.classBody();
  }

  private classItem(): ClassItem {
    const c = this.peek() as string;
    if (c !== "\\") {
      this.pos += 1;
      return { char: c };
    }
    const d = this.peek(1);
    if (d === undefined) this.invalid("premature end of char-class");
    const sets: Record<string, string> = {
      d: "\\d",
      D: "\\D",
      w: "\\w",
      W: "\\W",
      s: RUBY_SPACE,
      S: "\\S",
      h: "0-9a-fA-F",
      H: "\\P{AHex}",
    };
    const set = lookup(sets, d);
    if (set !== undefined) {
      this.pos += 2;
      return { set };
    }
    if (d === "p" || d === "P") {
      const { body, negated } = this.property();
      if (!negated) return { set: body };
      if (/^\\p\{[^}]+\}$/.test(body)) return { set: body.replace("\\p", "\\P") };
      return this.unsupported("negated multi-part property inside a class");
    }
    if (d === "b") {
      this.pos += 2;
      return { char: "\b" };
    }
    if ("AzZGKXRgk".includes(d) || (d >= "1" && d <= "9"))
      this.unsupported(`\\${d} inside a character class`);
    const single = this.characterEscape();
    if (single !== undefined) return { char: single };
    this.pos += 2;
    return { char: d };
  }

  private classChar(c: string): string {
    if (this.expandCase && this.flags.i) return caseVariants(c).map(classLiteral).join("");
    return classLiteral(c);
  }

  private range(lo: string, hi: string): string {
    const a = lo.codePointAt(0) ?? 0;
    const b = hi.codePointAt(0) ?? 0;
    if (a > b) this.invalid("empty range in char class");
    let out = `${classLiteral(lo)}-${classLiteral(hi)}`;
    if (!(this.expandCase && this.flags.i)) return out;
    if (b > 0x7f) this.unsupported("non-ASCII range under a scoped (?i)");
    const overlap = (from: number, to: number, shift: number): void => {
      const x = Math.max(a, from);
      const y = Math.min(b, to);
      if (x <= y) out += `${String.fromCharCode(x + shift)}-${String.fromCharCode(y + shift)}`;
    };
    overlap(0x41, 0x5a, 0x20);
    overlap(0x61, 0x7a, -0x20);
    return out;
  }
}

function translate(whole: string, options: number): { pattern: string; flags: string } {
  const initial: Flags = {
    i: (options & RUBY_REGEXP_IGNORECASE) !== 0,
    m: (options & RUBY_REGEXP_MULTILINE) !== 0,
    x: (options & RUBY_REGEXP_EXTENDED) !== 0,
  };
  // A leading isolated `(?i)` covers the whole pattern, so it can become a JS flag
  // (the common `/(?i)debian/`) instead of forcing letter-by-letter case expansion.
  let body = whole;
  for (;;) {
    const lead = /^\(\?([imx]*)(?:-([imx]*))?\)/.exec(body);
    if (!lead) break;
    for (const f of lead[1] ?? "") initial[f as keyof Flags] = true;
    for (const f of lead[2] ?? "") initial[f as keyof Flags] = false;
    body = body.slice(lead[0].length);
  }
  // `(?i-mx:…)` around the whole pattern (how Ruby prints a Regexp, and so how
  // DDLs and filters often carry one) is also just options for the whole pattern.
  const scoped = /^\(\?([imx]*)(?:-([imx]*))?:/.exec(body);
  if (scoped && body.endsWith(")")) {
    const inner: Flags = { ...initial };
    for (const f of scoped[1] ?? "") inner[f as keyof Flags] = true;
    for (const f of scoped[2] ?? "") inner[f as keyof Flags] = false;
    try {
      // Only when the inner text is balanced does the last `)` close the first `(`.
      return translateBody(body.slice(scoped[0].length, -1), inner, whole);
    } catch (e) {
      if (!(e instanceof RubyRegexpError)) throw e;
    }
  }
  return translateBody(body, initial, whole);
}

function translateBody(body: string, initial: Flags, whole: string): { pattern: string; flags: string } {
  let expandCase = false;
  let namedGroups = false;
  for (;;) {
    try {
      const pattern = new Translator(body, initial, expandCase, namedGroups, whole).translate();
      return { pattern, flags: expandCase || !initial.i ? "u" : "iu" };
    } catch (e) {
      if (e instanceof NeedsCaseExpansion) expandCase = true;
      else if (e instanceof HasNamedGroups) namedGroups = true;
      else throw e;
    }
  }
}

/**
 * `Regexp.new(source, options)` as the source and flags of a JavaScript
 * RegExp with Ruby's matching behaviour. Throws `RubyRegexpError`.
 */
export function translateRubyRegexp(source: string, options = 0): { pattern: string; flags: string } {
  const { pattern, flags } = translate(source, options);
  try {
    new RegExp(pattern, flags);
  } catch (e) {
    throw new RubyRegexpError("invalid", e instanceof Error ? e.message : String(e), source);
  }
  return { pattern, flags };
}

const cache = new Map<string, RegExp | RubyRegexpError>();
const CACHE_LIMIT = 512;

/**
 * `Regexp.new(source, options)` as a JavaScript RegExp with Ruby's matching
 * behaviour. Throws `RubyRegexpError`. Compiled patterns are cached; the
 * returned RegExp has no `g`/`y` flag, so it keeps no state between uses.
 */
export function compileRubyRegexp(source: string, options = 0): RegExp {
  const key = `${options & 7}:${source}`;
  const hit = cache.get(key);
  if (hit instanceof RegExp) return hit;
  if (hit) throw hit;
  let result: RegExp | RubyRegexpError;
  try {
    const { pattern, flags } = translateRubyRegexp(source, options);
    result = new RegExp(pattern, flags);
  } catch (e) {
    if (!(e instanceof RubyRegexpError)) throw e;
    result = e;
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, result);
  if (result instanceof RubyRegexpError) throw result;
  return result;
}

/** True when `c` is a character Ruby's `\s` matches. */
export function isRubySpace(c: string | undefined): boolean {
  return c !== undefined && RUBY_SPACE_CHARS.has(c);
}

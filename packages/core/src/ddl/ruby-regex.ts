/**
 * A Ruby (Onigmo) regular expression, rewritten so a JavaScript RegExp
 * matches exactly what Ruby would. MCollective validates inputs with Ruby's
 * semantics, which differ from JavaScript's in ways that matter for
 * validation: `^` and `$` are always line anchors (so `'^\w+$'` accepts
 * "ok\n;rm -rf /"), `$` only sees "\n", `.` is everything but "\n", `\s` is
 * ASCII only, `\h` is a hex digit, `\A`/`\z`/`\Z` anchor the whole string,
 * POSIX brackets exist, and escaping a harmless character is allowed.
 *
 * The object remembers its Ruby text so that `mco plugin doc` and the
 * "value should match …" message print what Ruby prints: a String pattern as
 * written, a Regexp literal as `(?-mix:source)`.
 */
import { DdlDefinitionError } from "../errors.js";

const SYNTAX_CHARS = new Set(["^", "$", "\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|", "/"]);
const CLASS_SPECIAL = new Set(["\\", "]", "[", "^", "-"]);
const RUBY_SPACE_CLASS = " \\t\\n\\v\\f\\r";

const POSIX_CLASSES: Record<string, string> = {
  alpha: "\\p{Alphabetic}",
  digit: "\\p{Nd}",
  alnum: "\\p{Alphabetic}\\p{Nd}",
  upper: "\\p{Uppercase}",
  lower: "\\p{Lowercase}",
  space: "\\p{White_Space}",
  blank: "\\p{Zs}\\t",
  punct: "\\p{P}",
  cntrl: "\\p{Cc}",
  xdigit: "0-9A-Fa-f",
  word: "\\p{L}\\p{M}\\p{Nd}\\p{Pc}",
  ascii: "\\x00-\\x7F",
};
const POSIX_NEGATED: Record<string, string> = {
  alpha: "\\P{Alphabetic}",
  digit: "\\P{Nd}",
  upper: "\\P{Uppercase}",
  lower: "\\P{Lowercase}",
  space: "\\P{White_Space}",
  punct: "\\P{P}",
  cntrl: "\\P{Cc}",
  ascii: "\\u{80}-\\u{10FFFF}",
};

/** Onigmo property names JavaScript spells differently. */
const PROPERTY_NAMES: Record<string, string> = {
  Alpha: "Alphabetic",
  Digit: "Nd",
  Upper: "Uppercase",
  Lower: "Lowercase",
  Space: "White_Space",
  Punct: "P",
};

class Unsupported extends Error {}

function hexEscape(code: number): string {
  return `\\u{${code.toString(16)}}`;
}

function literalChar(c: string, inClass: boolean): string {
  if (inClass) return CLASS_SPECIAL.has(c) ? `\\${c}` : c;
  return SYNTAX_CHARS.has(c) ? `\\${c}` : c;
}

/** Escapes that mean the same single character in Ruby and need no translation. */
function simpleEscape(c: string): string | undefined {
  switch (c) {
    case "n":
      return "\\n";
    case "t":
      return "\\t";
    case "r":
      return "\\r";
    case "f":
      return "\\f";
    case "v":
      return "\\v";
    case "e":
      return "\\x1b";
    case "a":
      return "\\x07";
    default:
      return undefined;
  }
}

function translate(source: string, options: string): string {
  const chars = Array.from(source);
  const dotAll = options.includes("m");
  const extended = options.includes("x");
  let out = "";
  let i = 0;
  let inClass = false;
  let classStart = false;
  const peek = (k = 0) => chars[i + k];

  /** `\x…` escapes shared by both contexts; returns undefined when not one of them. */
  const commonEscape = (c: string): string | undefined => {
    const simple = simpleEscape(c);
    if (simple) return simple;
    if (c === "x") {
      let hex = "";
      while (hex.length < 2 && /^[0-9a-fA-F]$/.test(peek() ?? "")) hex += chars[i++];
      if (hex === "") throw new Unsupported("invalid hex escape");
      return hexEscape(Number.parseInt(hex, 16));
    }
    if (c === "u") {
      if (peek() === "{") {
        const close = chars.indexOf("}", i);
        if (close < 0) throw new Unsupported("invalid Unicode escape");
        const codes = chars
          .slice(i + 1, close)
          .join("")
          .trim()
          .split(/\s+/);
        i = close + 1;
        return codes
          .map((h) => {
            const code = Number.parseInt(h, 16);
            if (!/^[0-9a-fA-F]{1,6}$/.test(h) || code > 0x10ffff)
              throw new Unsupported("invalid Unicode escape");
            return hexEscape(code);
          })
          .join("");
      }
      const hex = chars.slice(i, i + 4).join("");
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Unsupported("invalid Unicode escape");
      i += 4;
      return hexEscape(Number.parseInt(hex, 16));
    }
    if (c === "0") {
      let oct = "";
      while (oct.length < 2 && /^[0-7]$/.test(peek() ?? "")) oct += chars[i++];
      return hexEscape(Number.parseInt(oct || "0", 8));
    }
    if (c === "p" || c === "P") {
      if (peek() !== "{") throw new Unsupported(`\\${c} needs {…}`);
      const close = chars.indexOf("}", i);
      if (close < 0) throw new Unsupported(`unterminated \\${c}{`);
      let name = chars.slice(i + 1, close).join("");
      i = close + 1;
      let negate = c === "P";
      if (name.startsWith("^")) {
        negate = !negate;
        name = name.slice(1);
      }
      const mapped = Object.hasOwn(PROPERTY_NAMES, name) ? PROPERTY_NAMES[name] : undefined;
      return `\\${negate ? "P" : "p"}{${mapped ?? name}}`;
    }
    return undefined;
  };

  while (i < chars.length) {
    const c = chars[i++] as string;
    if (inClass) {
      const first = classStart;
      classStart = false;
      if (c === "]" && !first) {
        inClass = false;
        out += "]";
        continue;
      }
      if (c === "[") {
        if (peek() === ":") {
          const close = chars.indexOf("]", i);
          const body = close < 0 ? "" : chars.slice(i, close).join("");
          const m = /^:(\^?)([a-z]+):$/.exec(body);
          if (m) {
            const table = m[1] ? POSIX_NEGATED : POSIX_CLASSES;
            const name = m[2] ?? "";
            const expansion = Object.hasOwn(table, name) ? table[name] : undefined;
            if (!expansion) throw new Unsupported(`POSIX class [${body}]`);
            out += expansion;
            i = close + 1;
            continue;
          }
        }
        throw new Unsupported("nested character classes");
      }
      if (c === "&" && peek() === "&") throw new Unsupported("character class intersection (&&)");
      if (c === "\\") {
        const e = chars[i++];
        if (e === undefined) throw new Unsupported("trailing backslash");
        const common = commonEscape(e);
        if (common !== undefined) {
          out += common;
        } else if (e === "h") {
          out += "0-9a-fA-F";
        } else if (e === "s") {
          out += RUBY_SPACE_CLASS;
        } else if ("dDwWS".includes(e)) {
          out += `\\${e}`;
        } else if (e === "b") {
          out += "\\x08";
        } else if (e === "H" || /[A-Za-z]/.test(e)) {
          if ("GKRXgkABzZ".includes(e) || e === "H") throw new Unsupported(`\\${e} in a character class`);
          out += literalChar(e, true);
        } else {
          out += literalChar(e, true);
        }
        continue;
      }
      out += c === "-" || c === "^" ? c : literalChar(c, true);
      continue;
    }

    if (extended) {
      if (/\s/.test(c)) continue;
      if (c === "#") {
        while (i < chars.length && chars[i] !== "\n") i++;
        continue;
      }
    }
    switch (c) {
      case "\\": {
        const e = chars[i++];
        if (e === undefined) throw new Unsupported("trailing backslash");
        const common = commonEscape(e);
        if (common !== undefined) {
          out += common;
          break;
        }
        switch (e) {
          case "A":
            out += "(?<![\\s\\S])";
            break;
          case "z":
            out += "(?![\\s\\S])";
            break;
          case "Z":
            out += "(?=\\n?(?![\\s\\S]))";
            break;
          case "h":
            out += "[0-9a-fA-F]";
            break;
          case "H":
            out += "[^0-9a-fA-F]";
            break;
          case "s":
            out += `[${RUBY_SPACE_CLASS}]`;
            break;
          case "S":
            out += `[^${RUBY_SPACE_CLASS}]`;
            break;
          case "d":
          case "D":
          case "w":
          case "W":
          case "b":
          case "B":
            out += `\\${e}`;
            break;
          case "k": {
            const open = peek();
            const closeChar = open === "<" ? ">" : open === "'" ? "'" : undefined;
            const close = closeChar ? chars.indexOf(closeChar, i + 1) : -1;
            if (!closeChar || close < 0) throw new Unsupported("\\k needs a group name");
            out += `\\k<${chars.slice(i + 1, close).join("")}>`;
            i = close + 1;
            break;
          }
          default:
            if (/[1-9]/.test(e)) {
              let num = e;
              while (/[0-9]/.test(peek() ?? "")) num += chars[i++];
              out += `\\${num}`;
            } else if ("GKRXgcCM".includes(e)) {
              throw new Unsupported(`\\${e}`);
            } else {
              out += literalChar(e, false);
            }
        }
        break;
      }
      case ".":
        out += dotAll ? "[\\s\\S]" : "[^\\n]";
        break;
      case "^":
        out += "(?<![^\\n])";
        break;
      case "$":
        out += "(?=\\n|(?![\\s\\S]))";
        break;
      case "[":
        inClass = true;
        classStart = true;
        out += "[";
        if (peek() === "^") {
          out += "^";
          i++;
        }
        break;
      case "(": {
        if (peek() !== "?") {
          out += "(";
          break;
        }
        const rest = chars.slice(i + 1, i + 3).join("");
        if (
          rest.startsWith(":") ||
          rest.startsWith("=") ||
          rest.startsWith("!") ||
          rest === "<=" ||
          rest === "<!"
        ) {
          out += "(?";
          i++;
        } else if (rest.startsWith("<") || rest.startsWith("'")) {
          const closeChar = rest.startsWith("<") ? ">" : "'";
          const close = chars.indexOf(closeChar, i + 2);
          if (close < 0) throw new Unsupported("unterminated group name");
          out += `(?<${chars.slice(i + 2, close).join("")}>`;
          i = close + 1;
        } else if (rest.startsWith("#")) {
          const close = chars.indexOf(")", i);
          if (close < 0) throw new Unsupported("unterminated comment group");
          i = close + 1;
        } else {
          throw new Unsupported(`group (?${rest[0] ?? ""}`);
        }
        break;
      }
      case "{": {
        const rest = chars.slice(i).join("");
        const m = /^(\d+)(,(\d*))?\}|^,(\d+)\}/.exec(rest);
        if (m) {
          out += m[4] !== undefined ? `{0,${m[4]}}` : `{${m[0]}`;
          i += Array.from(m[0]).length;
          if (peek() === "+") throw new Unsupported("possessive quantifiers");
        } else {
          out += "\\{";
        }
        break;
      }
      case "}":
        out += "\\}";
        break;
      case "]":
        out += "\\]";
        break;
      case "*":
      case "+":
      case "?":
        out += c;
        if (peek() === "+") throw new Unsupported("possessive quantifiers");
        break;
      default:
        out += c === "/" ? "\\/" : c;
    }
  }
  if (inClass) throw new Unsupported("premature end of char-class");
  return out;
}

function jsFlags(options: string): string {
  return options.includes("i") ? "iu" : "u";
}

function compile(source: string, options: string): { pattern: string; flags: string } {
  let pattern: string;
  try {
    pattern = translate(source, options);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DdlDefinitionError(`Unsupported Ruby regular expression /${source}/: ${why}`);
  }
  const flags = jsFlags(options);
  try {
    new RegExp(pattern, flags);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DdlDefinitionError(`Invalid regular expression /${source}/: ${why}`, { cause: e });
  }
  return { pattern, flags };
}

export class RubyRegex extends RegExp {
  /** The pattern as Ruby sees it (a Regexp's `source`, or the String given). */
  readonly rubySource: string;
  /** Ruby options among `m`, `i`, `x`. */
  readonly rubyOptions: string;
  /** Written as a Regexp (`/…/`, `%r{…}`) rather than a String: it prints as `(?-mix:…)`. */
  readonly rubyLiteral: boolean;

  /**
   * @param source Ruby pattern text (for a literal, its `source`: `\/` already unescaped)
   * @param options any of "m", "i", "x"
   * @param literal whether it was a Regexp literal rather than a String
   * @throws DdlDefinitionError when the pattern uses Ruby features we cannot reproduce
   */
  constructor(source: string, options = "", literal = false) {
    const { pattern, flags } = compile(source, options);
    super(pattern, flags);
    this.rubySource = source;
    this.rubyOptions = ["m", "i", "x"].filter((o) => options.includes(o)).join("");
    this.rubyLiteral = literal;
  }

  /** `Regexp#to_s` for a literal, the String itself otherwise. */
  toRubyString(): string {
    return this.rubyLiteral ? RubyRegex.describe(this.rubySource, this.rubyOptions) : this.rubySource;
  }

  /** `Regexp#to_s`: `(?mi-x:source)`, with unescaped slashes escaped. */
  static describe(source: string, options: string): string {
    const on = ["m", "i", "x"].filter((o) => options.includes(o)).join("");
    const off = ["m", "i", "x"].filter((o) => !options.includes(o)).join("");
    const escaped = source.replace(/\\.|\//gs, (m) => (m === "/" ? "\\/" : m));
    return `(?${on}${off ? `-${off}` : ""}:${escaped})`;
  }

  static override get [Symbol.species](): RegExpConstructor {
    return RegExp;
  }
}

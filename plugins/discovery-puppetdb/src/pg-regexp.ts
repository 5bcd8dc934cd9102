/**
 * Ruby regexes from filters (`-I /web\d/`, `-F os=/^Deb/`, `-C /role::/`)
 * rewritten for PuppetDB, whose `~` is PostgreSQL's "advanced" regex (ARE).
 *
 * Only a subset both engines read the same way is accepted; anything else is
 * refused with a message naming the construct, so a query never matches
 * more than the daemons would. The differences bridged:
 *
 * - Ruby's `^` `$` are line anchors and `.` never matches a newline;
 *   PostgreSQL's (default mode) anchor the string and `.` matches anything.
 * - Ruby's `\d \w \s` are ASCII; PostgreSQL's follow the locale: spelled out.
 * - `\b \B \A \z \Z` are `\y \Y \A \Z (?=\n?\Z)`; `\xhh` is `\u00hh`.
 * - Ruby reads `a{`, `{,n}` and unknown `(?…)` groups in its own way:
 *   the first two are rewritten, the last refused.
 *
 * Greedy or lazy quantifiers change where a match lies, never whether there
 * is one, which is all a filter asks.
 */
import { compileRubyRegexp, RubyRegexpError } from "@phobos/core";

export interface PgRegexpOptions {
  /**
   * The daemons match lowercase names (classes.txt, agent names) while
   * PuppetDB holds capitalised titles: match case-insensitively, and refuse
   * upper-case letters, which never match a lowercase name.
   */
  foldCase?: boolean;
  /**
   * The pattern is matched against the end of a longer text (an agent name
   * inside `Mcollective_agent_<name>`): anchors and look-behinds that could
   * see the prefix are refused, except a `^`/`\A` first, reported as
   * `anchored`.
   */
  suffix?: boolean;
}

export interface PgRegexp {
  source: string;
  /** The pattern started with `^` or `\A` (only with `suffix`). */
  anchored: boolean;
}

export class PgRegexpError extends Error {}

const WORD = "a-zA-Z0-9_";
const DIGIT = "0-9";
const SPACE = " \\t\\n\\v\\f\\r";
const CONTROL = { t: "\\t", n: "\\n", r: "\\r", f: "\\f", v: "\\v" } as const;
const POSIX = new Set([
  "alpha",
  "digit",
  "alnum",
  "upper",
  "lower",
  "space",
  "punct",
  "xdigit",
  "blank",
  "cntrl",
  "print",
  "graph",
]);
const MAX_REPEAT = 255;

const isAsciiAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
const isUpper = (c: string) => /^[A-Z]$/.test(c);

/** A character as a literal, outside or inside a bracket. */
function literal(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `\\u${code.toString(16).padStart(4, "0")}`;
  if (code < 0x80 && !isAsciiAlnum(c) && c !== " ") return `\\${c}`;
  return c;
}

export function toPgRegexp(source: string, options: PgRegexpOptions = {}): PgRegexp {
  try {
    compileRubyRegexp(source);
  } catch (e) {
    if (e instanceof RubyRegexpError && e.kind === "invalid") throw new PgRegexpError(e.message);
    if (!(e instanceof RubyRegexpError)) throw e;
    // "unsupported" here is refused below, construct by construct.
  }
  const chars = Array.from(source);
  let out = "";
  let i = 0;
  let anchored = false;
  /** What the last piece was: a quantifier may follow an atom only. */
  let last: "none" | "atom" | "quantifier" = "none";
  const refuse = (what: string): never => {
    throw new PgRegexpError(what);
  };
  const checkCase = (c: string) => {
    if (options.foldCase && isUpper(c)) refuse(`the upper-case letter '${c}' never matches a lowercase name`);
  };
  const anchorAllowed = (what: string) => {
    if (!options.suffix) return;
    if (i === 0) {
      anchored = true;
      return;
    }
    refuse(`${what} can only come first here`);
  };

  while (i < chars.length) {
    const c = chars[i] as string;
    if (c === "\\") {
      const e = chars[i + 1];
      if (e === undefined) refuse("a trailing backslash");
      const esc = e as string;
      let piece: string;
      let kind: "atom" | "anchor" = "atom";
      switch (esc) {
        case "d":
          piece = `[${DIGIT}]`;
          break;
        case "D":
          piece = `[^${DIGIT}]`;
          break;
        case "w":
          piece = `[${WORD}]`;
          break;
        case "W":
          piece = `[^${WORD}]`;
          break;
        case "s":
          piece = `[${SPACE}]`;
          break;
        case "S":
          piece = `[^${SPACE}]`;
          break;
        case "A":
          anchorAllowed("\\A");
          piece = options.suffix ? "" : "\\A";
          kind = "anchor";
          break;
        case "z":
          piece = "\\Z";
          kind = "anchor";
          break;
        case "Z":
          piece = "(?=\\n?\\Z)";
          kind = "anchor";
          break;
        case "b":
        case "B":
          if (options.suffix) refuse(`\\${esc} (a word boundary at the start of the name)`);
          piece = esc === "b" ? "\\y" : "\\Y";
          kind = "anchor";
          break;
        case "x": {
          const hex = /^[0-9a-fA-F]{1,2}/.exec(chars.slice(i + 2, i + 4).join(""))?.[0];
          if (hex === undefined) refuse("\\x without hex digits");
          const code = Number.parseInt(hex as string, 16);
          if (code >= 0x80) refuse(`\\x${hex} (a byte, not a character)`);
          piece = literal(String.fromCodePoint(code));
          i += (hex as string).length;
          break;
        }
        default:
          if (esc in CONTROL) piece = CONTROL[esc as keyof typeof CONTROL];
          else if (!isAsciiAlnum(esc)) piece = literal(esc);
          else piece = refuse(`the escape \\${esc}`);
      }
      out += piece;
      last = kind === "atom" ? "atom" : "none";
      i += 2;
      continue;
    }
    if (c === "^" || c === "$") {
      if (c === "^") {
        anchorAllowed("^");
        out += options.suffix ? "" : "(?:^|(?<=\\n))";
      } else {
        out += "(?:$|(?=\\n))";
      }
      last = "none";
      i += 1;
      continue;
    }
    if (c === ".") {
      out += "[^\\n]";
      last = "atom";
      i += 1;
      continue;
    }
    if (c === "*" || c === "+" || c === "?") {
      if (last !== "atom")
        refuse(`'${c}' after ${last === "quantifier" ? "a quantifier" : "nothing to repeat"}`);
      out += c;
      i += 1;
      if (chars[i] === "?") {
        out += "?";
        i += 1;
      } else if (chars[i] === "+") refuse("a possessive quantifier");
      last = "quantifier";
      continue;
    }
    if (c === "{") {
      const m = /^\{(\d*)(,(\d*))?\}/.exec(chars.slice(i).join(""));
      if (m && (m[1] !== "" || (m[2] !== undefined && m[3] !== ""))) {
        if (last !== "atom")
          refuse(`'${m[0]}' after ${last === "quantifier" ? "a quantifier" : "nothing to repeat"}`);
        const low = m[1] === "" ? 0 : Number(m[1]);
        const high = m[3] === undefined || m[3] === "" ? undefined : Number(m[3]);
        if (low > MAX_REPEAT || (high ?? 0) > MAX_REPEAT) refuse(`a repeat count above ${MAX_REPEAT}`);
        out += m[2] === undefined ? `{${low}}` : `{${low},${high ?? ""}}`;
        i += m[0].length;
        if (chars[i] === "?") {
          out += "?";
          i += 1;
        } else if (chars[i] === "+") refuse("a possessive quantifier");
        last = "quantifier";
        continue;
      }
      out += "\\{";
      last = "atom";
      i += 1;
      continue;
    }
    if (c === "(") {
      const rest = chars.slice(i + 1, i + 4).join("");
      if (rest.startsWith("?")) {
        let open: string;
        if (rest.startsWith("?:")) open = "(?:";
        else if (rest.startsWith("?=")) open = "(?=";
        else if (rest.startsWith("?!")) open = "(?!";
        else if (rest.startsWith("?<=") || rest.startsWith("?<!")) {
          if (options.suffix) refuse("a look-behind (it could see the class name's prefix)");
          open = `(${rest}`;
        } else if (/^\?<[A-Za-z_]/.test(rest) || rest.startsWith("?'")) {
          const end = chars.indexOf(rest.startsWith("?'") ? "'" : ">", i + 3);
          if (end < 0) refuse("an unterminated group name");
          out += "(";
          i = end + 1;
          last = "none";
          continue;
        } else open = refuse(`the group '(${rest}…'`);
        out += open;
        i += 1 + open.length - 1;
        last = "none";
        continue;
      }
      out += "(";
      i += 1;
      last = "none";
      continue;
    }
    if (c === ")") {
      out += ")";
      i += 1;
      last = "atom";
      continue;
    }
    if (c === "|") {
      out += "|";
      i += 1;
      last = "none";
      continue;
    }
    if (c === "[") {
      const [piece, next] = bracket(chars, i, refuse, checkCase);
      out += piece;
      i = next;
      last = "atom";
      continue;
    }
    if (c === "}" || c === "]") {
      out += `\\${c}`;
      i += 1;
      last = "atom";
      continue;
    }
    checkCase(c);
    out += literal(c);
    last = "atom";
    i += 1;
  }
  return { source: options.foldCase ? `(?i)${out}` : out, anchored };
}

/** One `[...]` starting at `start`; returns the PostgreSQL bracket and the index after it. */
function bracket(
  chars: string[],
  start: number,
  refuse: (what: string) => never,
  checkCase: (c: string) => void,
): [string, number] {
  let i = start + 1;
  let out = "[";
  if (chars[i] === "^") {
    out += "^";
    i += 1;
  }
  let first = true;
  /** One member as a literal character, or undefined when it is a class (`\d`, `[:alpha:]`). */
  const member = (): { text: string; char?: string } => {
    const c = chars[i] as string;
    if (c === "[") {
      const m = /^\[:(\^?)([a-z]+):\]/.exec(chars.slice(i).join(""));
      if (!m) refuse("a nested character class");
      const [whole, negated, name] = m as RegExpExecArray;
      if (negated || !POSIX.has(name as string)) refuse(`the POSIX class ${whole}`);
      if (name === "upper") checkCase("A");
      i += (whole as string).length;
      return { text: whole as string };
    }
    if (c === "\\") {
      const e = chars[i + 1];
      if (e === undefined) refuse("an unterminated character class");
      i += 2;
      switch (e) {
        case "d":
          return { text: DIGIT };
        case "w":
          return { text: WORD };
        case "s":
          return { text: SPACE };
        default:
          if ((e as string) in CONTROL)
            return { text: CONTROL[e as keyof typeof CONTROL], char: e as string };
          if (!isAsciiAlnum(e as string)) return { text: literal(e as string), char: e as string };
          return refuse(`the escape \\${e} in a character class`);
      }
    }
    if (c === "&" && chars[i + 1] === "&") refuse("a character class intersection (&&)");
    checkCase(c);
    i += 1;
    return { text: literal(c), char: c };
  };
  while (true) {
    const c = chars[i];
    if (c === undefined) refuse("an unterminated character class");
    if (c === "]" && !first) break;
    first = false;
    const from = member();
    if (chars[i] === "-" && chars[i + 1] !== "]" && chars[i + 1] !== undefined) {
      i += 1;
      const to = member();
      if (from.char === undefined || to.char === undefined) refuse("a range with a class as an end");
      // A range reaching into A-Z holds upper-case letters.
      if ((from.char as string) <= "Z" && (to.char as string) >= "A") checkCase("A");
      out += `${from.text}-${to.text}`;
      continue;
    }
    out += from.text;
  }
  return [`${out}]`, i + 1];
}

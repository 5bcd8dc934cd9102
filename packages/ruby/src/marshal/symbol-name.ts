import { isPrintableCodePoint } from "./unicode-print.js";

/**
 * Whether Ruby 3.1 inspects this Symbol bare (`:foo`, `:[]=`, `:@x`, `:$1`)
 * rather than quoted (`:"foo bar"`): the name must parse as an identifier,
 * operator, or variable name (symbol.c's rb_enc_symname_type with the
 * attrset rules used for literals) and every character must be printable.
 */
export function isBareSymbolName(name: string): boolean {
  if (name.length === 0 || name.includes("\0")) return false;
  if (symnameType(name) === INVALID) return false;
  for (const ch of name) if (!isPrintableCodePoint(ch.codePointAt(0) as number)) return false;
  return true;
}

const INVALID = -1;
const LOCAL = 0;
const INSTANCE = 1;
const GLOBAL = 3;
const ATTRSET = 4;
const CONST = 5;
const CLASS = 6;
const JUNK = 7;

/** Ruby allows a trailing `=` (attribute writer) on local and constant names only. */
function attrsetAllowed(type: number): boolean {
  return type === LOCAL || type === CONST;
}

const GLOBAL_PUNCT = new Set("~*$?!@/\\;,.=:<>\"&`'+0");

function isAlpha(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function isAsciiChar(c: string): boolean {
  return c.length > 0 && c.charCodeAt(0) < 0x80;
}

function isIdentChar(c: string): boolean {
  return c.length > 0 && (isAlpha(c) || isDigit(c) || c === "_" || !isAsciiChar(c));
}

function isSpecialGlobalName(s: string, start: number): boolean {
  const e = s.length;
  let m = start;
  if (m >= e) return false;
  const c = s[m] as string;
  if (GLOBAL_PUNCT.has(c)) {
    m++;
  } else if (c === "-") {
    if (++m >= e) return false;
    if (isIdentChar(s[m] as string)) m += charLen(s, m);
  } else {
    if (!isDigit(c)) return false;
    do m++;
    while (m < e && isDigit(s[m] as string));
  }
  return m === e;
}

function charLen(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
}

function symnameType(name: string): number {
  const e = name.length;
  // C reads a NUL past the end; "" plays that part here.
  const at = (i: number): string => (i < e ? (name[i] as string) : "");
  let m = 0;
  let type = JUNK;
  let toId = false;
  switch (at(0)) {
    case "$":
      type = GLOBAL;
      m = 1;
      if (isSpecialGlobalName(name, m)) return type;
      toId = true;
      break;
    case "@":
      type = INSTANCE;
      m = 1;
      if (at(m) === "@") {
        m++;
        type = CLASS;
      }
      toId = true;
      break;
    case "<":
      m = 1;
      if (at(m) === "<") m++;
      else if (at(m) === "=") {
        m++;
        if (at(m) === ">") m++;
      }
      break;
    case ">":
      m = 1;
      if (at(m) === ">" || at(m) === "=") m++;
      break;
    case "=":
      m = 1;
      if (at(m) === "~") m++;
      else if (at(m) === "=") {
        m++;
        if (at(m) === "=") m++;
      } else return INVALID;
      break;
    case "*":
      m = 1;
      if (at(m) === "*") m++;
      break;
    case "+":
    case "-":
      m = 1;
      if (at(m) === "@") m++;
      break;
    case "|":
    case "^":
    case "&":
    case "/":
    case "%":
    case "~":
    case "`":
      m = 1;
      break;
    case "[":
      if (at(1) !== "]") {
        toId = true;
        break;
      }
      m = 2;
      if (at(m) === "=") m++;
      break;
    case "!":
      if (e === 1) return JUNK;
      m = 1;
      if (at(m) === "=" || at(m) === "~") m++;
      else return INVALID;
      break;
    default: {
      const c = at(0);
      type = c >= "A" && c <= "Z" ? CONST : LOCAL;
      toId = true;
    }
  }
  if (toId) {
    const c = at(m);
    if (m >= e || (c !== "_" && !isAlpha(c) && isAsciiChar(c))) {
      if (e > 1 && name[e - 1] === "=") {
        const t = symnameType(name.slice(0, -1));
        if (t !== ATTRSET) return ATTRSET;
      }
      return INVALID;
    }
    while (m < e && isIdentChar(at(m))) m += charLen(name, m);
    if (m < e) {
      const d = at(m);
      if (d === "!" || d === "?") {
        if (type === GLOBAL || type === CLASS || type === INSTANCE) return INVALID;
        type = JUNK;
        m++;
        if (m + 1 >= e && at(m) === "=") {
          if (!attrsetAllowed(type)) return INVALID;
          type = ATTRSET;
          m++;
        }
      } else if (d === "=") {
        if (!attrsetAllowed(type)) return INVALID;
        type = ATTRSET;
        m++;
      }
    }
  }
  return m === e ? type : INVALID;
}

/**
 * The `-S` tokenizer. The statements it cuts out travel on the wire and Ruby
 * daemons evaluate them, so it cuts exactly where MCollective 2.x's
 * `Matcher::Scanner` cuts, quirks included: `a = b` is one statement `a=b`,
 * quotes are dropped (`x="a b"` is `x=a b`), a class regex runs to the next
 * whitespace (so `(/re/)` swallows the `)`), a regex value ends the statement
 * at its closing slash, and `and`/`or`/`not` are keywords only before a space
 * or `(`. The differential test against Ruby's scanner keeps it that way.
 */
import { FilterSyntaxError } from "@phobos/errors";
import { compileRubyRegexp, isRubySpace } from "@phobos/ruby";

export type ScannedKind = "(" | ")" | "and" | "or" | "not" | "space" | "statement" | "fstatement" | "bad";

export interface ScannedToken {
  kind: ScannedKind;
  /** The statement as Ruby builds it (quotes and the backslashes before them gone); the keyword otherwise. */
  text: string;
  /** Index (in characters) of the token's first character. */
  start: number;
  /**
   * Index Ruby's scanner counts as the token's last character: `start` plus
   * its length plus the characters it skipped, minus one. Usually the real
   * last character; one past it when Ruby's `=/…/` reading doubles a slash.
   */
  last: number;
}

function isComparison(c: string | undefined): boolean {
  return c === "=" || c === "<" || c === ">";
}

// Ruby source, compiled with Ruby's line semantics (a statement may hold a
// newline from a quoted value, and `^`/`$` then match around it).
const COMPARISON_STATEMENT = "^.+(=|<|>).+$";
const ENDS_WITH_OPEN_PAREN = ".+?\\($";
const SLASH_THEN_COMPARISON = "^.+?\\/(<|>|=).+";
const FUNCTION_CALL = [
  "^.+?\\((\\s*(')[^']*(')\\s*(,\\s*(')[^']*('))*)?\\)(\\.[a-zA-Z0-9_]+)?((!=|<=|>=|=|>|<).+)?$",
  '^.+?\\((\\s*(")[^"]*(")\\s*(,\\s*(")[^"]*("))*)?\\)(\\.[a-zA-Z0-9_]+)?((!=|<=|>=|=|>|<).+)?$',
];

function test(text: string, pattern: string): boolean {
  return compileRubyRegexp(pattern).test(text);
}

interface RawStatement {
  chars: string[];
  /** Quotes, escaping backslashes and blanks around a comparison: consumed but not kept. */
  skipped: number;
  call: boolean;
  quoted: boolean;
}

/** After a blank at `j`, does a class name end here (no comparison follows the blanks)? */
function classEndsAt(chars: readonly string[], j: number): boolean {
  let k = j;
  while (k < chars.length && chars[k] === " ") k += 1;
  return !isComparison(chars[k]);
}

/** `/re/` as a class: everything up to whitespace, parentheses included. */
function readClassRegex(chars: readonly string[], start: number): RawStatement {
  const out: string[] = [];
  let j = start;
  do out.push(chars[j++] as string);
  while (j < chars.length && !isRubySpace(chars[j]));
  return { chars: out, skipped: 0, call: false, quoted: false };
}

/** A statement opening with `=`, `<` or `>`: never valid, but its extent decides what follows. */
function readBareComparison(chars: readonly string[], start: number): RawStatement {
  const out: string[] = [chars[start] as string];
  let j = start + 1;
  if (chars[j] === "/") {
    do {
      out.push(chars[j++] as string);
      if (chars[j] === "/") {
        // Ruby keeps this slash and, not stepping over it, keeps it again below.
        out.push("/");
        break;
      }
    } while (j < chars.length);
    while (j < chars.length && chars[j] !== " " && chars[j] !== ")") out.push(chars[j++] as string);
  }
  return { chars: out, skipped: 0, call: false, quoted: false };
}

function readWord(chars: readonly string[], start: number, input: string): RawStatement {
  const out: string[] = [];
  const n = chars.length;
  let j = start;
  let skipped = 0;
  let call = false;
  let quoted = false;
  let lookaheads = 0;
  do {
    if (chars[j] === "/") {
      // A regex value: taken whole, escapes and blanks included, and it ends the statement.
      out.push("/");
      j += 1;
      while (j < n && chars[j] !== "/") {
        if (chars[j] === "\\") {
          out.push("\\");
          j += 1;
          quoted = true;
        }
        if (j >= n) {
          throw new FilterSyntaxError(
            `An exception was raised while trying to tokenize '${out.join("")}': the regular expression ends in a lone backslash`,
            input,
            j,
          );
        }
        out.push(chars[j++] as string);
      }
      if (j < n) out.push(chars[j] as string);
      break;
    }
    if (chars[j] === "(") {
      call = true;
      out.push("(");
      j += 1;
      while (j < n) {
        out.push(chars[j] as string);
        if (chars[j++] === ")") break;
      }
    } else if (chars[j] === '"' || chars[j] === "'") {
      quoted = true;
      const quote = chars[j];
      j += 1;
      skipped += 1;
      while (j < n) {
        if (chars[j] === "\\") {
          j += 1;
          skipped += 1;
          if (j >= n) break;
        } else if (chars[j] === quote) {
          j += 1;
          skipped += 1;
          break;
        }
        out.push(chars[j++] as string);
      }
    } else {
      out.push(chars[j++] as string);
    }
    if (chars[j] === " ") {
      if (classEndsAt(chars, j) && !isComparison(chars[j - 1])) break;
      // `a = b`: blanks around a comparison are eaten, at most twice per statement.
      if (lookaheads < 2 && !test(out.join(""), COMPARISON_STATEMENT)) {
        let k = j + 1;
        for (;;) {
          skipped += 1;
          if (!isRubySpace(chars[k])) break;
          k += 1;
        }
        lookaheads += 1;
        j = k;
      }
    }
  } while (j < n && !isRubySpace(chars[j]) && chars[j] !== ")");
  return { chars: out, skipped, call, quoted };
}

function classify(raw: RawStatement): "statement" | "fstatement" | "bad" {
  const text = raw.chars.join("");
  if (test(text, ENDS_WITH_OPEN_PAREN) || test(text, SLASH_THEN_COMPARISON)) return "bad";
  if (raw.call) return FUNCTION_CALL.some((p) => test(text, p)) ? "fstatement" : "bad";
  if (raw.quoted) return "statement";
  const slashes = raw.chars.filter((c) => c === "/").length;
  return slashes % 2 === 1 ? "bad" : "statement";
}

function keywordAt(chars: readonly string[], pos: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (chars[pos + i] !== word[i]) return false;
  const after = chars[pos + word.length];
  return after === " " || after === "(";
}

/** The token starting at `pos`, or undefined at the end of input. Throws FilterSyntaxError. */
export function scanToken(chars: readonly string[], pos: number, input: string): ScannedToken | undefined {
  if (pos >= chars.length) return undefined;
  const c = chars[pos] as string;
  const single = (kind: ScannedKind, text: string, length = 1): ScannedToken => ({
    kind,
    text,
    start: pos,
    last: pos + length - 1,
  });
  if (c === "(" || c === ")") return single(c, c);
  if (c === " ") return single("space", " ");
  if (c === "!") return single("not", "not");
  if (c === "n" && keywordAt(chars, pos, "not")) return single("not", "not", 3);
  if (c === "a" && keywordAt(chars, pos, "and")) return single("and", "and", 3);
  if (c === "o" && keywordAt(chars, pos, "or")) return single("or", "or", 2);

  const raw =
    c === "/"
      ? readClassRegex(chars, pos)
      : isComparison(c)
        ? readBareComparison(chars, pos)
        : readWord(chars, pos, input);
  return {
    kind: classify(raw),
    text: raw.chars.join(""),
    start: pos,
    last: pos + raw.chars.length + raw.skipped - 1,
  };
}

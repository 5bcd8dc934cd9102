/**
 * A Ruby pattern as a value: a JavaScript RegExp that matches what Ruby's
 * would (translated by ./regexp.ts) and remembers its Ruby text, so that
 * `mco plugin doc` and "value should match …" print what Ruby prints: a
 * String pattern as written, a Regexp literal as `(?-mix:source)`.
 */
import { DdlDefinitionError } from "@phobos/errors";
import {
  RUBY_REGEXP_EXTENDED,
  RUBY_REGEXP_IGNORECASE,
  RUBY_REGEXP_MULTILINE,
  RubyRegexpError,
  translateRubyRegexp,
} from "./regexp.js";

const LETTERS = ["m", "i", "x"] as const;

/** Ruby option letters (any of "m", "i", "x") as `Regexp#options` bits. */
export function rubyRegexpOptionBits(options: string): number {
  return (
    (options.includes("i") ? RUBY_REGEXP_IGNORECASE : 0) |
    (options.includes("x") ? RUBY_REGEXP_EXTENDED : 0) |
    (options.includes("m") ? RUBY_REGEXP_MULTILINE : 0)
  );
}

/** `Regexp#to_s`: `(?mi-x:source)`, with unescaped slashes escaped. */
export function describeRubyRegexp(source: string, options: string): string {
  const on = LETTERS.filter((o) => options.includes(o)).join("");
  const off = LETTERS.filter((o) => !options.includes(o)).join("");
  const escaped = source.replace(/\\.|\//gs, (m) => (m === "/" ? "\\/" : m));
  return `(?${on}${off ? `-${off}` : ""}:${escaped})`;
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
   * @throws DdlDefinitionError when Ruby would refuse the pattern ("Invalid …") or
   *   it uses Ruby features Phobos cannot reproduce ("Unsupported …")
   */
  constructor(source: string, options = "", literal = false) {
    let translated: { pattern: string; flags: string };
    try {
      translated = translateRubyRegexp(source, rubyRegexpOptionBits(options));
    } catch (e) {
      if (!(e instanceof RubyRegexpError)) throw e;
      const what = e.kind === "invalid" ? "Invalid" : "Unsupported Ruby";
      throw new DdlDefinitionError(`${what} regular expression /${source}/: ${e.reason}`, { cause: e });
    }
    super(translated.pattern, translated.flags);
    this.rubySource = source;
    this.rubyOptions = LETTERS.filter((o) => options.includes(o)).join("");
    this.rubyLiteral = literal;
  }

  /** `Regexp#to_s` for a literal, the String itself otherwise. */
  toRubyString(): string {
    return this.rubyLiteral ? describeRubyRegexp(this.rubySource, this.rubyOptions) : this.rubySource;
  }

  /** `Regexp#to_s`: `(?mi-x:source)`, with unescaped slashes escaped. */
  static describe(source: string, options: string): string {
    return describeRubyRegexp(source, options);
  }

  static override get [Symbol.species](): RegExpConstructor {
    return RegExp;
  }
}
